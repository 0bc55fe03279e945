"""`minsheng directory import FILE.xlsx [--dry-run]` and `minsheng directory template -o FILE`.

A county's areas, units, routing rules and staff accounts from one workbook (see
`minsheng.directory.importer`). Problems are listed with their sheet and row, and then
nothing is written; the exit status is 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minsheng.directory.importer import (
    ACCOUNTS,
    AREAS,
    RULES,
    SHEETS,
    UNITS,
    ImportResult,
    import_directory,
    template_workbook,
)


class Command(BaseCommand):
    help = "Import a county's areas, units, routing rules and accounts from a workbook."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        commands = parser.add_subparsers(dest="subcommand", metavar="<subcommand>")
        importing = commands.add_parser("import", help="read FILE.xlsx and set it up")
        importing.add_argument("file")
        importing.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )
        template = commands.add_parser("template", help="write an empty workbook to fill in")
        template.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        if options["subcommand"] == "template":
            Path(options["output"]).write_bytes(template_workbook())
            self.stdout.write(_("Wrote %(path)s.") % {"path": options["output"]})
            return
        if options["subcommand"] != "import":
            raise CommandError(_("Say import FILE or template -o FILE."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        with path.open("rb") as source:
            result = import_directory(source, dry_run=options["dry_run"])
        self.report(result)
        if not result.ok:
            raise CommandError(_("Nothing was written."), returncode=1)

    def report(self, result: ImportResult) -> None:
        for problem in result.problems:
            where = (
                _("%(sheet)s, row %(row)s") % {"sheet": problem.sheet, "row": problem.row}
                if problem.row
                else problem.sheet
            )
            self.stderr.write(f"{where}: {problem.message}" if where else problem.message)
        if not result.ok:
            return
        for kind in (AREAS, UNITS, RULES, ACCOUNTS):
            self.stdout.write(
                _("%(sheet)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
                % {
                    "sheet": SHEETS[kind][0],
                    "created": result.created[kind],
                    "updated": result.updated[kind],
                    "unchanged": result.unchanged[kind],
                }
            )
        if result.dry_run:
            self.stdout.write(_("Dry run: everything checked, nothing written."))
        if result.unstaffed:
            self.stdout.write(
                _("Units nobody works in yet: %(units)s")
                % {"units": "、".join(unit.code for unit in result.unstaffed)}
            )
        for username, password in result.passwords.items():
            self.stdout.write(
                _("New account %(username)s, first password %(password)s")
                % {"username": username, "password": password}
            )
