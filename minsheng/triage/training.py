"""Training the installation's own models from its cases: examples, versions, activation.

- The category model learns the category of every case that was dispatched.
- The unit model learns which unit really took the case on: the first unit that accepted
  or resolved it, never a unit that returned it as mis-routed. Its text starts with the
  case's area, since the same problem goes to a different village committee elsewhere.

One case in five (by id, so the same cases every time) is held out of every training;
each new version is measured on those cases beside the active version, and only becomes
active if it is not worse. Rows are never deleted, so rolling back re-activates an earlier
version. Every step is written to `ModelChange`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet

from minsheng.cases.models import Case, EventKind
from minsheng.directory.models import Area
from minsheng.triage import model as category_model
from minsheng.triage.models import ChangeAction, ModelChange, ModelKind, ModelState, TriageModel

logger = logging.getLogger(__name__)

HOLD_OUT_EVERY = 5  # case ids divisible by this are the held-out slice
# A new version may trail the active one by this much macro-F1 (noise on a small slice)
# and still count as "not worse".
NOT_WORSE_TOLERANCE = 0.005


@dataclass(frozen=True)
class Example:
    case_id: int
    text: str
    label: str

    @property
    def held_out(self) -> bool:
        return self.case_id % HOLD_OUT_EVERY == 0


def case_text(title: str, description: str) -> str:
    return f"{title}\n{description}".strip()


def unit_text(area_name: str, title: str, description: str) -> str:
    return f"{area_name}\n{case_text(title, description)}".strip()


def area_name(area: Area) -> str:
    """The area's name with its ancestors', as `area_names` gives it."""
    return " ".join(a.name for a in area.ancestors())


def area_names() -> dict[int, str]:
    """Each area's name with its ancestors' ("东湖镇 柳树村"), by id, in one query."""
    rows = {pk: (name, path) for pk, name, path in Area.objects.values_list("pk", "name", "path")}
    names = {}
    for pk, (_name, path) in rows.items():
        chain = [int(p) for p in path.strip("/").split("/") if p]
        names[pk] = " ".join(rows[a][0] for a in chain if a in rows)
    return names


def max_examples() -> int:
    return int(getattr(settings, "MINSHENG_TRIAGE_MAX_EXAMPLES", 100_000))


def _oldest_kept() -> int:
    """The id of the oldest of the newest MINSHENG_TRIAGE_MAX_EXAMPLES dispatched cases
    (0 while there are fewer): the models learn from that case on.

    A region dispatches millions of cases a year: training on all of them would need tens
    of gigabytes and hours, and old routing (units merged, areas redrawn) would outvote the
    new. The newest cases are what today's suggestions should follow.
    """
    cap = max_examples()
    dispatched = Case.objects.filter(dispatched_at__isnull=False).order_by("-pk")
    return next(iter(dispatched.values_list("pk", flat=True)[cap - 1 : cap]), 0)


def _newest_dispatched(oldest_kept: int) -> QuerySet[Case]:
    return Case.objects.filter(dispatched_at__isnull=False, pk__gte=oldest_kept)


def training_examples(kind: str) -> list[Example]:
    """The installation's labelled cases for one model kind (the newest
    ``max_examples()`` dispatched cases at most), oldest first."""
    if kind == ModelKind.CATEGORY:
        rows = (
            _newest_dispatched(_oldest_kept())
            .order_by("pk")
            .values_list("pk", "title", "description", "category__code")
        )
        return [Example(pk, case_text(t, d), code) for pk, t, d, code in rows.iterator()]
    if kind == ModelKind.UNIT:
        return _unit_examples()
    raise ValueError(f"unknown model kind {kind!r}")


def unit_labels(*, from_case: int = 0) -> dict[int, str]:
    """The unit code each case (from case id ``from_case`` on) belongs to, by case id: the
    first unit that accepted or resolved it and did not return it."""
    from minsheng.cases.models import Event

    handled: dict[int, list[str]] = defaultdict(list)
    returned: dict[int, set[str]] = defaultdict(set)
    events = (
        Event.objects.filter(
            kind__in=[EventKind.ACCEPTED, EventKind.RESOLVED, EventKind.RETURNED],
            unit__isnull=False,
            case_id__gte=from_case,
        )
        .order_by("case_id", "created_at", "pk")
        .values_list("case_id", "kind", "unit__code")
    )
    for case_id, kind, unit_code in events.iterator():
        if kind == EventKind.RETURNED:
            returned[case_id].add(unit_code)
        else:
            handled[case_id].append(unit_code)
    labels = {}
    for case_id, units in handled.items():
        # A unit that sent the case back is not where it belongs, even if it had taken it
        # on before (a reopened case it then returned).
        keep = [u for u in units if u not in returned[case_id]]
        if keep:
            labels[case_id] = keep[0]
    return labels


def _unit_examples() -> list[Example]:
    oldest_kept = _oldest_kept()
    labels = unit_labels(from_case=oldest_kept)
    names = area_names()
    # Every dispatched case is read and filtered here rather than with `pk IN (…)`, which
    # would pass one parameter per case (SQLite allows some tens of thousands at most).
    rows = (
        _newest_dispatched(oldest_kept)
        .order_by("pk")
        .values_list("pk", "area_id", "title", "description")
    )
    return [
        Example(pk, unit_text(names.get(area_id, ""), t, d), labels[pk])
        for pk, area_id, t, d in rows.iterator()
        if pk in labels
    ]


def label_counts(kind: str) -> dict[str, int]:
    """Training cases per label (held-out cases left out), without reading any text."""
    oldest_kept = _oldest_kept()
    if kind == ModelKind.CATEGORY:
        pairs = _newest_dispatched(oldest_kept).values_list("pk", "category__code")
        return dict(Counter(code for pk, code in pairs.iterator() if pk % HOLD_OUT_EVERY))
    labels = unit_labels(from_case=oldest_kept)
    return dict(Counter(code for pk, code in labels.items() if pk % HOLD_OUT_EVERY))


def _readable(row: TriageModel) -> bool:
    try:
        load_bytes(row.data)
    except category_model.ModelFileError:
        return False
    return True


def examples_digest(examples: Sequence[Example]) -> str:
    """A fingerprint of which cases carry which label (the texts are not edited later)."""
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.case_id):
        digest.update(f"{e.case_id}:{e.label}\n".encode())
    return digest.hexdigest()


# --- readiness --------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """Whether there are enough examples to learn, and why not."""

    counts: dict[str, int]
    min_examples: int
    min_labels: int

    @property
    def ready_labels(self) -> list[str]:
        return sorted(label for label, n in self.counts.items() if n >= self.min_examples)

    @property
    def is_ready(self) -> bool:
        return len(self.ready_labels) >= self.min_labels


def readiness(examples: Sequence[Example] | None = None, *, kind: str = "") -> Readiness:
    """Readiness of these examples, or (without them) of the kind's cases as they are now."""
    if examples is None:
        counts = label_counts(kind)
    else:
        counts = dict(Counter(e.label for e in examples if not e.held_out))
    return Readiness(
        counts=counts,
        min_examples=settings.MINSHENG_TRIAGE_MIN_EXAMPLES,
        min_labels=settings.MINSHENG_TRIAGE_MIN_LABELS,
    )


