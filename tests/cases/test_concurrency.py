"""Two staff acting on one case at once: one wins, the other is told, nothing is corrupted."""

import threading

import pytest
from django.db import connection, connections

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case, Event, Status


def test_second_of_two_stale_forms_is_refused(county, submit):
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    seen = case.version  # both staff members opened the case page at this version
    actions.accept_case(actor=county.handler, case=case.pk, expected_version=seen)
    with pytest.raises(CaseError):
        actions.escalate_case(
            actor=county.supervisor, case=case.pk, reason="督办", expected_version=seen
        )
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.escalation_count == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_actions_in_threads_leave_one_consistent_result():
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL; SQLite serialises writers anyway")
    from tests.factories import make_county

    county = make_county()
    case = actions.submit_case(
        actor=actions.RESIDENT,
        title="停水",
        description="三组停水",
        category=county.water,
        area=county.village,
    )
    case = actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    seen = case.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(fn, **kw):
        try:
            barrier.wait()
            fn(case=case.pk, expected_version=seen, **kw)
            outcomes.append("ok")
        except CaseError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(actions.accept_case,), kwargs={"actor": county.handler}),
        threading.Thread(
            target=act,
            args=(actions.return_case,),
            kwargs={"actor": county.handler, "reason": "误派"},
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["StaleCase", "ok"]
    case.refresh_from_db()
    assert case.status in (Status.ACCEPTED, Status.RETURNED)
    assert case.version == seen + 1
    assert Event.objects.filter(case=case).count() == 3  # submitted, dispatched, one winner
    assert Case.objects.count() == 1
