"""`minsheng export --user NAME --format csv|xlsx -o FILE`: the cases a staff user may see,
as a spreadsheet. Never any contact details."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.accounts.permissions import is_staff_user
from minsheng.cases.models import Status
from minsheng.directory.models import Category
from minsheng.intake import exports, ledger


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("“%(value)s” is not a date like 2026-11-03.") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = "Export the cases a staff user may see to CSV or Excel; contact details never included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="whose scope to export")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "-o", "--output", required=True, help="file to write; '-' writes CSV to stdout"
        )
        parser.add_argument("--status", choices=[s.value for s in Status])
        parser.add_argument("--category", help="category code, e.g. water")
        parser.add_argument("--area", help="area name or code; its whole subtree")
        parser.add_argument("--from", dest="date_from", help="raised on or after, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="raised on or before, YYYY-MM-DD")
        parser.add_argument(
            "--language", default=None, help="language of headings and labels (zh-hans, en, ug)"
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["language"]:
            translation.activate(options["language"])
        user = User.objects.filter(username=options["user"]).first()
        if user is None or not is_staff_user(user):
            raise CommandError(_("No active staff user “%(name)s”.") % {"name": options["user"]})
        category = None
        if options.get("category"):
            category = Category.objects.filter(code=options["category"]).first()
            if category is None:
                raise CommandError(
                    _("No category with code “%(code)s”.") % {"code": options["category"]}
                )
        area = None
        if options.get("area"):
            found = ledger.AreaIndex().find(options["area"])
            if len(found) != 1:
                raise CommandError(
                    _("“%(name)s” names no single area.") % {"name": options["area"]}
                )
            area = found[0]
        filters = exports.ExportFilters(
            status=options.get("status") or "",
            category=category,
            area=area,
            date_from=_date(options["date_from"]) if options.get("date_from") else None,
            date_to=_date(options["date_to"]) if options.get("date_to") else None,
        )
        cases = exports.export_cases(user=user, filters=filters)
        output = options["output"]
        if output == "-":
            if options["format"] != "csv":
                raise CommandError(_("Only CSV can be written to standard output."))
            count = exports.write_csv(cases, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            with open(output, "wb") as out:
                if options["format"] == "csv":
                    count = exports.write_csv(cases, out)
                else:
                    count = exports.write_xlsx(cases, out)
        exports.log_export(user=user, fmt=options["format"], count=count)
        self.stderr.write(f"exported={count} file={output}")
