"""The `minsheng` command: run the whole system on one machine, and every admin chore.

`minsheng run` serves the site with a task worker beside it; `worker`, `sweep` and `demo`
are management commands; anything else is handed to Django's management, so
`minsheng migrate` or `minsheng createsuperuser` work as `manage.py` would.
"""

from __future__ import annotations

import argparse
import os
import sys

DESCRIPTION = "minsheng — residents' requests about public services, from intake to a rated close."
EPILOG = """\
any other command is a Django management command, for example:
  minsheng migrate            bring the database up to date
  minsheng createsuperuser    create an administrator account
  minsheng issue_token        issue an API token
  minsheng shell              a Python shell with the project loaded
  minsheng help               list every management command

The data directory is MINSHENG_DATA_DIR (default ~/.local/share/minsheng);
DATABASE_URL=postgres://… selects PostgreSQL instead of SQLite.
"""

# Management commands shown in the top-level help; the CLI forwards them unchanged.
FORWARDED = {
    "worker": "run background tasks and enqueue the deadline sweep every few minutes",
    "sweep": "run one deadline sweep now and print what it did",
    "demo": "load a demo county with staff and cases (--if-empty: only into an empty database)",
    "posters": "print a township's QR posters (or one village's) to PDF",
    "import": "import a work team's ledger (.xlsx/.csv): map columns, dry run, commit",
    "export": "export the cases in a user's scope to .csv or .xlsx (never contact details)",
    "rollups": "rebuild the indicator rollups from the case timelines",
    "report": "write an area's monthly report as PDF and .xlsx (--area, --month 2026-10)",
    "triage": "train, list and roll back the suggestion models; evaluate one on a labelled file",
    "directory": "set up areas, units, routing rules and accounts from one Excel workbook",
    "calendar": "enter the year's holiday notice (holidays, worked weekends) from a text file",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minsheng",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", title="commands")
    run = commands.add_parser(
        "run",
        help="serve the web application and its task worker on this machine",
        description=(
            "Create the data directory, apply database migrations, serve the web application "
            "with waitress and keep a task worker running beside it. Ctrl-C stops both."
        ),
    )
    run.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    run.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one")
    run.add_argument(
        "--threads", type=int, default=8, help="request-handling threads (default %(default)s)"
    )
    run.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the task worker (run `minsheng worker` separately)",
    )
    for name, text in FORWARDED.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def _setup_django() -> None:
    import django

    django.setup()


def served_at(host: str, port: int) -> str | None:
    """This server's own address, as a browser on this machine reaches it (None for port
    0, which the system chooses later)."""
    if not port:
        return None
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{host}:{port}"


def _run(argv: list[str]) -> int:
    options = build_parser().parse_args(["run", *argv])
    address = served_at(options.host, options.port)
    if address and not os.environ.get("MINSHENG_PUBLIC_URL"):
        # Until the real public address is set, links in texts and posters at least point
        # to where this server listens (the worker it starts inherits the variable).
        os.environ["MINSHENG_SERVED_AT"] = address
    _setup_django()
    if not _database_answers():
        from minsheng.envcheck import EXIT_STATUS

        return EXIT_STATUS
    from minsheng import server

    return server.serve(
        host=options.host,
        port=options.port,
        threads=max(1, options.threads),
        with_worker=not options.no_worker,
    )


def _manage(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minsheng", *argv])
    return 0


# Commands that never touch the database: no connection is tried before them.
WITHOUT_DATABASE = {
    "help",
    "version",
    "--version",
    "makemessages",
    "compilemessages",
    "makemigrations",
    "diffsettings",
}


def _database_answers() -> bool:
    """Connect once before the command, so an unreachable database is one clear line
    rather than a traceback from wherever the command first reads."""
    from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

    from minsheng import envcheck

    try:
        connections[DEFAULT_DB_ALIAS].ensure_connection()
    except OperationalError as exc:
        envcheck.report([envcheck.database_problem(exc)])
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    if not argv or argv[0] in ("-h", "--help"):
        build_parser().print_help()
        return 0
    from minsheng import envcheck

    problems = envcheck.environment_problems()
    if problems:
        return envcheck.report(problems)
    # `run` sets up Django itself, after choosing the address its links carry.
    offline = argv[:2] == ["triage", "evaluate"]  # reads and writes files only
    if (
        argv[0] not in WITHOUT_DATABASE | {"run"}
        and not offline
        and not {"-h", "--help"} & set(argv)
    ):
        _setup_django()
        if not _database_answers():
            return envcheck.EXIT_STATUS
    try:
        if argv[0] == "run":
            return _run(argv[1:])
        if argv[0] == "demo" and not {"-h", "--help"} & set(argv):
            # A first `minsheng demo` on a fresh data directory must create the database.
            _setup_django()
            from minsheng.server import migrate_if_needed

            migrate_if_needed()
        return _manage(argv)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
