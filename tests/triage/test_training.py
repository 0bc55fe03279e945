"""Training from the installation's own cases: examples, versions, activation, rollback."""

from __future__ import annotations

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.triage import registry, training
from minsheng.triage.models import (
    ChangeAction,
    ModelChange,
    ModelKind,
    ModelState,
    TriageModel,
    Trigger,
)
from minsheng.triage.tasks import retrain_task
from minsheng.triage.training import (
    RollbackError,
    activate_version,
    train_kind,
    training_examples,
)
from tests.triage.test_training_support import history, small_thresholds  # noqa: F401

pytestmark = pytest.mark.django_db


def test_category_examples_are_dispatched_cases_with_their_category(county, submit) -> None:
    dispatched = submit(title="停水", description="自来水停了", category=county.water)
    actions.dispatch_case(actor=county.operator, case=dispatched, unit=county.county_unit)
    submit(title="路灯坏了", description="还没派单")  # waiting: not an example yet

    examples = training_examples(ModelKind.CATEGORY)

    assert [(e.case_id, e.label) for e in examples] == [(dispatched.pk, "water")]
    assert "自来水停了" in examples[0].text


def test_unit_that_returned_a_case_is_never_its_label(county, submit) -> None:
    misrouted = submit()
    actions.dispatch_case(actor=county.operator, case=misrouted, unit=county.other_village_unit)
    actions.return_case(actor=county.other_handler, case=misrouted, reason="不归我们管")
    actions.dispatch_case(actor=county.operator, case=misrouted, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=misrouted)
    only_returned = submit()
    actions.dispatch_case(actor=county.operator, case=only_returned, unit=county.village_unit)
    actions.return_case(actor=county.handler, case=only_returned, reason="不是村里的事")

    labels = {e.case_id: e.label for e in training_examples(ModelKind.UNIT)}

    assert labels[misrouted.pk] == county.village_unit.code
    assert only_returned.pk not in labels


def test_too_little_history_trains_nothing_and_says_why(county) -> None:
    history(county, per_category=2)

    outcome = train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)

    assert outcome.model is None and not TriageModel.objects.exists()
    change = ModelChange.objects.get()
    assert change.action == ChangeAction.SKIPPED and "6" in change.note


def test_first_version_is_activated_with_held_out_figures(county) -> None:
    history(county)

    outcome = train_kind(ModelKind.CATEGORY, actor=county.admin, trigger=Trigger.PAGE)

    row = TriageModel.objects.get()
    assert outcome.activated and row.is_active and row.state == ModelState.ACTIVE
    assert row.version == 1 and row.trained_by == county.admin
    assert row.n_held_out > 0 and row.accuracy is not None and row.macro_f1 is not None
    assert set(row.examples) == {"roads", "water"}
    assert sum(row.examples.values()) == row.n_train and row.n_train + row.n_held_out == 24
    assert registry.active_model(ModelKind.CATEGORY).version == 1


def test_a_worse_version_is_kept_but_not_activated(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    # Later operators filed every new training case under the wrong category; the
    # held-out cases keep their true categories.
    new = history(county, per_category=30, seed=7)
    for case in new:
        if case.pk % 5:
            wrong = county.roads if case.category == county.water else county.water
            Case.objects.filter(pk=case.pk).update(category=wrong)

    outcome = train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)

    assert outcome.model.version == 2 and not outcome.activated
    assert outcome.figures["macro_f1"] < outcome.active_figures["macro_f1"]
    v1, v2 = TriageModel.objects.order_by("version")
    assert v1.is_active and v2.state == ModelState.KEPT
    assert ModelChange.objects.filter(model=v2, action=ChangeAction.KEPT).exists()


def test_nothing_new_since_the_last_version_trains_nothing(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)

    outcome = train_kind(ModelKind.CATEGORY, trigger=Trigger.SCHEDULE)

    assert outcome.model is None and "since v1" in outcome.reason
    assert TriageModel.objects.count() == 1
    assert ModelChange.objects.filter(action=ChangeAction.SKIPPED).count() == 1


