"""The active models, loaded once per process and reloaded when the active version changes.

Each lookup costs one indexed query for the active row's id and uid; the model's bytes
are read and parsed only when that uid differs from the one in memory, so a page that
suggests pays well under a millisecond after the first load.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from uuid import UUID

from minsheng.triage.model import CategoryModel, ModelFileError
from minsheng.triage.models import TriageModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveModel:
    pk: int
    uid: UUID
    version: int
    model: CategoryModel


_loaded: dict[str, ActiveModel] = {}
_unreadable: set[UUID] = set()
_lock = threading.Lock()


def active_models() -> dict[str, ActiveModel]:
    """Every kind's active model, by kind, for the price of one query."""
    rows = TriageModel.objects.filter(is_active=True).values_list("kind", "pk", "uid", "version")
    found = {}
    for kind, pk, uid, version in rows:
        loaded = _get(kind, pk, uid, version)
        if loaded is not None:
            found[kind] = loaded
    return found


def active_model(kind: str) -> ActiveModel | None:
    """The active model of this kind, or None (none trained yet, or its file is unreadable)."""
    row = (
        TriageModel.objects.filter(kind=kind, is_active=True)
        .values_list("pk", "uid", "version")
        .first()
    )
    if row is None:
        return None
    return _get(kind, *row)


def _get(kind: str, pk: int, uid: UUID, version: int) -> ActiveModel | None:
    current = _loaded.get(kind)
    if current is not None and current.uid == uid:
        return current
    with _lock:
        current = _loaded.get(kind)
        if current is not None and current.uid == uid:
            return current
        from minsheng.triage.training import load_bytes

        data = TriageModel.objects.filter(pk=pk).values_list("data", flat=True).first()
        if data is None or uid in _unreadable:
            return None
        try:
            model = load_bytes(data)
        except ModelFileError:
            # Logged once per process; suggestions use the keywords until a retraining.
            logger.exception("cannot read the active %s model v%s", kind, version)
            _unreadable.add(uid)
            return None
        loaded = ActiveModel(pk=pk, uid=uid, version=version, model=model)
        _loaded[kind] = loaded
        return loaded


def forget() -> None:
    """Drop the loaded models (tests; a process that wants to free the memory)."""
    with _lock:
        _loaded.clear()
        _unreadable.clear()
