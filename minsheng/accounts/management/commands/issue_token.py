"""Issue an API token for a staff user and print it once: only its digest is stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from minsheng.accounts.models import ApiToken, User

NAME_MAX = ApiToken._meta.get_field("name").max_length


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it. It cannot be shown again."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        name = options["name"].strip()
        if not name or len(name) > NAME_MAX:
            raise CommandError(f"--name must be 1 to {NAME_MAX} characters.")
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No staff user named {options['username']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"{user.username} is not active.")
        with transaction.atomic():
            token, raw = ApiToken.issue(user=user, name=name)
        self.stdout.write(raw)
        expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stderr.write(
            f"Token {name!r} for {user.username}, valid until {expires}. Store it now: it "
            "cannot be shown again."
        )
