"""`minsheng calendar import FILE [--dry-run]`: the State Council's holiday notice, as lines.

The same lines as the staff page (overview → enter the notice): a date or a run of dates,
上班 or 休, a note. Every line is checked first; on any problem nothing is written and the
exit status is 1. Running cases' deadlines that the new days change are counted again.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minsheng.cases.deadlines import enter_calendar_days
from minsheng.directory.calendar_notice import parse_notice
from minsheng.server import require_migrated


class Command(BaseCommand):
    help = "Enter the working-day calendar's holidays and worked weekends from a text file."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        commands = parser.add_subparsers(dest="subcommand", metavar="<subcommand>")
        importing = commands.add_parser(
            "import", help="read FILE (lines such as “2027-02-06 上班 春节”) and enter it"
        )
        importing.add_argument("file")
        importing.add_argument(
            "--dry-run", action="store_true", help="check every line, write nothing"
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["subcommand"] != "import":
            raise CommandError(_("Say import FILE."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        require_migrated()
        notice = parse_notice(path.read_text(encoding="utf-8-sig"))
        for line, message in notice.problems:
            where = _("line %(n)d") % {"n": line} if line else path.name
            self.stderr.write(f"{where}: {message}")
        if not notice.ok:
            raise CommandError(_("Nothing was written."), returncode=1)
        working = sum(day.is_working_day for day in notice.days)
        summary = _("%(n)d days: %(off)d off, %(on)d worked.") % {
            "n": len(notice.days),
            "off": len(notice.days) - working,
            "on": working,
        }
        if options["dry_run"]:
            self.stdout.write(summary + " " + _("Checked; nothing was written."))
            return
        change = enter_calendar_days(days=notice.days)
        self.stdout.write(
            summary
            + " "
            + ngettext(
                "%(n)d of them new or changed in the calendar.",
                "%(n)d of them new or changed in the calendar.",
                change.days,
            )
            % {"n": change.days}
            + " "
            + ngettext(
                "The deadline of %(n)d running case moved.",
                "The deadlines of %(n)d running cases moved.",
                change.cases_moved,
            )
            % {"n": change.cases_moved}
        )
