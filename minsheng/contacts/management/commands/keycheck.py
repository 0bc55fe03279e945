"""`minsheng keycheck`: do this process's keys read the installation's data?"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minsheng.contacts.keycheck import KeyMismatch, accept_secret, verify_keys


class Command(BaseCommand):
    help = (
        "Check that the contact key and the secret key are the ones the installation's data "
        "was written with (minsheng run, worker and sweep check this when they start)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accept-secret",
            action="store_true",
            help="record the current secret key as the installation's after changing it on "
            "purpose (signs everybody out)",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["accept_secret"]:
            accept_secret()
        try:
            verify_keys()
        except KeyMismatch as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("The keys match the installation's data."))
