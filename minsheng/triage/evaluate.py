"""Measure the category model on a labelled file: the figures `minsheng triage evaluate` prints.

Plain functions over plain data, so a benchmark or a test can call them without the command.
Training goes through `minsheng.triage.model.train`, the same function the installation's
retraining uses; the threshold for dispatching without asking is the one that training
chose from the training cases, never one fitted to the test file.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from minsheng.triage.model import CategoryModel, Settings, train

# Long messages (the sample has bodies of ~9,000 characters) must not trip the csv module.
csv.field_size_limit(16 * 1024 * 1024)


class InputError(ValueError):
    """A labelled file that cannot be used at all (missing, not UTF-8, missing columns)."""


@dataclass
class LabelledFile:
    """The usable rows of a labelled CSV file and the rows that were skipped, with why."""

    path: str
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def read_labelled_csv(
    path: str | Path,
    *,
    text_columns: Sequence[str],
    label_column: str,
    separator: str = "\n",
) -> LabelledFile:
    """Read texts and labels from a UTF-8 CSV file with a header row (a BOM is accepted).

    The named text columns are joined with `separator`, empty ones left out. A row with the
    wrong number of fields, no label or no text is skipped and listed in `skipped` with its
    line number; a missing file, bad encoding or a missing column raises `InputError`.
    """
    path = Path(path)
    result = LabelledFile(path=str(path))
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"Cannot read {path}: {error.strerror or error}") from error
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{path} is not UTF-8 text (first bad byte on line {line}).") from error

    reader = csv.reader(content.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path} is empty: a header row naming the columns is needed.") from None
    except csv.Error as error:
        raise InputError(f"{path}, line 1: {error}") from error
    header = [name.strip() for name in header]
    wanted = [*text_columns, label_column]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InputError(
            f"{path} has no column named {', '.join(repr(m) for m in missing)}; "
            f"its columns are: {', '.join(header)}."
        )
    text_at = [header.index(name) for name in text_columns]
    label_at = header.index(label_column)

    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InputError(f"{path}, line {line}: {error}") from error
        if not row or all(not cell.strip() for cell in row):
            if row:  # a row of empty fields; wholly empty lines are not rows at all
                result.skipped.append((line, "blank row"))
            continue
        if len(row) != len(header):
            result.skipped.append((line, f"{len(row)} fields where the header has {len(header)}"))
            continue
        label = row[label_at].strip()
        if not label:
            result.skipped.append((line, "no label"))
            continue
        text = separator.join(row[i].strip() for i in text_at if row[i].strip())
        if not text:
            result.skipped.append((line, "no text"))
            continue
        result.texts.append(text)
        result.labels.append(label)
    return result


def describe_skipped(labelled: LabelledFile, *, limit: int = 50) -> str:
    """One paragraph that says which rows were skipped and why (empty if none were)."""
    if not labelled.skipped:
        return ""
    shown = [f"line {line} ({reason})" for line, reason in labelled.skipped[:limit]]
    more = len(labelled.skipped) - limit
    tail = f", and {more} more" if more > 0 else ""
    return (
        f"{labelled.path}: skipped {len(labelled.skipped)} malformed row"
        f"{'s' if len(labelled.skipped) != 1 else ''}: {', '.join(shown)}{tail}."
    )


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def score(
    model: CategoryModel, texts: Sequence[str], labels: Sequence[str]
) -> tuple[dict, list[float]]:
    """Predict each text alone, as the installation does at intake; return figures and timings.

    Latency is measured per case with the numerical libraries held to one thread.
    """
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
    from threadpoolctl import threadpool_limits

    predicted: list[str] = []
    confident: list[bool] = []
    latencies: list[float] = []
    with threadpool_limits(limits=1):
        if texts:
            model.suggest(texts[0])  # load the word dictionary before the clock starts
        for text in texts:
            started = time.perf_counter()
            suggestion = model.suggest(text)
            latencies.append((time.perf_counter() - started) * 1000.0)
            predicted.append(suggestion.best)
            confident.append(suggestion.confident)

    truth = np.asarray(labels, dtype=object)
    guess = np.asarray(predicted, dtype=object)
    sure = np.asarray(confident, dtype=bool)
    categories = sorted(set(labels) | set(model.classes))
    precision, recall, f1, support = precision_recall_fscore_support(
        list(labels), predicted, labels=categories, zero_division=0
    )
    figures = {
        "accuracy": float(accuracy_score(list(labels), predicted)) if len(labels) else 0.0,
        "macro_f1": (
            float(f1_score(list(labels), predicted, average="macro", zero_division=0))
            if len(labels)
            else 0.0
        ),
        "threshold": model.threshold,
        # "margin": a case is confident when the SVM's best score beats its second by at least
        # `margin_threshold` (null: never); `threshold` is then the chance of being right there.
        "confidence_ranking": model.settings.confidence,
        "margin_threshold": (
            model.margin_threshold if np.isfinite(model.margin_threshold) else None
        ),
        "target_precision": model.settings.target_precision,
        "confident_coverage": float(sure.mean()) if len(sure) else 0.0,
        "confident_precision": float((guess[sure] == truth[sure]).mean()) if sure.any() else None,
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
        "per_class": {
            category: {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for category, p, r, f, s in zip(categories, precision, recall, f1, support, strict=True)
        },
        "unknown_test_labels": sorted(set(labels) - set(model.classes)),
    }
    return figures, latencies


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    *,
    settings: Settings | None = None,
) -> tuple[dict, CategoryModel]:
    """Train on one set exactly as the installation would, measure on the other."""
    wall, cpu = time.perf_counter(), time.process_time()
    model = train(train_texts, train_labels, settings=settings)
    train_s = time.perf_counter() - wall
    train_cpu_s = time.process_time() - cpu
    figures, latencies = score(model, test_texts, test_labels)
    result = {
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        **figures,
        "p_mean_ms": statistics.fmean(latencies) if latencies else 0.0,
        "train_s": train_s,
        "train_cpu_s": train_cpu_s,
        "held_out_on_train": model.info["held_out"],
        "features": model.info["features"],
    }
    return result, model
