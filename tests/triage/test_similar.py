"""Similar past cases on the staff case page: how like problems were solved, by whom, how fast."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind
from minsheng.directory.models import AreaKind
from minsheng.triage.similar import similar_past_cases
from tests.factories import AreaFactory

PIPE = "柳树村村口的自来水管爆裂了，全村停水，请尽快派人抢修。"


def _staff(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _resolve(county, case: Case, resolution: str) -> Case:  # type: ignore[no-untyped-def]
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution=resolution)
    case.refresh_from_db()
    return case


def _took(case: Case, start: dt.datetime, end: dt.datetime) -> None:
    """Test setup only: the case was raised at ``start`` and resolved at ``end``."""
    Case.objects.filter(pk=case.pk).update(created_at=start)
    Event.objects.filter(case=case, kind=EventKind.RESOLVED).update(created_at=end)


def test_resolved_case_shows_how_who_and_how_many_working_days(county, submit):
    past = _resolve(
        county,
        submit(title="村口水管爆裂", description=PIPE, category=county.water),
        "村委会联系自来水公司更换了破裂的水管，当天恢复供水。",
    )
    tz = timezone.get_current_timezone()
    # Monday 3 March 2025 09:00 to Wednesday 5 March 09:00: two working days.
    _took(past, dt.datetime(2025, 3, 3, 9, tzinfo=tz), dt.datetime(2025, 3, 5, 9, tzinfo=tz))
    new = submit(
        title="又停水了", description="村口自来水管又爆裂了，停水。", category=county.water
    )

    found = similar_past_cases(new, user=county.operator)

    assert [p.case for p in found] == [past]
    assert found[0].resolution == "村委会联系自来水公司更换了破裂的水管，当天恢复供水。"
    assert found[0].unit == county.village_unit
    assert found[0].working_days == 2.0

    html = _staff(county.operator).get(reverse("staff:case", args=[new.pk])).content.decode()
    assert 'id="similar-past"' in html
    assert "更换了破裂的水管" in html
    assert "2.0 working days" in html
    assert county.village_unit.name in html
    assert reverse("staff:case", args=[past.pk]) in html


def test_working_days_leave_out_the_weekend(county, submit):
    past = _resolve(county, submit(description=PIPE), "已修复")
    tz = timezone.get_current_timezone()
    # Friday 7 March 2025 09:00 to Monday 10 March 09:00: one working day.
    _took(past, dt.datetime(2025, 3, 7, 9, tzinfo=tz), dt.datetime(2025, 3, 10, 9, tzinfo=tz))
    new = submit(description="村口自来水管爆裂，停水。")

    assert similar_past_cases(new, user=county.operator)[0].working_days == 1.0


def test_open_cases_and_cases_of_another_county_are_not_past_cases(county, submit):
    submit(title="村口水管爆裂", description=PIPE)  # still open
    other_county = AreaFactory(name="白河县", kind=AreaKind.COUNTY)
    other_village = AreaFactory(
        name="柳树村",
        kind=AreaKind.VILLAGE,
        parent=AreaFactory(name="白河镇", kind=AreaKind.TOWNSHIP, parent=other_county),
    )
    elsewhere = _resolve(county, submit(title="村口水管爆裂", description=PIPE), "已修复")
    Case.objects.filter(pk=elsewhere.pk).update(area=other_village, area_path=other_village.path)
    new = submit(title="水管爆裂", description="村口自来水管爆裂，停水。")

    assert similar_past_cases(new, user=county.admin) == []
    html = _staff(county.operator).get(reverse("staff:case", args=[new.pk])).content.decode()
    assert 'id="similar-past"' not in html


def test_same_category_comes_first_and_unrelated_cases_not_at_all(county, submit):
    roads = _resolve(county, submit(description=PIPE, category=county.roads), "道路积水已清")
    water = _resolve(county, submit(description=PIPE, category=county.water), "水管已更换")
    _resolve(county, submit(description="学校门口的路灯坏了，晚上很黑。"), "路灯已修")
    new = submit(description="村口自来水管爆裂，全村停水。", category=county.water)

    found = similar_past_cases(new, user=county.operator)

    assert [p.case for p in found] == [water, roads]


def test_other_townships_supervisor_sees_no_past_cases_out_of_scope(county, submit):
    _resolve(county, submit(description=PIPE), "水管已更换")
    new = submit(description="村口自来水管爆裂，全村停水。", area=county.other_village)

    assert similar_past_cases(new, user=county.other_supervisor) == []
    assert len(similar_past_cases(new, user=county.operator)) == 1


def test_phone_numbers_in_a_resolution_note_are_masked(county, submit):
    _resolve(county, submit(description=PIPE), "已联系住户13812345678，水管已更换")
    new = submit(description="村口自来水管爆裂，全村停水。")

    html = _staff(county.operator).get(reverse("staff:case", args=[new.pk])).content.decode()

    assert "水管已更换" in html
    assert "13812345678" not in html
