"""Combinations of linear models, nearest neighbours and ways to rank confidence.

    .venv/bin/python benchmarks/triage/ensembles.py [--data ../shared/data/citizen_messages_dev.csv]

One stratified 5-fold pass (seed 2020), as explore.py. In each fold the chosen feature
blocks (and a second set: character 1–3-grams, word bigrams, subject 20) are fitted on the
training part only and each base model scores the test part, so every case gets out-of-fold
scores from every model. Then:

- a stack (multinomial logistic regression) over several models' out-of-fold scores is
  itself scored by a second 5-fold pass over those scores (seed 7);
- "oracle coverage" is the share of cases a ranking covers at precision ≥ 0.99 with the cut
  placed with hindsight — how well a ranking puts the errors last, not a figure to claim —
  for three rankings: the best calibrated probability, the margin between the two best
  calibrated probabilities, and the SVM's own margin (best score less second best; 0 where
  the stack's best and the SVM's best disagree);
- near duplicates: the share of cases whose nearest training case has cosine > t, and how
  often that neighbour's category is right.

Prints `name: value` lines. The data file is read in place and never copied.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from benchmarks.triage.explore import _transform  # noqa: E402
from minsheng.triage import text as textlib  # noqa: E402
from minsheng.triage.evaluate import read_labelled_csv  # noqa: E402
from minsheng.triage.model import Settings, features_for  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"


def coverage(rank: np.ndarray, correct: np.ndarray, target: float = 0.99) -> float:
    order = np.argsort(-rank, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    reaching = np.nonzero(precision >= target)[0]
    return float((reaching.max() + 1) / len(order)) if len(reaching) else 0.0


def margin(scores: np.ndarray) -> np.ndarray:
    ordered = np.sort(scores, axis=1)
    return ordered[:, -1] - ordered[:, -2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    options = parser.parse_args()

    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    data = read_labelled_csv(options.data, text_columns=["title", "body"], label_column="label")
    normalised = np.asarray([textlib.normalise(t) for t in data.texts], dtype=object)
    classes, y = np.unique(np.asarray(data.labels), return_inverse=True)
    k = len(classes)
    second = dataclasses.replace(Settings(), char_high=3, word_bigrams=True, subject_chars=20)

    def svm(balanced: bool = False) -> LinearSVC:
        weight = "balanced" if balanced else None
        return LinearSVC(C=1.0, tol=1e-2, random_state=0, class_weight=weight)

    def log_proba(model, x):  # type: ignore[no-untyped-def]
        return np.log(np.clip(model.predict_proba(x), 1e-12, 1))

    base = {
        "svm": lambda a, b, c, d: svm().fit(a, b).decision_function(c),
        "svm balanced": lambda a, b, c, d: svm(True).fit(a, b).decision_function(c),
        "svm on second features": lambda a, b, c, d: svm().fit(d[0], b).decision_function(d[1]),
        "ridge": lambda a, b, c, d: (
            RidgeClassifier(alpha=0.5, solver="sparse_cg").fit(a, b).decision_function(c)
        ),
        "sgd modified huber": lambda a, b, c, d: (
            SGDClassifier(loss="modified_huber", alpha=2e-5, max_iter=20, tol=None, random_state=0)
            .fit(a, b)
            .decision_function(c)
        ),
        "complement nb": lambda a, b, c, d: log_proba(ComplementNB(alpha=0.1).fit(a, b), c),
    }
    scores = {name: np.zeros((len(y), k)) for name in [*base, "knn"]}
    nearest_similarity = np.zeros(len(y))
    nearest_label = np.zeros(len(y), dtype=int)
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=2020)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        features = features_for(Settings())
        train_x = features.fit(list(normalised[train_rows]), min_df=2)
        test_x = _transform(features, normalised[test_rows])
        other = features_for(second)
        other_train = other.fit(list(normalised[train_rows]), min_df=2)
        pair = (other_train, _transform(other, normalised[test_rows]))
        for name, fit in base.items():
            scores[name][test_rows] = fit(train_x, y[train_rows], test_x, pair)
        similarity = (test_x @ train_x.T).toarray()
        nearest = np.argpartition(-similarity, 10, axis=1)[:, :10]
        votes = np.zeros((len(test_rows), k))
        for row in range(len(test_rows)):
            np.add.at(votes[row], y[train_rows][nearest[row]], similarity[row, nearest[row]] ** 4)
        scores["knn"][test_rows] = votes
        nearest_similarity[test_rows] = similarity.max(axis=1)
        nearest_label[test_rows] = y[train_rows][similarity.argmax(axis=1)]

    for name, matrix in scores.items():
        predicted = matrix.argmax(axis=1)
        correct = predicted == y
        print(f"{name} | macro_f1: {f1_score(y, predicted, average='macro'):.4f}")
        print(f"{name} | oracle_coverage_own_margin: {coverage(margin(matrix), correct):.3f}")

    outer = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    stacks = [
        ["svm"],
        ["svm", "svm on second features"],
        ["svm", "ridge"],
        ["svm", "complement nb"],
        ["svm", "knn"],
        ["svm", "complement nb", "knn"],
    ]
    for names in stacks:
        inputs = np.hstack([scores[n] for n in names])
        calibrated = cross_val_predict(
            LogisticRegression(max_iter=2000), inputs, y, cv=outer, method="predict_proba"
        )
        predicted = calibrated.argmax(axis=1)
        correct = predicted == y
        svm_margin = np.where(scores["svm"].argmax(axis=1) == predicted, margin(scores["svm"]), 0)
        name = "stack " + " + ".join(names)
        print(f"{name} | macro_f1: {f1_score(y, predicted, average='macro'):.4f}")
        print(f"{name} | accuracy: {correct.mean():.4f}")
        print(f"{name} | oracle_coverage_probability: {coverage(calibrated.max(1), correct):.3f}")
        print(f"{name} | oracle_coverage_prob_margin: {coverage(margin(calibrated), correct):.3f}")
        print(f"{name} | oracle_coverage_svm_margin: {coverage(svm_margin, correct):.3f}")

    for threshold in (0.7, 0.8, 0.9, 0.95):
        near = nearest_similarity > threshold
        right = float((nearest_label[near] == y[near]).mean()) if near.any() else float("nan")
        print(f"nearest cosine > {threshold} | share: {near.mean():.3f}")
        print(f"nearest cosine > {threshold} | nearest label right: {right:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
