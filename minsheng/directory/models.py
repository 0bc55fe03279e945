"""Reference data: the area tree, the units that handle cases, the service categories,
routing rules and the working-day calendar adjustments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Administrative level of an area or unit; escalation climbs from 1 upwards."""

    VILLAGE = 1, _("village / community")
    TOWNSHIP = 2, _("township / street")
    COUNTY = 3, _("county / district")


class AreaKind(models.TextChoices):
    COUNTY = "county", _("county / district")
    TOWNSHIP = "township", _("township / street")
    VILLAGE = "village", _("village")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")


# A code is part of web addresses (/board/CODE/) and of files: letters, digits, "-", "_", ".".
code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z_.-]*$",
    _("Use letters, digits, “-”, “_” or “.” only, without spaces or “/”."),
)


class LocalizedNameMixin(models.Model):
    """Names residents read come in Chinese, English and Uyghur; Chinese is the fallback."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(
        _("name (English)"), max_length=100, blank=True, help_text=_("Empty: the Chinese name.")
    )
    name_ug = models.CharField(
        _("name (Uyghur)"),
        max_length=100,
        blank=True,
        help_text=_("Residents who read Uyghur see the Chinese name while this is empty."),
    )

    class Meta:
        abstract = True

    @property
    def label(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en") and self.name_en:
            return self.name_en
        if lang.startswith("ug") and self.name_ug:
            return self.name_ug
        return self.name


class Area(LocalizedNameMixin):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_(
            "Short and permanent, letters and digits (e.g. the administrative division "
            "code): it is the public board's address (/board/CODE/), the poster's and the "
            "ledger import's key."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/7/42/" so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        prefix = self.parent.path if self.parent_id else "/"
        if self.pk is None:
            super().save(*args, **kwargs)  # the path needs the new primary key
            self.path = f"{prefix}{self.pk}/"
            self.depth = self.path.count("/") - 2
            super().save(update_fields=["path", "depth"])
            return
        self.path = f"{prefix}{self.pk}/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_subtree(old_path)

    def _move_subtree(self, old_path: str) -> None:
        """Re-root descendants and the cached scope path of their cases after a move."""
        from minsheng.cases.models import Case

        Case.objects.filter(area=self).update(area_path=self.path)
        for child in Area.objects.filter(parent=self):
            child.save()

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError(_("An area cannot be inside itself."))
            node = node.parent

    def ancestors(self) -> list[Area]:
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        by_id = Area.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    @property
    def full_name(self) -> str:
        return " / ".join(a.label for a in self.ancestors())

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)


class Unit(models.Model):
    """An organisation that handles cases; its parent is where escalations go."""

    name = models.CharField(_("name (Chinese)"), max_length=120)
    # Residents read which unit holds their case, in their language.
    name_en = models.CharField(
        _("name (English)"), max_length=120, blank=True, help_text=_("Empty: the Chinese name.")
    )
    name_ug = models.CharField(
        _("name (Uyghur)"),
        max_length=120,
        blank=True,
        help_text=_("Residents who read Uyghur see the Chinese name while this is empty."),
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("Short and permanent: the API, imports and exports name the unit by it."),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("escalates to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    areas = models.ManyToManyField(Area, verbose_name=_("areas covered"), related_name="units")
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["-level", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Escalation climbs the parents; a loop would pass a case round for ever.
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A unit cannot escalate, through others, back to itself.")}
                )
            seen.add(node.pk)
            node = node.parent

    label = LocalizedNameMixin.label


# The category of a case nobody could place (a resident who was not sure): operators, and
# the automatic dispatch when the model is sure, correct it when they dispatch.
UNSURE_CATEGORY = "other"


class Category(LocalizedNameMixin):
    code = models.CharField(_("code"), max_length=32, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Time limits in working days, one per level: the default ladder is 1 / 3 / 5.
    limit_village = models.PositiveSmallIntegerField(
        _("time limit, village level"), default=1, help_text=_("In working days.")
    )
    limit_township = models.PositiveSmallIntegerField(
        _("time limit, township level"), default=3, help_text=_("In working days.")
    )
    limit_county = models.PositiveSmallIntegerField(
        _("time limit, county level"), default=5, help_text=_("In working days.")
    )
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One per line."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def limit_for(self, level: int) -> int:
        return {
            Level.VILLAGE: self.limit_village,
            Level.TOWNSHIP: self.limit_township,
            Level.COUNTY: self.limit_county,
        }.get(level, self.limit_county)


class RoutingRule(models.Model):
    """(category, area) → unit. Empty category or area means "any"; the most specific wins."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"],
                name="routing_rule_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.area or '*'} → {self.unit}"


class CalendarDay(models.Model):
    """An official adjustment entered by an administrator: a holiday or a working weekend.

    It overrides every package-provided calendar, so a year the packages do not know yet
    can be completed as soon as the State Council publishes it.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar adjustment")
        verbose_name_plural = _("calendar adjustments")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'work' if self.is_working_day else 'holiday'}"
