from minsheng.cases import actions
from minsheng.cases.models import Event, Status


def test_case_walks_from_submission_to_rated_close(county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="已安排维修")
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert list(Event.objects.filter(case=case).values_list("kind", flat=True)) == [
        "submitted",
        "dispatched",
        "accepted",
        "note",
        "resolved",
        "rated",
        "closed",
    ]