def test_rollback_reactivates_an_earlier_version_and_is_recorded(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    history(county, per_category=1, seed=3)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    assert registry.active_model(ModelKind.CATEGORY).version == 2

    activate_version(ModelKind.CATEGORY, 1, actor=county.admin, trigger=Trigger.PAGE)

    v1, v2 = TriageModel.objects.order_by("version")
    assert v1.is_active and not v2.is_active and v2.state == ModelState.RETIRED
    assert registry.active_model(ModelKind.CATEGORY).version == 1
    change = ModelChange.objects.filter(action=ChangeAction.ROLLED_BACK).get()
    assert change.actor == county.admin and change.model == v1
    with pytest.raises(RollbackError):
        activate_version(ModelKind.CATEGORY, 9, trigger=Trigger.COMMAND)


def test_retraining_task_trains_and_activates_both_models(
    county, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    history(county)

    with django_capture_on_commit_callbacks(execute=True):
        result = retrain_task.enqueue(None, county.admin.pk, Trigger.PAGE)

    active = TriageModel.objects.filter(is_active=True).order_by("kind")
    assert [(m.kind, m.version) for m in active] == [("category", 1), ("unit", 1)]
    assert "category: v1 activated" in result.return_value


def test_triage_command_trains_lists_and_rolls_back(county) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    history(county)
    out = StringIO()
    call_command("triage", "train", "--kind", "category", stdout=out)
    history(county, per_category=1, seed=3)
    call_command("triage", "train", "--kind", "category", stdout=out)
    call_command("triage", "rollback", "category", "1", stdout=out)
    call_command("triage", "models", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("category: v1 activated; held-out n=")
    assert "category v1 is active" in lines
    assert any(line.startswith("category v2 retired") for line in lines)
    assert any(line.startswith("category v1 active") for line in lines)
    with pytest.raises(CommandError):
        call_command("triage", "rollback", "category", "1")


def test_worker_schedules_one_retraining_per_interval(settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from minsheng.triage.tasks import enqueue_retraining_if_due

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MINSHENG_TRIAGE_RETRAIN_HOURS = 24
    first = enqueue_retraining_if_due()
    assert first is not None
    DBTaskResult.objects.filter(pk=first).update(status="SUCCESSFUL")

    assert enqueue_retraining_if_due(now=timezone.now() + dt.timedelta(hours=23)) is None
    assert enqueue_retraining_if_due(now=timezone.now() + dt.timedelta(hours=25)) is not None
    settings.MINSHENG_TRIAGE_RETRAIN_HOURS = 0
    assert enqueue_retraining_if_due(now=timezone.now() + dt.timedelta(days=9)) is None


def test_page_counts_match_the_training_examples(county) -> None:
    from minsheng.triage.training import readiness

    history(county, per_category=7)

    for kind in ModelKind.values:
        assert readiness(kind=kind).counts == readiness(training_examples(kind)).counts
    assert readiness(kind=ModelKind.UNIT).counts.keys() == {
        county.county_unit.code,
        county.village_unit.code,
    }


def test_models_learn_from_the_newest_cases_only(county, settings) -> None:  # type: ignore[no-untyped-def]
    # A region's whole history would not fit in memory; today's routing is what matters.
    made = history(county, per_category=6)
    settings.MINSHENG_TRIAGE_MAX_EXAMPLES = 8
    newest = sorted(c.pk for c in made)[-8:]

    assert [e.case_id for e in training_examples(ModelKind.CATEGORY)] == newest
    assert [e.case_id for e in training_examples(ModelKind.UNIT)] == newest
    kept = [pk for pk in newest if pk % training.HOLD_OUT_EVERY]
    assert sum(training.label_counts(ModelKind.CATEGORY).values()) == len(kept)
    assert sum(training.label_counts(ModelKind.UNIT).values()) == len(kept)
