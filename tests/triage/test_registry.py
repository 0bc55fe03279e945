"""The active model is read once per process and reloaded when the active version changes."""

from __future__ import annotations

import time

import pytest

from minsheng.triage import registry
from minsheng.triage.models import ModelKind, Trigger
from minsheng.triage.suggest import suggest
from minsheng.triage.training import activate_version, train_kind
from tests.triage.test_training_support import WATER_TEXT, history, small_thresholds  # noqa: F401

pytestmark = pytest.mark.django_db


def test_model_is_loaded_once_and_reloaded_after_a_rollback(
    county, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    history(county, per_category=1, seed=3)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    first = registry.active_model(ModelKind.CATEGORY)

    with django_assert_num_queries(1):  # only "which version is active?"
        again = registry.active_model(ModelKind.CATEGORY)
    assert again is first and first.version == 2

    activate_version(ModelKind.CATEGORY, 1, trigger=Trigger.COMMAND)
    assert registry.active_model(ModelKind.CATEGORY).version == 1


def test_no_active_model_means_none() -> None:
    assert registry.active_model(ModelKind.UNIT) is None


def test_predicting_takes_under_ten_milliseconds(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    train_kind(ModelKind.UNIT, trigger=Trigger.COMMAND)
    suggest(title="", description=WATER_TEXT, area=county.village)  # load once
    models = registry.active_models()

    timings = []
    for _ in range(30):
        for loaded in models.values():
            started = time.perf_counter()
            loaded.model.suggest(WATER_TEXT)
            timings.append(time.perf_counter() - started)

    assert sorted(timings)[len(timings) // 2] < 0.010


def test_unreadable_active_model_falls_back_to_keywords_until_retrained(county) -> None:
    from minsheng.triage.models import TriageModel
    from minsheng.triage.suggest import KEYWORDS, LEARNED

    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    # As after an upgrade that changed the model format.
    TriageModel.objects.update(data=b"not a model")
    registry.forget()

    assert suggest(title="", description=WATER_TEXT, area=None).mode == KEYWORDS
    outcome = train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)  # same cases
    assert outcome.activated and outcome.model.version == 2
    assert suggest(title="", description=WATER_TEXT, area=None).mode == LEARNED
