"""Compare ways to train the category model by repeated stratified cross-validation.

    .venv/bin/python benchmarks/triage/compare.py [--data ../shared/data/citizen_messages_dev.csv]
        [--folds 5] [--repeats 2] [--only NAME,NAME]

Every method is the real training path (`minsheng.triage.evaluate.evaluate`, which calls
`minsheng.triage.model.train`) with different `Settings`; each fold trains on the other
folds and is measured like `minsheng triage evaluate` measures a test file: the confidence
threshold comes from the training folds only. `oracle_coverage_99` is the share of the test
fold the model's own ranking could cover at precision ≥ 0.99 if the threshold were fitted
on the test fold — an upper bound that shows how good the ranking is, not a figure to claim.

Prints `name: value unit` lines, then a Markdown table of means ± standard deviations.
The data file is read from the shared folder and never copied anywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from minsheng.triage.evaluate import evaluate, read_labelled_csv  # noqa: E402
from minsheng.triage.model import Settings  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"

# What an installation trains (`Settings()`): one SVM, confidence ranked by the calibrated
# probability — the first session's model. The feature rows below were measured with it.
SVM_ONLY = Settings(complement_nb=False, confidence="probability")
WITH_NB = Settings(complement_nb=True, confidence="probability")
# The variations below were measured around a subject of 15 characters, the first choice.
SUBJECT_15 = dataclasses.replace(SVM_ONLY, subject_chars=15)
METHODS: dict[str, Settings] = {
    "baseline: char 1-3, linear SVM": dataclasses.replace(
        SVM_ONLY, char_low=1, char_high=3, words=False, subject_chars=0
    ),
    "char 1-2": dataclasses.replace(SVM_ONLY, words=False, subject_chars=0),
    "words (jieba)": dataclasses.replace(SVM_ONLY, char_high=0, subject_chars=0),
    "char 1-2 + words": dataclasses.replace(SVM_ONLY, subject_chars=0),
    "char 1-2 + words + subject 15": SUBJECT_15,
    "subject 15 + word bigrams": dataclasses.replace(SUBJECT_15, word_bigrams=True),
    "subject 15, char 2 only": dataclasses.replace(SUBJECT_15, char_low=2),
    "subject 15, place codes kept": dataclasses.replace(SUBJECT_15, drop_place_codes=False),
    "subject 15, C=0.5": dataclasses.replace(SUBJECT_15, svm_c=0.5),
    "subject 15, threshold at point estimate (z=0)": dataclasses.replace(
        SUBJECT_15, precision_margin_z=0.0
    ),
    "char 1-2 + words + subject 25 (SVM, probability ranking; chosen)": SVM_ONLY,
    "subject 25, SVM, margin ranking": dataclasses.replace(SVM_ONLY, confidence="margin"),
    "subject 25, SVM + complement NB, probability ranking": WITH_NB,
    "subject 25, SVM + complement NB, margin ranking": dataclasses.replace(
        WITH_NB, confidence="margin"
    ),
}


def oracle_coverage(probabilities: np.ndarray, correct: np.ndarray, target: float) -> float:
    order = np.argsort(-probabilities.max(axis=1), kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    reaching = np.nonzero(precision >= target)[0]
    return float((reaching.max() + 1) / len(order)) if len(reaching) else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated method names (substrings)")
    options = parser.parse_args()

    from sklearn.model_selection import RepeatedStratifiedKFold

    data = read_labelled_csv(options.data, text_columns=["title", "body"], label_column="label")
    texts = np.asarray(data.texts, dtype=object)
    labels = np.asarray(data.labels, dtype=object)
    splitter = RepeatedStratifiedKFold(
        n_splits=options.folds, n_repeats=options.repeats, random_state=2020
    )
    splits = list(splitter.split(np.zeros(len(labels)), labels))
    wanted = [w.strip() for w in options.only.split(",") if w.strip()]
    rows = []
    for name, settings in METHODS.items():
        if wanted and not any(w in name for w in wanted):
            continue
        runs: dict[str, list[float]] = {}
        for train_rows, test_rows in splits:
            result, model = evaluate(
                list(texts[train_rows]),
                list(labels[train_rows]),
                list(texts[test_rows]),
                list(labels[test_rows]),
                settings=settings,
            )
            probabilities = model.probabilities(list(texts[test_rows]))
            correct = np.asarray(model.classes, dtype=object)[probabilities.argmax(axis=1)]
            correct = correct == labels[test_rows]
            result["oracle_coverage_99"] = oracle_coverage(probabilities, correct, 0.99)
            for key in (
                "accuracy",
                "macro_f1",
                "confident_coverage",
                "confident_precision",
                "oracle_coverage_99",
                "p99_ms",
                "train_cpu_s",
            ):
                value = result[key]
                runs.setdefault(key, []).append(float("nan") if value is None else value)
        summary = {
            key: (statistics.fmean(values), statistics.pstdev(values))
            for key, values in runs.items()
        }
        for key, (mean, sd) in summary.items():
            print(f"{name} | {key}: {mean:.4f} ± {sd:.4f}", flush=True)
        rows.append((name, summary))

    print()
    print(
        "| method | macro-F1 | accuracy | confident coverage | confident precision "
        "| oracle coverage @0.99 | p99 ms | train CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, s in rows:
        print(
            f"| {name} | {s['macro_f1'][0]:.4f} ± {s['macro_f1'][1]:.4f} "
            f"| {s['accuracy'][0]:.4f} | {s['confident_coverage'][0]:.3f} "
            f"± {s['confident_coverage'][1]:.3f} | {s['confident_precision'][0]:.4f} "
            f"± {s['confident_precision'][1]:.4f} | {s['oracle_coverage_99'][0]:.3f} "
            f"| {s['p99_ms'][0]:.1f} | {s['train_cpu_s'][0]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
