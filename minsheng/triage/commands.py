"""`minsheng triage train | models | rollback`: the installation's own models from the shell.

Kept apart from the `triage` command module (which also holds `evaluate`) so each
subcommand's logic sits beside the functions it calls.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from minsheng.triage.models import ModelKind, TriageModel, Trigger
from minsheng.triage.training import RollbackError, activate_version, train_all


def add_parsers(commands) -> None:  # type: ignore[no-untyped-def]
    train = commands.add_parser(
        "train",
        help="train new model versions from this installation's cases now",
        description=(
            "Train the category and unit models from the dispatched cases. A new version "
            "becomes active only if it does at least as well as the active one on the "
            "held-out cases; otherwise it is kept for an administrator to activate."
        ),
    )
    train.add_argument("--kind", choices=ModelKind.values, help="only this model")
    commands.add_parser("models", help="list the stored model versions and their figures")
    rollback = commands.add_parser(
        "rollback", help="make an earlier model version the active one again"
    )
    rollback.add_argument("kind", choices=ModelKind.values)
    rollback.add_argument("version", type=int)


def handle(command: BaseCommand, options: dict) -> None:
    name = options["subcommand"]
    if name == "train":
        kinds = [options["kind"]] if options.get("kind") else None
        for outcome in train_all(kinds=kinds, trigger=Trigger.COMMAND):
            if outcome.model is None:
                command.stdout.write(f"{outcome.kind}: not trained: {outcome.reason}")
                continue
            verdict = "activated" if outcome.activated else "kept (not better than the active)"
            command.stdout.write(
                f"{outcome.kind}: v{outcome.model.version} {verdict}; held-out "
                f"{_figures(outcome.figures)}"
                + (f"; active {_figures(outcome.active_figures)}" if outcome.active_figures else "")
            )
    elif name == "models":
        rows = TriageModel.objects.defer("data").order_by("kind", "-version")
        if not rows:
            command.stdout.write("no trained models yet: suggestions come from category keywords")
        for row in rows:
            command.stdout.write(
                f"{row.kind} v{row.version} {row.state} trained {row.created_at:%Y-%m-%d %H:%M} "
                f"by {row.trained_by or row.get_trigger_display()}: {row.n_train} cases, "
                f"{len(row.examples)} labels; held-out {_figures(row.__dict__)}"
            )
    elif name == "rollback":
        try:
            row = activate_version(options["kind"], options["version"], trigger=Trigger.COMMAND)
        except RollbackError as error:
            raise CommandError(str(error), returncode=2) from error
        command.stdout.write(f"{row.kind} v{row.version} is active")


def _figures(figures: dict) -> str:
    def share(key: str) -> str:
        value = figures.get(key)
        return "n/a" if value is None else f"{value:.3f}"

    return (
        f"n={figures.get('n', figures.get('n_held_out', 0))} accuracy={share('accuracy')} "
        f"macro_f1={share('macro_f1')} confident_coverage={share('confident_coverage')} "
        f"confident_precision={share('confident_precision')}"
    )