# --- measuring --------------------------------------------------------------------------


def measure(model: category_model.CategoryModel, examples: Sequence[Example]) -> dict:
    """Accuracy, macro-F1 and the confident share and its precision on labelled examples."""
    if not examples:
        return {
            "accuracy": None,
            "macro_f1": None,
            "confident_coverage": None,
            "confident_precision": None,
            "n": 0,
        }
    truth = [e.label for e in examples]
    predicted, confident = [], []
    for e in examples:
        s = model.suggest(e.text, k=1, explain=0)
        predicted.append(s.categories[0][0])
        confident.append(s.confident)
    right = [p == t for p, t in zip(predicted, truth, strict=True)]
    sure = [r for r, c in zip(right, confident, strict=True) if c]
    f1s = []
    for label in sorted(set(truth) | set(predicted)):
        tp = sum(1 for p, t in zip(predicted, truth, strict=True) if p == t == label)
        fp = sum(1 for p, t in zip(predicted, truth, strict=True) if p == label != t)
        fn = sum(1 for p, t in zip(predicted, truth, strict=True) if t == label != p)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return {
        "accuracy": sum(right) / len(right),
        "macro_f1": sum(f1s) / len(f1s),
        "confident_coverage": len(sure) / len(right),
        "confident_precision": (sum(sure) / len(sure)) if sure else None,
        "n": len(right),
    }


