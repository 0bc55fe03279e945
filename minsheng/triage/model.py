"""The category model: plain texts and labels in, ranked suggestions with calibrated odds out.

It is independent of Django and of the case tables so that the retraining task, the
`triage evaluate` command and the tests all train it the same way, from lists.

How it decides (each choice measured in benchmarks/triage/README.md):

- three bags of TF-IDF features (sublinear tf, each block L2-normalised): character 1–2-grams
  of the whole text, jieba words, and character 1–2-grams of the first characters again — the
  subject line (25 characters), which says most about where a case belongs;
- one linear SVM (one-vs-rest) over them, and beside it a complement naive Bayes whose
  errors differ from the SVM's;
- a multinomial logistic regression on both models' scores turns them into probabilities; it
  is fitted on out-of-fold scores (k-fold within the training cases), so the odds are those
  of unseen cases;
- how sure the model is of its best category is its calibrated probability. (A setting ranks
  by the SVM's *margin* instead — its best score less its second best, a logistic curve on
  the out-of-fold margins turning the cut into a chance of being right; it ranks the errors
  lower with hindsight, but with the threshold chosen on the training cases it covered
  fewer cases than the probability of the two-model ensemble: see the benchmark);
- the confidence threshold — above it a case may be dispatched without asking — is the
  lowest probability at which those same out-of-fold predictions still reached the target
  precision (0.99), less one standard error so that one lucky fold does not set it. It is
  chosen from the training cases only and stored with the model.

A model is saved as one NumPy `.npz` file with no pickled objects, so loading it never runs
code, and it does not depend on the scikit-learn version that trained it.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from minsheng.triage import text as textlib
from minsheng.triage.features import CharBlock, Features, WordBlock, block_from_spec

FORMAT = "minsheng-triage-category-model"
# 2: complement naive Bayes beside the SVM (and an optional margin ranking). Files of format 1
# are refused with ModelFileError; the installation retrains them.
FORMAT_VERSION = 2


logger = logging.getLogger(__name__)


# No suggestion is called sure below this calibrated probability (see CategoryModel._judge).
CONFIDENT_AT_LEAST = 0.5


class TrainingError(ValueError):
    """The examples cannot train a model (too few, or a category with too few cases)."""


class ModelFileError(ValueError):
    """A saved model file is missing, damaged or of a format this code does not read."""


@dataclass(frozen=True)
class Settings:
    """How a model is trained. The defaults are the measured choice; the benchmark varies them."""

    char_low: int = 1  # character n-grams of the whole text; char_high = 0 leaves them out
    char_high: int = 2
    words: bool = True  # jieba words (letter runs in other scripts)
    word_bigrams: bool = False
    # Letter trigrams of Uyghur (and other alphabetic) words, so inflected forms share
    # features; Han text gives none, so the Chinese figures do not move.
    subwords: bool = True
    subject_chars: int = 25  # n-grams of the first characters again; 0 leaves them out
    subject_low: int = 1
    subject_high: int = 2
    drop_place_codes: bool = True
    min_df: int = 2
    svm_c: float = 1.0
    svm_tol: float = 1e-2
    # A complement naive Bayes beside the SVM, both calibrated together: +0.036 confident
    # coverage on the dev sample, but +20-30 s CPU at 100k cases (over the 2-minute budget)
    # and a dense classes x features table, so off unless asked for.
    complement_nb: bool = False
    nb_alpha: float = 0.1
    # "margin": rank confidence by the SVM's best score less its second; "probability": by the
    # calibrated probability of the best category.
    confidence: str = "probability"
    folds: int = 5
    few_folds_above: int = 20_000  # three folds
    fewest_folds_above: int = 60_000  # two folds
    target_precision: float = 0.99
    # One-sided confidence (in standard deviations) that the out-of-fold precision above the
    # threshold really reaches the target; 0 takes the point estimate.
    precision_margin_z: float = 1.0
    random_state: int = 0
    # Cores to train on (feature blocks in threads, SVM fits in processes); 0: every core
    # this process may run on.
    threads: int = 0
    # Below this many cases the SVM fits take seconds, less than starting other processes.
    processes_from: int = 20_000


@dataclass(frozen=True)
class Suggestion:
    """What the model says about one text."""

    categories: list[tuple[str, float]]  # best first, calibrated probabilities
    confident: bool  # True when the best category may be used without asking
    words: list[str] = field(default_factory=list)  # the words that pushed the best category up

    @property
    def best(self) -> str:
        return self.categories[0][0]

    @property
    def probability(self) -> float:
        return self.categories[0][1]


# ---------------------------------------------------------------------------------------------
# Features


def features_for(settings: Settings) -> Features:
    blocks: list[CharBlock | WordBlock] = []
    if settings.char_high:
        blocks.append(CharBlock("chars", low=settings.char_low, high=settings.char_high))
    if settings.words:
        blocks.append(WordBlock("words", bigrams=settings.word_bigrams, subwords=settings.subwords))
    if settings.subject_chars:
        blocks.append(
            CharBlock(
                "subject",
                low=settings.subject_low,
                high=settings.subject_high,
                head=settings.subject_chars,
            )
        )
    if not blocks:
        raise TrainingError("The settings leave the model no features to learn from.")
    return Features(blocks)


# ---------------------------------------------------------------------------------------------
# Calibration and the confidence threshold


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, *, target: float, margin_z: float = 1.0
) -> float:
    """The lowest confidence above which the predictions were right at least `target` often.

    Scans the predictions from the most to the least confident and keeps the largest set whose
    precision — lowered by `margin_z` standard errors (Wilson bound) — still reaches the
    target. Returns a value above 1 (never confident) when no such set exists.
    """
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(correct[order].astype(np.float64))
    n = np.arange(1, len(order) + 1, dtype=np.float64)
    if margin_z > 0:
        z2 = margin_z * margin_z
        p = hits / n
        centre = p + z2 / (2 * n)
        spread = margin_z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        precision = (centre - spread) / (1 + z2 / n)
    else:
        precision = hits / n
    reaching = np.nonzero(precision >= target)[0]
    if len(reaching) == 0:
        return 1.01
    last = reaching.max()
    threshold = float(confidence[order][last])
    # Ties at the threshold would let in cases ranked below the chosen set.
    below = confidence[order][last + 1 :] if last + 1 < len(order) else np.empty(0)
    if len(below) and below.max() >= threshold:
        threshold = float(np.nextafter(below.max(), 2.0))
    return threshold


# ---------------------------------------------------------------------------------------------
# The model


class CategoryModel:
    """A trained category model. Build one with `train` or `load`."""

    def __init__(
        self,
        *,
        settings: Settings,
        classes: list[str],
        features: Features,
        coef: np.ndarray,
        intercept: np.ndarray,
        calibration_coef: np.ndarray,
        calibration_intercept: np.ndarray,
        threshold: float,
        info: dict,
        nb_log_prob: np.ndarray | None = None,
        confidence_curve: tuple[float, float] = (1.0, 0.0),
        margin_threshold: float = float("inf"),
    ):
        self.settings = settings
        self.classes = list(classes)
        self.features = features
        # Column-major so that picking the columns of one text's features is a fast copy.
        self.coef = np.asfortranarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.calibration_coef = np.asarray(calibration_coef, dtype=np.float64)
        self.calibration_intercept = np.asarray(calibration_intercept, dtype=np.float64)
        self.threshold = float(threshold)
        self.info = info
        self.nb_log_prob = (
            None if nb_log_prob is None else np.asfortranarray(nb_log_prob, dtype=np.float32)
        )
        # Margin mode: the chance of being right at a margin (for display: `threshold` is this
        # chance at `margin_threshold`), and the margin a case must reach to be confident.
        self.confidence_curve = (float(confidence_curve[0]), float(confidence_curve[1]))
        self.margin_threshold = float(margin_threshold)

    @property
    def version(self):
        """The version the trainer gave this model (None when it gave none)."""
        return self.info.get("version")

    # -- prediction -----------------------------------------------------------------------------

    def _normalise(self, text: str) -> str:
        return textlib.normalise(text, drop_place_codes=self.settings.drop_place_codes)

    def _scores(self, columns: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The SVM's scores, and the calibrator's inputs (SVM and naive Bayes scores)."""
        scores = self.coef[:, columns] @ values + self.intercept
        if self.nb_log_prob is None:
            return scores, scores
        return scores, np.concatenate([scores, _nb_scores(self.nb_log_prob[:, columns] @ values)])

    def _probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        return self._judge(columns, values)[0]

    def _judge(self, columns: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, bool]:
        """Calibrated probabilities, and whether the best of them clears the threshold."""
        scores, inputs = self._scores(columns, values)
        probabilities = _softmax(inputs @ self.calibration_coef.T + self.calibration_intercept)
        best = float(probabilities.max())
        # Whatever the threshold, "sure" is never said of a choice the model itself gives
        # less than even odds: with many similar classes (a county's village committees)
        # the calibration runs low, and an operator shown "sure" beside 48% stops trusting it.
        if best < CONFIDENT_AT_LEAST:
            return probabilities, False
        if self.settings.confidence == "probability":
            return probabilities, best >= self.threshold
        margin = float(_margins(scores[None, :], probabilities[None, :])[0])
        return probabilities, margin >= self.margin_threshold

    def suggest(self, text: str, *, k: int = 3, explain: int = 5) -> Suggestion:
        """The `k` most likely categories of one text, whether the best is sure enough, and why.

        A text with no token the model knows is never confident, whatever the odds say.
        """
        columns, values = self.features.vector(self._normalise(text))
        probabilities, sure = self._judge(columns, values)
        ranked = np.argsort(-probabilities, kind="stable")[: max(1, k)]
        categories = [(self.classes[i], float(probabilities[i])) for i in ranked]
        confident = bool(len(columns)) and sure
        words = self._explain(columns, values, int(ranked[0]), explain) if explain else []
        return Suggestion(categories=categories, confident=confident, words=words)

    def _explain(self, columns: np.ndarray, values: np.ndarray, best: int, limit: int) -> list[str]:
        """The words whose features pushed the best category's score up the most."""
        words = [
            (block, offset)
            for block, offset in zip(self.features.blocks, self.features.offsets, strict=True)
            if isinstance(block, WordBlock)
        ]
        if not words:
            return []
        block, offset = words[0]
        inside = (columns >= offset) & (columns < offset + block.size)
        if not inside.any():
            return []
        mine = columns[inside]
        contribution = self.coef[best, mine] * values[inside]
        explained: list[str] = []
        for i in np.argsort(-contribution, kind="stable"):
            if contribution[i] <= 0 or len(explained) == limit:
                break
            term = block.term(int(mine[i] - offset))
            # A piece of a word means nothing to an operator; the whole word shows instead.
            if not textlib.is_subword(term):
                explained.append(term)
        return explained

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities of many texts (rows follow `texts`, columns `classes`)."""
        rows = np.empty((len(texts), len(self.classes)), dtype=np.float64)
        for row, text in enumerate(texts):
            rows[row] = self._probabilities(*self.features.vector(self._normalise(text)))
        return rows

    # -- persistence ----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> None:
        """Write the model to one `.npz` file (to a temporary name first, then renamed)."""
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "settings": asdict(self.settings),
            "classes": self.classes,
            "threshold": self.threshold,
            "confidence_curve": list(self.confidence_curve),
            # JSON has no infinity: a model that is never confident stores null.
            "margin_threshold": (
                self.margin_threshold if np.isfinite(self.margin_threshold) else None
            ),
            "blocks": [block.spec() for block in self.features.blocks],
            "info": self.info,
        }
        arrays = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            "coef": np.ascontiguousarray(self.coef),
            "intercept": self.intercept,
            "calibration_coef": self.calibration_coef,
            "calibration_intercept": self.calibration_intercept,
        }
        if self.nb_log_prob is not None:
            arrays["nb_log_prob"] = np.ascontiguousarray(self.nb_log_prob)
        for block in self.features.blocks:
            for key, array in block.state().items():
                arrays[f"{block.name}.{key}"] = array
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> CategoryModel:
        """Read a model written by `save`; refuse files of another format or version."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(data["meta"].tobytes().decode())
                if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                    raise ModelFileError(f"{path} is not a minsheng category model.")
                if meta.get("format_version") != FORMAT_VERSION:
                    raise ModelFileError(
                        f"{path} has model format {meta.get('format_version')}; "
                        f"this version of minsheng reads format {FORMAT_VERSION}."
                    )
                blocks = []
                for spec in meta["blocks"]:
                    block = block_from_spec(spec)
                    block.restore(
                        {key: data[f"{block.name}.{key}"] for key in ("vocabulary", "idf")}
                    )
                    blocks.append(block)
                features = Features(blocks)
                features.restore_offsets()
                model = cls(
                    settings=Settings(**meta["settings"]),
                    classes=meta["classes"],
                    features=features,
                    coef=data["coef"],
                    intercept=data["intercept"],
                    calibration_coef=data["calibration_coef"],
                    calibration_intercept=data["calibration_intercept"],
                    threshold=meta["threshold"],
                    info=meta["info"],
                    nb_log_prob=data["nb_log_prob"] if "nb_log_prob" in data.files else None,
                    confidence_curve=tuple(meta["confidence_curve"]),
                    margin_threshold=(
                        float("inf")
                        if meta["margin_threshold"] is None
                        else meta["margin_threshold"]
                    ),
                )
        except ModelFileError:
            raise
        except (OSError, KeyError, TypeError, ValueError) as error:
            raise ModelFileError(f"Cannot read the model file {path}: {error}") from error
        if model.coef.shape != (len(model.classes), features.size):
            raise ModelFileError(f"{path}: the weights do not match the vocabulary.")
        if model.settings.complement_nb != (model.nb_log_prob is not None) or (
            model.nb_log_prob is not None and model.nb_log_prob.shape != model.coef.shape
        ):
            raise ModelFileError(f"{path}: the naive Bayes weights are missing or do not match.")
        return model


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    settings: Settings | None = None,
    version=None,
) -> CategoryModel:
    """Train a category model from texts and their categories.

    Every category needs at least two examples (each must appear in the held-out folds that
    calibrate the model); `TrainingError` names those that have fewer.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    settings = settings or Settings()
    if settings.confidence not in ("margin", "probability"):
        raise TrainingError(f"Unknown confidence ranking {settings.confidence!r}.")
    if len(texts) != len(labels):
        raise TrainingError("There must be exactly one category per text.")
    labels = [str(label) for label in labels]
    counts = Counter(labels)
    if len(counts) < 2:
        raise TrainingError("At least two categories with examples are needed to train.")
    scarce = sorted(label for label, n in counts.items() if n < 2)
    if scarce:
        raise TrainingError(
            "Every category needs at least two examples; these have fewer: " + ", ".join(scarce)
        )

    started = datetime.now(UTC)
    clock, wall = time.process_time(), time.perf_counter()
    timings: dict[str, float] = {}
    wall_timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock, wall
        now, wall_now = time.process_time(), time.perf_counter()
        timings[name] = round(now - clock, 3)
        wall_timings[name] = round(wall_now - wall, 3)
        clock, wall = now, wall_now

    threads = settings.threads or _usable_cores()
    features = features_for(settings)
    # The vocabulary and idf are learnt once from all training texts, also for the held-out
    # folds below: refitting them per fold would multiply the cost and move the figures little.
    normalised = [textlib.normalise(t, drop_place_codes=settings.drop_place_codes) for t in texts]
    matrix = features.fit(normalised, min_df=settings.min_df, threads=threads)
    if features.size == 0:
        raise TrainingError("The training texts share too few words to learn from.")
    lap("features_s")
    classes = sorted(counts)
    index_of = {label: i for i, label in enumerate(classes)}
    target = np.array([index_of[label] for label in labels])

    def fit_nb(x, y: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        nb = ComplementNB(alpha=settings.nb_alpha)
        nb.fit(x, y)
        log_prob = np.zeros((len(classes), matrix.shape[1]), dtype=np.float32)
        # A class absent from these rows cannot happen with stratified folds; keep rows aligned.
        log_prob[nb.classes_] = nb.feature_log_prob_
        return log_prob

    # Out-of-fold scores: what the SVM says about cases it has not seen.
    folds = max(2, min(settings.folds, min(counts.values())))
    if len(labels) > settings.few_folds_above:
        # With this many cases three folds calibrate as well, and training stays within minutes.
        folds = min(folds, 3)
    if len(labels) > settings.fewest_folds_above:
        # Two halves still give tens of thousands of held-out predictions; on two cores the
        # two half-size fits then take as long as the final fit beside them.
        folds = 2
    splits = _folds_keeping_copies_together(normalised, target, folds, settings.random_state)
    held_out = np.zeros((len(labels), len(classes)), dtype=np.float64)
    held_out_nb = np.zeros((len(labels), len(classes)), dtype=np.float64)
    svm_options = (settings.svm_c, settings.svm_tol, settings.random_state, len(classes))

    # The SVM fits of the folds and the final fit are independent; with many cases they run
    # in other processes, two cores taking about half the time (the budget is two minutes).
    # Not threads: liblinear draws from one random generator shared by the whole process,
    # so fits in threads would give a slightly different model from run to run.
    workers = min(threads, folds + 1) if len(labels) >= settings.processes_from else 1
    nb_log_prob = None
    if settings.complement_nb:
        # The naive Bayes is quick and deterministic: fitted here, before the SVMs.
        for train_rows, test_rows in splits:
            fold_nb = fit_nb(matrix[train_rows], target[train_rows])
            held_out_nb[test_rows] = _nb_scores(matrix[test_rows] @ fold_nb.T)
        nb_log_prob = fit_nb(matrix, target)

    def fit_svms(fitter: ProcessPoolExecutor | _InProcess) -> tuple[np.ndarray, np.ndarray]:
        with fitter:
            final = fitter.submit(_fit_svm, matrix, target, *svm_options)
            fitted = [
                fitter.submit(_fit_svm, matrix[train_rows], target[train_rows], *svm_options)
                for train_rows, _test_rows in splits
            ]
            for (_train_rows, test_rows), done in zip(splits, fitted, strict=True):
                fold_coef, fold_intercept = done.result()
                held_out[test_rows] = matrix[test_rows] @ fold_coef.T + fold_intercept
            return final.result()

    try:
        coef, intercept = fit_svms(_svm_fitter(workers))
    except (OSError, NotImplementedError, BrokenProcessPool) as error:
        # No other process could be started or one died (a sandbox without semaphores, a
        # process killed for memory): the same fits, one after the other, here.
        logger.warning("training on one core: %s", error)
        coef, intercept = fit_svms(_InProcess())

    # CPU time of this process only: fits in other processes count in the wall time.
    lap("fits_s")
    inputs = np.hstack([held_out, held_out_nb]) if settings.complement_nb else held_out
    calibrator = LogisticRegression(C=1.0, max_iter=1000)
    calibrator.fit(inputs, target)
    calibration_coef, calibration_intercept = _full_calibration(calibrator, len(classes))
    calibrated = _softmax(inputs @ calibration_coef.T + calibration_intercept)
    predicted = calibrated.argmax(axis=1)
    correct = predicted == target
    curve, margin_threshold = (1.0, 0.0), float("inf")
    if settings.confidence == "probability":
        confidence = calibrated.max(axis=1)
    else:
        margins = _margins(held_out, calibrated)
        curve = _fit_curve(margins, correct)
        # m / (1 + m) ranks like the margin but lies in [0, 1), as choose_threshold expects;
        # the logistic curve could round large margins to a tie at 1.0.
        confidence = margins / (1.0 + margins)
    threshold = choose_threshold(
        confidence,
        correct,
        target=settings.target_precision,
        margin_z=settings.precision_margin_z,
    )
    confident = confidence >= threshold
    if settings.confidence == "margin":
        if confident.any():
            margin_threshold = float(margins[confident].min())
            threshold = float(_curve(curve, margin_threshold))
        # The margin is compared at prediction; ties at the cut must stay on the same side.
        confident = margins >= margin_threshold

    lap("calibration_s")
    info = {
        "version": version,
        "trained_at": started.isoformat(timespec="seconds"),
        "n_train": len(labels),
        "examples_per_category": dict(sorted(counts.items())),
        "features": features.size,
        "cpu_seconds": timings,  # of all threads together
        "wall_seconds": wall_timings,
        "threads": threads,
        "held_out": {
            "folds": folds,
            "accuracy": float(correct.mean()),
            "macro_f1": _macro_f1(target, predicted, len(classes)),
            "confident_coverage": float(confident.mean()),
            "confident_precision": float(correct[confident].mean()) if confident.any() else None,
        },
    }
    return CategoryModel(
        settings=settings,
        classes=classes,
        features=features,
        coef=coef,
        intercept=intercept,
        calibration_coef=calibration_coef,
        calibration_intercept=calibration_intercept,
        threshold=threshold,
        info=info,
        nb_log_prob=nb_log_prob,
        confidence_curve=curve,
        margin_threshold=margin_threshold,
    )


def _folds_keeping_copies_together(
    normalised: Sequence[str], target: np.ndarray, folds: int, random_state: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds in which cases of the same text (after normalising) share a fold.

    A copy in the training folds makes its twin in the held-out fold look easy: with
    pasted or templated texts (an operator's "市民来电反映…", a resident who reports twice)
    the held-out precision would be too high, the threshold too low, and cases would be
    dispatched without asking that should not be. Without copies the folds are those of a
    plain StratifiedKFold.
    """
    from sklearn.model_selection import StratifiedKFold

    group_of: dict[str, int] = {}
    groups = np.fromiter(
        (group_of.setdefault(text, len(group_of)) for text in normalised),
        dtype=np.int64,
        count=len(normalised),
    )
    first = np.unique(groups, return_index=True)[1]  # one case per text, in order
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    if len(first) < folds:  # too few different texts to keep copies apart
        return list(splitter.split(np.zeros(len(target)), target))
    fold_of_group = np.empty(len(first), dtype=np.int64)
    with warnings.catch_warnings():
        # A category whose cases all share one text has fewer texts than folds; it is
        # then held out in one fold only, which is what is wanted.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        for k, (_rest, held) in enumerate(splitter.split(np.zeros(len(first)), target[first])):
            fold_of_group[held] = k
    fold = fold_of_group[groups]
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(folds)]


