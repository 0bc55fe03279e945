"""`minsheng import LEDGER --user NAME`: bring a work team's .xlsx or .csv ledger in as cases.

Prints the column mapping it used, a progress bar on stderr, every failing row with its
reasons and a summary. With --dry-run nothing is recorded. Exit status 1 when a row of a
real import failed, so scripts notice.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.accounts.permissions import is_staff_user
from minsheng.directory.models import Area
from minsheng.intake import ledger


class ProgressBar:
    """A one-line progress bar, redrawn at most ten times a second; on a stream that is
    not a terminal (a log file) it prints a line every tenth of the way instead."""

    def __init__(self, stream: TextIO, total: int | None, label: str) -> None:
        self.stream = stream
        self.total = total if total and total > 0 else None
        self.label = label
        self.tty = stream.isatty()
        self.last_draw = 0.0
        self.last_tenth = -1
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        total = max(self.total or 0, done)
        fraction = done / total if total else 0.0
        if self.tty:
            if now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = int(fraction * 30)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {done}/{total}")
        else:
            tenth = int(fraction * 10)
            if tenth == self.last_tenth:
                return
            self.last_tenth = tenth
            self.stream.write(f"{self.label} {fraction:4.0%} {done}/{total}\n")
        self.stream.flush()

    def finish(self, done: int) -> None:
        self.total = done
        self.last_draw = 0.0  # draw the full bar even if the last redraw was just now
        self.update(done)
        elapsed = time.monotonic() - self.started
        if self.tty:
            self.stream.write(f"  {elapsed:.1f} s\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import a problem ledger (.xlsx or .csv) as cases: the columns are matched to case "
        "fields, every row is checked, and rows imported before are never recorded twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the ledger, .xlsx or .csv (UTF-8, GBK or UTF-16)")
        parser.add_argument(
            "--user", required=True, help="staff user recording the cases (scope is checked)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=(
                "map a case field to a column heading (or letter), overriding the guess; "
                f"fields: {', '.join(ledger.FIELD_NAMES)}; repeatable; FIELD= unmaps"
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and record nothing"
        )
        parser.add_argument("--sheet", help="the worksheet to read (default: the first)")
        parser.add_argument(
            "--area", help="village (name or code) for rows that name none, e.g. 柳树村"
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        user = User.objects.filter(username=options["user"]).first()
        if user is None or not is_staff_user(user):
            raise CommandError(_("No active staff user “%(name)s”.") % {"name": options["user"]})
        default_area = self._area(options.get("area"))
        try:
            with ledger.open_ledger(options["file"], sheet=options.get("sheet")) as opened:
                mapping = ledger.apply_overrides(
                    opened.headers, ledger.guess_mapping(opened.headers), options["map"]
                )
                self._print_mapping(opened, mapping)
                mapping = ledger.check_mapping(opened.headers, mapping, default_area=default_area)
                bar = ProgressBar(
                    getattr(self.stderr, "_out", sys.stderr),  # the real stream, for isatty()
                    opened.estimated_rows,
                    _("checking") if options["dry_run"] else _("importing"),
                )
                report = ledger.run_import(
                    opened,
                    user=user,
                    mapping=mapping,
                    default_area=default_area,
                    dry_run=options["dry_run"],
                    progress=bar.update,
                )
                bar.finish(report.rows)
        except FileNotFoundError as exc:
            raise CommandError(_("No such file: %(path)s") % {"path": options["file"]}) from exc
        except ledger.LedgerError as exc:
            raise CommandError(str(exc.message)) from exc
        self._print_report(report)
        if report.failed and not report.dry_run:
            raise CommandError(
                _("%(n)d rows were not imported.") % {"n": len(report.failed)}, returncode=1
            )

    def _area(self, name: str | None) -> Area | None:
        if not name:
            return None
        found = ledger.AreaIndex().find(name)
        if len(found) != 1:
            raise CommandError(
                _("--area “%(name)s” names no single village or community.") % {"name": name}
            )
        return found[0]

    def _print_mapping(self, opened: ledger.Ledger, mapping: dict[str, str | None]) -> None:
        out = self.stdout
        out.write(
            _("Reading %(what)s; headings in row %(row)d.")
            % {"what": opened.describe(), "row": opened.header_row}
        )
        if opened.merged_ranges:
            out.write(
                _("%(n)d merged cell ranges: each cell takes the value of its range.")
                % {"n": opened.merged_ranges}
            )
        out.write(_("Columns used:"))
        for item in ledger.FIELDS:
            header = mapping.get(item.name)
            out.write(f"  {item.label} ({item.name}) ← {header if header else '—'}")
        unused = [h for h in opened.headers if h not in mapping.values()]
        if unused:
            out.write(_("Columns not imported: %(columns)s") % {"columns": ", ".join(unused)})

    def _print_report(self, report: ledger.ImportReport) -> None:
        out = self.stdout
        for problem in report.failed:
            serial = f" ({problem.serial})" if problem.serial else ""
            out.write(
                _("row %(row)d%(serial)s: %(messages)s")
                % {"row": problem.number, "serial": serial, "messages": " ".join(problem.messages)}
            )
        for problem in report.warned:
            out.write(
                _("row %(row)d, warning: %(messages)s")
                % {"row": problem.number, "messages": " ".join(problem.messages)}
            )
        if report.warning_count > len(report.warned):
            out.write(
                _("… and %(n)d more warnings.") % {"n": report.warning_count - len(report.warned)}
            )
        out.write(
            _(
                "%(rows)d rows: %(created)d recorded, %(present)d imported before, "
                "%(failed)d not imported."
            )
            % {
                "rows": report.rows,
                "created": report.created,
                "present": report.present,
                "failed": len(report.failed),
            }
        )
        # A script reads the exit status: 1 when a row could not be imported.
        if report.dry_run:
            out.write(_("Dry run: nothing was recorded."))
        else:
            out.write(_("Import finished."))
