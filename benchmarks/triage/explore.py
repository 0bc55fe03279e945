"""Other classifiers on the chosen features: what they score against the linear SVM.

    .venv/bin/python benchmarks/triage/explore.py [--data ../shared/data/citizen_messages_dev.csv]

One stratified 5-fold pass (seed 2020). In each fold the chosen feature blocks are fitted on
the training part only; then each classifier is trained on them and scored on the test part:
macro-F1, and `oracle_coverage_99` — the share of the test part that the classifier's own
ranking (by the margin between its two best scores) covers at precision ≥ 0.99 when the cut
is placed with hindsight. It measures how well a method ranks, not a figure to claim; the
product's honest figures come from compare.py.

"stack" feeds the out-of-fold scores of two linear SVMs (the chosen features, and character
1–3-grams + word bigrams) to a logistic regression — the best of the combinations tried.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from minsheng.triage import text as textlib  # noqa: E402
from minsheng.triage.evaluate import read_labelled_csv  # noqa: E402
from minsheng.triage.model import Settings, features_for  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"


def oracle_coverage(scores: np.ndarray, correct: np.ndarray, target: float = 0.99) -> float:
    ranked = np.sort(scores, axis=1)
    margin = ranked[:, -1] - ranked[:, -2]
    order = np.argsort(-margin, kind="stable")
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    reaching = np.nonzero(precision >= target)[0]
    return float((reaching.max() + 1) / len(order)) if len(reaching) else 0.0


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
    labels = np.asarray(data.labels)
    classes = np.unique(labels)
    second = dataclasses.replace(Settings(), char_high=3, word_bigrams=True, subject_chars=20)

    def knn(train_x, train_y, test_x, k=15):
        similarity = (test_x @ train_x.T).toarray()
        nearest = np.argpartition(-similarity, k, axis=1)[:, :k]
        scores = np.zeros((test_x.shape[0], len(classes)))
        for row in range(test_x.shape[0]):
            for j in nearest[row]:
                scores[row, np.searchsorted(classes, train_y[j])] += similarity[row, j] ** 4
        return scores

    methods = {
        "linear SVM C=1 (chosen)": lambda: LinearSVC(C=1.0, tol=1e-2, random_state=0),
        "SGD hinge": lambda: SGDClassifier(alpha=3e-5, max_iter=10, tol=None, random_state=0),
        "SGD log-loss": lambda: SGDClassifier(
            loss="log_loss", alpha=5e-6, max_iter=30, tol=None, random_state=0
        ),
        "ridge classifier": lambda: RidgeClassifier(alpha=0.5, solver="sparse_cg"),
        "complement NB": lambda: ComplementNB(alpha=0.1),
    }
    scores = {name: np.zeros((len(labels), len(classes))) for name in [*methods, "kNN", "stack"]}
    seconds = dict.fromkeys(scores, 0.0)
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=2020)
    for train_rows, test_rows in splitter.split(np.zeros(len(labels)), labels):
        features = features_for(Settings())
        train_x = features.fit(list(normalised[train_rows]), min_df=2)
        test_x = _transform(features, normalised[test_rows])
        for name, make in methods.items():
            started = time.process_time()
            model = make().fit(train_x, labels[train_rows])
            if hasattr(model, "decision_function") and name != "complement NB":
                scores[name][test_rows] = model.decision_function(test_x)
            else:
                scores[name][test_rows] = np.log(np.clip(model.predict_proba(test_x), 1e-12, 1))
            seconds[name] += time.process_time() - started
        started = time.process_time()
        scores["kNN"][test_rows] = knn(train_x, labels[train_rows], test_x)
        seconds["kNN"] += time.process_time() - started

        started = time.process_time()
        other = features_for(second)
        other_train = other.fit(list(normalised[train_rows]), min_df=2)
        other_test = _transform(other, normalised[test_rows])
        inner = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        stacked_train, stacked_test = [], []
        for x_train, x_test in [(train_x, test_x), (other_train, other_test)]:
            svm = LinearSVC(C=1.0, tol=1e-2, random_state=0)
            stacked_train.append(
                cross_val_predict(
                    svm, x_train, labels[train_rows], cv=inner, method="decision_function"
                )
            )
            stacked_test.append(svm.fit(x_train, labels[train_rows]).decision_function(x_test))
        meta = LogisticRegression(max_iter=1000).fit(np.hstack(stacked_train), labels[train_rows])
        scores["stack"][test_rows] = meta.predict_proba(np.hstack(stacked_test))
        seconds["stack"] += time.process_time() - started

    for name, matrix in scores.items():
        predicted = classes[matrix.argmax(axis=1)]
        correct = predicted == labels
        print(f"{name} | macro_f1: {f1_score(labels, predicted, average='macro'):.4f}")
        print(f"{name} | oracle_coverage_99: {oracle_coverage(matrix, correct):.3f}")
        print(f"{name} | fit_cpu_s_5_folds: {seconds[name]:.1f} s", flush=True)
    return 0


def _transform(features, texts):
    import scipy.sparse as sp

    rows, columns, values = [], [], []
    for row, text in enumerate(texts):
        c, v = features.vector(text)
        rows.append(np.full(len(c), row))
        columns.append(c)
        values.append(v)
    return sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(texts), features.size),
    )


if __name__ == "__main__":
    sys.exit(main())