def not_worse(candidate: dict, active: dict) -> bool:
    """The new version may replace the active one: macro-F1 (then accuracy) not lower."""
    if active.get("macro_f1") is None:
        return True
    if candidate.get("macro_f1") is None:
        return False
    return (
        candidate["macro_f1"] >= active["macro_f1"] - NOT_WORSE_TOLERANCE
        and candidate["accuracy"] >= active["accuracy"] - NOT_WORSE_TOLERANCE
    )


# --- storing ----------------------------------------------------------------------------


def model_bytes(model: category_model.CategoryModel) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        model.save(path)
        return path.read_bytes()


def load_bytes(data: bytes | memoryview) -> category_model.CategoryModel:
    return category_model.CategoryModel.load(io.BytesIO(bytes(data)))


@dataclass
class TrainOutcome:
    kind: str
    model: TriageModel | None = None
    activated: bool = False
    reason: str = ""
    figures: dict = field(default_factory=dict)
    active_figures: dict = field(default_factory=dict)


def train_kind(kind: str, *, actor=None, trigger: str) -> TrainOutcome:  # type: ignore[no-untyped-def]
    """Train a new version of one model from the cases, store it, activate it if not worse.

    Never raises for lack of data: that outcome is recorded and returned with its reason.
    """
    examples = training_examples(kind)
    ready = readiness(examples)
    if not ready.is_ready:
        reason = (
            f"{len(ready.ready_labels)} of the needed {ready.min_labels} labels have at least "
            f"{ready.min_examples} training cases ({len(examples)} labelled cases in all)."
        )
        ModelChange.objects.create(
            kind=kind,
            action=ChangeAction.SKIPPED,
            actor=actor,
            trigger=trigger,
            note=reason,
            data={
                "counts": ready.counts,
                "ready": len(ready.ready_labels),
                "needed": ready.min_labels,
                "min_examples": ready.min_examples,
            },
        )
        return TrainOutcome(kind=kind, reason=reason)

    digest = examples_digest(examples)
    latest = TriageModel.objects.filter(kind=kind).order_by("-version").first()
    # An unreadable latest version (a newer minsheng changed the format) must be retrained.
    if latest is not None and latest.examples_digest == digest and _readable(latest):
        reason = f"No new or changed cases since v{latest.version}."
        ModelChange.objects.create(
            kind=kind,
            action=ChangeAction.SKIPPED,
            actor=actor,
            trigger=trigger,
            note=reason,
            data={"unchanged_since": latest.version},
        )
        return TrainOutcome(kind=kind, reason=reason)

    training = [e for e in examples if not e.held_out]
    counts = Counter(e.label for e in training)
    # The model needs two examples of a label to calibrate it; rarer ones wait for more.
    training = [e for e in training if counts[e.label] >= 2]
    held_out = [e for e in examples if e.held_out]
    started = time.monotonic()
    try:
        trained = category_model.train(
            [e.text for e in training],
            [e.label for e in training],
            settings=category_model.Settings(
                target_precision=settings.MINSHENG_TRIAGE_TARGET_PRECISION
            ),
        )
    except category_model.TrainingError as error:
        ModelChange.objects.create(
            kind=kind, action=ChangeAction.FAILED, actor=actor, trigger=trigger, note=str(error)
        )
        return TrainOutcome(kind=kind, reason=str(error))
    seconds = time.monotonic() - started
    figures = measure(trained, held_out)
    payload = model_bytes(trained)

    for _attempt in range(3):
        # Measured outside the transaction: on SQLite it holds the write lock for every case.
        active = TriageModel.objects.filter(kind=kind, is_active=True).first()
        active_figures = _measure_row(active, held_out)
        try:
            return _store(
                kind,
                trained,
                payload,
                figures,
                training,
                seconds,
                actor=actor,
                trigger=trigger,
                digest=digest,
                active=active,
                active_figures=active_figures,
            )
        except (IntegrityError, _ActiveChanged):
            # Another training or a rollback got there first: measure against the new state.
            continue
    raise RuntimeError("could not store the trained model")


