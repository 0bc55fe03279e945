"""Staff users and their roles. Residents have no accounts: they follow a case by its code."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("operator")
    HANDLER = "handler", _("handler")
    SUPERVISOR = "supervisor", _("supervisor")
    ADMINISTRATOR = "administrator", _("administrator")


class StaffUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[no-untyped-def]
        # `minsheng createsuperuser` makes the installation's first administrator.
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Role.choices,
        default=Role.HANDLER,
        help_text=_(
            "Administrators set up areas, units, categories, routing rules and accounts, "
            "here and on the staff pages; the role gives them this administration site."
        ),
    )
    units = models.ManyToManyField(
        "directory.Unit", verbose_name=_("units"), blank=True, related_name="members"
    )
    scope_area = models.ForeignKey(
        "directory.Area",
        verbose_name=_("scope (area subtree)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Operators and supervisors work within this area and everything below it."),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    # A first password someone else chose (the workbook import) is changed at first sign-in.
    must_change_password = models.BooleanField(
        _("must change the password at next sign-in"), default=False
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs) -> None:
        # One switch, not three: the administrator role is what the staff pages mean by an
        # administrator, so it also opens the administration site (Django's staff and
        # superuser flags), which a new county's administrator would otherwise not find.
        if self.role == Role.ADMINISTRATOR:
            self.is_staff = self.is_superuser = True
        # set_password() leaves the new password in _password until the save; every way of
        # changing one (the staff page, the admin, `changepassword`) goes through it. The
        # hash upgrade at sign-in does not (Django clears _password first): tokens stay.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            # Whoever learnt the old password may have taken a token with it.
            ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR or self.is_superuser


class ApiToken(models.Model):
    """A bearer token for a staff client. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # settings.MINSHENG_API_TOKEN_DAYS after issue; a token is refused from then on.
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = "ms_" + secrets.token_urlsafe(32)
        expires_at = timezone.now() + dt.timedelta(days=settings.MINSHENG_API_TOKEN_DAYS)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[:8], digest=cls.hash(raw), expires_at=expires_at
        )
        return token, raw