def _fit_svm(
    x, y: np.ndarray, c: float, tol: float, random_state: int, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """One linear SVM's weights for every class (in another process: hence a module function)."""
    from sklearn.svm import LinearSVC

    present = np.unique(y)
    if len(present) == 1:
        # A fold whose other cases are all of one category (its copies held out together):
        # that category everywhere, as an SVM trained on it alone would say.
        intercept = np.full(n_classes, -1.0, dtype=np.float32)
        intercept[present[0]] = 1.0
        return np.zeros((n_classes, x.shape[1]), dtype=np.float32), intercept
    svm = LinearSVC(C=c, tol=tol, random_state=random_state)
    svm.fit(x, y)
    return _full_coef(svm, n_classes)


class _InProcess:
    """Runs what it is given at once, in this process (one core, or no other process)."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, function, *args) -> Future:  # type: ignore[no-untyped-def]
        done: Future = Future()
        done.set_result(function(*args))
        return done


def _svm_fitter(workers: int) -> ProcessPoolExecutor | _InProcess:
    if workers <= 1:
        return _InProcess()
    # "spawn": a fresh interpreter, safe whatever threads this one runs (the task worker's
    # scheduler, the server's request threads); a fork could copy a lock some thread holds.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _nb_scores(joint: np.ndarray) -> np.ndarray:
    """Complement naive Bayes log-likelihoods as log-probabilities (each row sums to one)."""
    joint = np.asarray(joint, dtype=np.float64)
    top = joint.max(axis=-1, keepdims=True)
    return joint - top - np.log(np.exp(joint - top).sum(axis=-1, keepdims=True))


def _margins(scores: np.ndarray, calibrated: np.ndarray) -> np.ndarray:
    """The SVM's best score less its second best; 0 where the calibrated best is another class.

    Disagreement between the SVM and the calibrated ensemble is itself a sign of doubt.
    """
    ordered = np.sort(scores, axis=1)
    margin = ordered[:, -1] - ordered[:, -2]
    return np.where(scores.argmax(axis=1) == calibrated.argmax(axis=1), margin, 0.0)


def _fit_curve(margins: np.ndarray, correct: np.ndarray) -> tuple[float, float]:
    """A logistic curve from margin to the chance of being right, fitted on held-out cases.

    Only a rising curve ranks like the margin; when the held-out cases show no such relation
    (or are all right or all wrong) the curve is flat at the observed precision.
    """
    from sklearn.linear_model import LogisticRegression

    if correct.all() or not correct.any():
        rate = float(correct.mean())
        return 0.0, float(np.log(max(rate, 1e-6) / max(1 - rate, 1e-6)))
    fitted = LogisticRegression(C=1.0, max_iter=1000).fit(margins[:, None], correct)
    slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
    if slope <= 0:
        rate = float(correct.mean())
        return 0.0, float(np.log(rate / (1 - rate)))
    return slope, intercept


def _curve(curve: tuple[float, float], margin):  # type: ignore[no-untyped-def]
    """The chance of being right at a margin (or an array of margins)."""
    slope, intercept = curve
    return 1.0 / (1.0 + np.exp(-(slope * np.asarray(margin, dtype=np.float64) + intercept)))


def _full_coef(svm, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The SVM's weights as one row per class, also for two classes (where sklearn keeps one)
    and for classes the SVM did not see (a fold without them: "not this class", -1)."""
    coef = np.asarray(svm.coef_, dtype=np.float32)
    intercept = np.asarray(svm.intercept_, dtype=np.float32)
    seen = np.asarray(svm.classes_)
    if len(seen) == 2 and coef.shape[0] == 1:
        coef = np.vstack([-coef, coef]) / 2
        intercept = np.concatenate([-intercept, intercept]) / 2
    if len(seen) == n_classes:
        return coef, intercept
    full_coef = np.zeros((n_classes, coef.shape[1]), dtype=np.float32)
    full_intercept = np.full(n_classes, -1.0, dtype=np.float32)
    full_coef[seen], full_intercept[seen] = coef, intercept
    return full_coef, full_intercept


def _full_calibration(calibrator, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The calibrator as a softmax over one row per class, also for two classes."""
    coef = np.asarray(calibrator.coef_, dtype=np.float64)
    intercept = np.asarray(calibrator.intercept_, dtype=np.float64)
    if n_classes == 2 and coef.shape[0] == 1:
        # Binary logistic regression: p(1) = sigmoid(w·x + b) = softmax([0, w·x + b])[1].
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return coef, intercept


def _macro_f1(target: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    scores = []
    for c in range(n_classes):
        tp = float(np.sum((predicted == c) & (target == c)))
        fp = float(np.sum((predicted == c) & (target != c)))
        fn = float(np.sum((predicted != c) & (target == c)))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))