class _ActiveChanged(Exception):
    pass


def _measure_row(row: TriageModel | None, held_out: Sequence[Example]) -> dict:
    if row is None:
        return {}
    try:
        return measure(load_bytes(row.data), held_out)
    except category_model.ModelFileError:
        logger.exception("the active %s model cannot be read; replacing it", row.kind)
        return {}


@transaction.atomic
def _store(  # type: ignore[no-untyped-def]
    kind,
    trained,
    payload,
    figures,
    training,
    seconds,
    *,
    actor,
    trigger,
    digest,
    active,
    active_figures,
):
    locked = TriageModel.objects.select_for_update().filter(kind=kind, is_active=True).first()
    if (locked.pk if locked else None) != (active.pk if active else None):
        raise _ActiveChanged
    activate = active is None or not_worse(figures, active_figures)
    version = (TriageModel.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
    row = TriageModel.objects.create(
        kind=kind,
        version=version,
        trained_by=actor,
        trigger=trigger,
        examples=dict(sorted(Counter(e.label for e in training).items())),
        n_train=len(training),
        n_held_out=figures["n"],
        accuracy=figures["accuracy"],
        macro_f1=figures["macro_f1"],
        confident_coverage=figures["confident_coverage"],
        confident_precision=figures["confident_precision"],
        threshold=trained.threshold,
        examples_digest=digest,
        train_seconds=round(seconds, 2),
        data=payload,
        is_active=False,
        state=ModelState.KEPT,
    )
    ModelChange.objects.create(
        kind=kind,
        model=row,
        action=ChangeAction.TRAINED,
        actor=actor,
        trigger=trigger,
        data={
            "held_out": figures,
            "active_held_out": active_figures,
            "active_version": active.version if active else None,
        },
    )
    if activate:
        _make_active(row, actor=actor, trigger=trigger, action=ChangeAction.ACTIVATED)
    else:
        ModelChange.objects.create(
            kind=kind,
            model=row,
            action=ChangeAction.KEPT,
            actor=actor,
            trigger=trigger,
            note=f"v{active.version} stays active",
            data={"active_held_out": active_figures},
        )
    return TrainOutcome(
        kind=kind, model=row, activated=activate, figures=figures, active_figures=active_figures
    )


def _make_active(row: TriageModel, *, actor, trigger: str, action: str, note: str = "") -> None:  # type: ignore[no-untyped-def]
    TriageModel.objects.filter(kind=row.kind, is_active=True).exclude(pk=row.pk).update(
        is_active=False, state=ModelState.RETIRED
    )
    TriageModel.objects.filter(pk=row.pk).update(is_active=True, state=ModelState.ACTIVE)
    row.is_active, row.state = True, ModelState.ACTIVE
    ModelChange.objects.create(
        kind=row.kind, model=row, action=action, actor=actor, trigger=trigger, note=note
    )


class RollbackError(ValueError):
    """No such version, or it is already active."""


@transaction.atomic
def activate_version(kind: str, version: int, *, actor=None, trigger: str) -> TriageModel:  # type: ignore[no-untyped-def]
    """Make an earlier (or a kept) version the active one; the current one is retired."""
    row = TriageModel.objects.select_for_update().filter(kind=kind, version=version).first()
    if row is None:
        raise RollbackError(f"There is no {kind} model version {version}.")
    if row.is_active:
        raise RollbackError(f"{kind} model version {version} is already active.")
    load_bytes(row.data)  # refuse a version this code can no longer read
    previous = TriageModel.objects.filter(kind=kind, is_active=True).first()
    _make_active(
        row,
        actor=actor,
        trigger=trigger,
        action=ChangeAction.ROLLED_BACK,
        note=f"instead of v{previous.version}" if previous else "",
    )
    return row


def train_all(
    *, kinds: Sequence[str] | None = None, actor=None, trigger: str
) -> list[TrainOutcome]:  # type: ignore[no-untyped-def]
    return [train_kind(k, actor=actor, trigger=trigger) for k in (kinds or ModelKind.values)]
