"""`manage.py demo`: load the demo county, its staff and six months of cases."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.demo.generator import DemoAlreadyLoaded, DemoResult, build_demo, data_already_held


class Command(BaseCommand):
    help = (
        "Load a fictional demo county (澄原县) with units, routing rules, staff accounts and "
        "cases raised and handled through the real lifecycle actions. For trying minsheng "
        "out: every demo account shares one published password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases", type=int, default=2000, help="How many cases (default 2000)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Do nothing (and succeed) if the database already holds accounts, areas, "
                "units or cases."
            ),
        )

    def handle(self, *args, **options) -> None:
        if options["cases"] < 0:
            raise CommandError("--cases cannot be negative.")
        held = data_already_held()
        if held:
            what = ", ".join(held)
            if options["if_empty"]:
                self.stdout.write(
                    f"The database already holds {what}, so the demo was not loaded (it is "
                    "only ever loaded into an empty database, never beside real accounts or "
                    "data). Sign in with the accounts you made."
                )
                return
            raise CommandError(
                f"The database already holds {what}, so the demo was not loaded: it would "
                "mix invented cases and accounts with a shared, published password into "
                "yours. Use an empty database (a fresh MINSHENG_DATA_DIR or DATABASE_URL)."
            )
        try:
            result = build_demo(seed=options["seed"], cases=options["cases"], stdout=self.stdout)
        except DemoAlreadyLoaded as exc:
            raise CommandError(str(exc)) from exc
        self.print_summary(result)

    def print_summary(self, result: DemoResult) -> None:
        out = self.stdout
        out.write("")
        out.write(
            self.style.SUCCESS(
                f"Demo loaded in {result.seconds:.1f} s: {result.areas} areas, {result.units} "
                f"units, {result.routing_rules} routing rules, {result.cases} cases, "
                f"{result.events} events."
            )
        )
        out.write("Cases by status:")
        for status, count in result.status_counts.items():
            out.write(f"  {status:<12} {count:>6}")
        out.write(f"  overdue now: {result.overdue}, due within a working day: {result.due_soon}")
        out.write("")
        out.write("Demo staff accounts (all share one password, printed once here):")
        width_user = max(len(a.username) for a in result.accounts)
        width_role = max(len(a.role) for a in result.accounts)
        out.write(f"  {'username':<{width_user}}  {'role':<{width_role}}  unit / scope  (name)")
        for account in result.accounts:
            out.write(
                f"  {account.username:<{width_user}}  {account.role:<{width_role}}  "
                f"{account.where}  ({account.display_name})"
            )
        out.write("")
        out.write(self.style.WARNING(f"Password for every demo account: {result.password}"))
        out.write("Never load the demo into a database that holds real cases.")
