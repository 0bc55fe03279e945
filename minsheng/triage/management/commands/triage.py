"""`minsheng triage evaluate`: train the category model on one labelled file, measure on another.

    minsheng triage evaluate --train TRAIN.csv --test TEST.csv --text title,body --label label

Prints accuracy, macro-F1, per-category precision and recall, the share of test cases the
model is sure enough to dispatch without asking and its precision on them, the predict
latency per case and the training time; `--json` prints the same as one JSON object.
Skipped rows are listed on stderr. Exit code 2 means the input could not be used.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.triage.evaluate import InputError, describe_skipped, evaluate, read_labelled_csv
from minsheng.triage.model import TrainingError


class Command(BaseCommand):
    help = "Category suggestions: measure the model on labelled files (`triage evaluate`)."

    # Nothing here touches the database; the command must work before `migrate`.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="<subcommand>")
        commands.required = True
        evaluate_parser = commands.add_parser(
            "evaluate",
            help="train on one labelled CSV file exactly as the installation would, "
            "then measure on another",
            description=(
                "Train the category model on TRAIN.csv exactly as the installation's retraining "
                "does, predict every case of TEST.csv one at a time, and print accuracy, "
                "macro-F1, per-category precision/recall, the share of cases above the "
                "confidence threshold (chosen on the training file only) and the precision "
                "there, predict latency (p50/p99 per case) and the training time."
            ),
        )
        evaluate_parser.add_argument("--train", required=True, metavar="TRAIN.csv")
        evaluate_parser.add_argument("--test", required=True, metavar="TEST.csv")
        evaluate_parser.add_argument(
            "--text",
            required=True,
            metavar="COLUMNS",
            help="comma-separated text columns, joined in this order (e.g. title,body)",
        )
        evaluate_parser.add_argument("--label", required=True, metavar="COLUMN")
        evaluate_parser.add_argument(
            "--separator",
            default="\n",
            help="what joins the text columns (default: a line break)",
        )
        evaluate_parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead of lines"
        )
        evaluate_parser.add_argument(
            "--save-model", metavar="PATH", help="also save the trained model to this file"
        )

        from minsheng.triage import commands as model_commands

        model_commands.add_parsers(commands)

    def handle(self, *args: object, **options) -> None:
        if options["subcommand"] == "evaluate":
            self._evaluate(options)
        else:
            from minsheng.triage import commands as model_commands

            model_commands.handle(self, options)

    def _evaluate(self, options) -> None:
        text_columns = [c.strip() for c in options["text"].split(",") if c.strip()]
        if not text_columns:
            raise CommandError("--text must name at least one column.", returncode=2)
        label_column = options["label"].strip()
        files = {}
        for role in ("train", "test"):
            try:
                files[role] = read_labelled_csv(
                    options[role],
                    text_columns=text_columns,
                    label_column=label_column,
                    separator=options["separator"],
                )
            except InputError as error:
                raise CommandError(str(error), returncode=2) from error
            report = describe_skipped(files[role])
            if report:
                self.stderr.write(report)
        train_file, test_file = files["train"], files["test"]
        if not test_file.texts:
            raise CommandError(f"{test_file.path} has no usable row to test on.", returncode=2)
        try:
            result, model = evaluate(
                train_file.texts, train_file.labels, test_file.texts, test_file.labels
            )
        except TrainingError as error:
            raise CommandError(f"{train_file.path}: {error}", returncode=2) from error
        result["skipped_train"] = len(train_file.skipped)
        result["skipped_test"] = len(test_file.skipped)
        if options["save_model"]:
            model.save(options["save_model"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(_as_lines(result, train_file.path, test_file.path))


def _as_lines(result: dict, train_path: str, test_path: str) -> str:
    def share(value) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    lines = [
        f"train: {result['n_train']} cases from {train_path} "
        f"({result['skipped_train']} rows skipped)",
        f"test: {result['n_test']} cases from {test_path} ({result['skipped_test']} rows skipped)",
        f"accuracy: {result['accuracy']:.4f}",
        f"macro_f1: {result['macro_f1']:.4f}",
        f"threshold: {result['threshold']:.4f} (chosen on the training cases for precision "
        f"≥ {result['target_precision']:.2f}; confidence ranked by "
        f"{result['confidence_ranking']})",
        f"confident_coverage: {share(result['confident_coverage'])}",
        f"confident_precision: {share(result['confident_precision'])}",
        f"p50_ms: {result['p50_ms']:.2f} ms",
        f"p99_ms: {result['p99_ms']:.2f} ms",
        f"train_s: {result['train_s']:.1f} s (cpu {result['train_cpu_s']:.1f} s)",
        "per category: precision recall f1 support",
    ]
    for category, figures in result["per_class"].items():
        lines.append(
            f"  {category}: {figures['precision']:.3f} {figures['recall']:.3f} "
            f"{figures['f1']:.3f} {figures['support']}"
        )
    if result["unknown_test_labels"]:
        lines.append(
            "categories in the test file that training never saw (always wrong): "
            + ", ".join(result["unknown_test_labels"])
        )
    return "\n".join(lines)
