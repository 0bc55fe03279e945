"""`minsheng report --area X --month 2026-10`: the month's report as PDF and .xlsx files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from minsheng.directory.models import Area
from minsheng.insight.report import (
    ReportError,
    build_report,
    last_complete_month,
    parse_month,
    report_filename,
)
from minsheng.insight.report_pdf import render_pdf
from minsheng.insight.report_xlsx import render_xlsx
from minsheng.intake.ledger import AreaIndex

REPORT_LANGUAGES = ("zh-hans", "en", "ug")


def find_area(text: str) -> Area:
    """The one area a code, a name (东湖镇, 东湖镇/柳树村) or an id names, as in `export`."""
    found = AreaIndex().find(text)
    if not found and text.strip().isdigit():
        found = list(Area.objects.filter(pk=int(text)))
    if not found:
        raise CommandError(_("No area called “%(name)s”.") % {"name": text})
    if len(found) > 1:
        raise CommandError(
            _("“%(name)s” names more than one area: %(areas)s. Give its code.")
            % {"name": text, "areas": ", ".join(f"{a.full_name} ({a.code})" for a in found)}
        )
    return found[0]


class Command(BaseCommand):
    help = (
        "Write the monthly report of an area (or of every area) as PDF and/or .xlsx: headline "
        "figures against last month, charts, rankings, the oldest open cases, resolved "
        "highlights and projects. Prints the paths written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area", help="area code, name or id; its whole subtree (default: every area)"
        )
        parser.add_argument(
            "--month", help="the month, like 2026-10 (default: the last complete month)"
        )
        parser.add_argument(
            "--out", default=".", metavar="DIR", help="directory to write to (default .)"
        )
        parser.add_argument("--format", choices=["pdf", "xlsx", "both"], default="both")
        parser.add_argument("--language", choices=REPORT_LANGUAGES, default="zh-hans")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        with translation.override(options["language"]):
            area = find_area(options["area"]) if options["area"] else None
            try:
                month = parse_month(options["month"]) if options["month"] else None
            except ReportError as exc:
                raise CommandError(str(exc)) from exc
            out = Path(options["out"])
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(
                    _("Cannot create %(dir)s: %(why)s") % {"dir": out, "why": exc.strerror}
                ) from exc
            report = build_report(area, month or last_complete_month())
            renderers = {"pdf": render_pdf, "xlsx": render_xlsx}
            formats = ("pdf", "xlsx") if options["format"] == "both" else (options["format"],)
            for fmt in formats:
                path = out / report_filename(report, fmt)
                path.write_bytes(renderers[fmt](report))
                self.stdout.write(str(path))
