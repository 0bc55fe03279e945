"""Possible duplicates: open cases nearby that describe the same problem, and merging them.

Through the functions the case page calls (``find_duplicates``) for the ranking rules, and
through the staff case page and the resident's tracking page for what people see.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, EventKind, Status
from minsheng.directory.models import AreaKind
from minsheng.triage import similarity
from minsheng.triage.duplicates import SAME_AREA, SAME_TOWNSHIP, find_duplicates
from tests.factories import AreaFactory

BURST_PIPE = "柳树村村口的自来水管爆裂了，水流满路面，全村已经停水两天，请尽快派人抢修。"


def _staff(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def pipe(county, submit) -> Case:  # type: ignore[no-untyped-def]
    """The first report of a burst pipe in the test village, already dispatched."""
    case = submit(title="村口自来水管爆裂停水", description=BURST_PIPE, category=county.water)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    return case


def test_re_report_of_the_same_burst_pipe_is_suggested_first(county, submit, pipe):
    # Other open cases in the same township: another water problem, a road, a school.
    submit(
        title="水费收费标准不清楚",
        description="东湖镇自来水公司今年调整了水费，收费标准没有公示，请说明。",
        category=county.water,
    )
    submit(title="路灯不亮", description="柳树村小学门口的路灯坏了一个月，晚上很黑。")
    submit(title="校车太挤", description="柳树村到镇中学的校车每天超载，孩子站着上学。")
    re_report = submit(
        title="水管爆了",
        description="村口水管爆裂，路上全是水，我们家也停水了。",
        category=county.water,
    )

    matches = find_duplicates(re_report, user=county.operator)

    assert matches[0].case == pipe
    assert matches[0].closeness == SAME_AREA
    assert matches[0].same_category
    assert {"爆裂", "村口"} <= set(matches[0].shared_words)


def test_re_report_from_a_sibling_village_of_the_township_is_found(county, submit, pipe):
    neighbour = AreaFactory(name="桃园村", kind=AreaKind.VILLAGE, parent=county.township)
    re_report = submit(
        title="柳树村村口水管爆裂",
        description="路过柳树村村口，自来水管爆裂，停水了。",
        area=neighbour,
    )

    matches = find_duplicates(re_report, user=county.operator)

    assert [m.case for m in matches] == [pipe]
    assert matches[0].closeness == SAME_TOWNSHIP


def test_an_unrelated_case_in_the_same_village_is_not_suggested(county, submit, pipe):
    unrelated = submit(
        title="垃圾没人清运", description="村委会旁边的垃圾池满了，一周没人清运，很臭。"
    )

    assert find_duplicates(unrelated, user=county.operator) == []


def test_a_similar_case_in_another_county_is_not_suggested(county, submit, pipe):
    other_county = AreaFactory(name="白河县", kind=AreaKind.COUNTY)
    other_township = AreaFactory(name="白河镇", kind=AreaKind.TOWNSHIP, parent=other_county)
    other_village = AreaFactory(name="柳树村", kind=AreaKind.VILLAGE, parent=other_township)
    elsewhere = submit(title="村口自来水管爆裂停水", description=BURST_PIPE, area=other_village)

    assert find_duplicates(elsewhere) == []


def test_a_similar_case_in_the_other_township_is_not_suggested(county, submit, pipe):
    elsewhere = submit(
        title="村口自来水管爆裂停水", description=BURST_PIPE, area=county.other_village
    )

    assert find_duplicates(elsewhere, user=county.operator) == []


@pytest.mark.parametrize("end", ["close", "merge", "decline", "withdraw"])
def test_ended_cases_are_not_duplicates(county, submit, pipe, end):
    if end == "close":
        actions.accept_case(actor=county.handler, case=pipe)
        actions.resolve_case(actor=county.handler, case=pipe, resolution="已抢修")
        actions.rate_case(actor=actions.RESIDENT, case=pipe, rating=5, is_solved=True)
    elif end == "merge":
        actions.merge_case(actor=county.operator, case=pipe, into=submit(title="别的事"))
    elif end == "decline":
        actions.return_case(actor=county.handler, case=pipe, reason="不归村里管")
        actions.decline_case(actor=county.operator, case=pipe, reason="重复")
    else:
        actions.withdraw_case(actor=actions.RESIDENT, case=pipe)
    re_report = submit(title="村口水管爆裂", description="村口水管爆裂停水两天了。")

    assert pipe not in [m.case for m in find_duplicates(re_report, user=county.operator)]


def test_a_case_outside_the_day_window_is_not_suggested(county, submit, pipe, settings):
    re_report = submit(title="村口水管爆裂", description="村口水管爆裂停水两天了。")
    # Test setup only: the first report was raised six weeks earlier.
    Case.objects.filter(pk=pipe.pk).update(created_at=re_report.created_at - dt.timedelta(days=42))

    assert find_duplicates(re_report, user=county.operator) == []
    settings.MINSHENG_DUPLICATE_WINDOW_DAYS = 60
    assert [m.case for m in find_duplicates(re_report, user=county.operator)] == [pipe]


def test_cases_the_user_may_not_see_are_not_suggested(county, submit, pipe):
    re_report = submit(title="村口水管爆裂", description="村口水管爆裂停水两天了。")
    # The other township's supervisor sees neither case.
    assert find_duplicates(re_report, user=county.other_supervisor) == []
    assert [m.case for m in find_duplicates(re_report, user=county.supervisor)] == [pipe]


def test_prose_and_word_segmented_text_read_alike():
    prose = similarity.prepare("村口水管爆裂", "村口的自来水管爆裂了，全村停水。")
    segmented = similarity.prepare("", "村口 自来水管 爆裂 全村 停水")
    other = similarity.prepare("路灯不亮", "学校门口的路灯坏了。")
    scores = similarity.similarities(prose, [segmented, other])
    assert scores[0] > 0.5 > 0.1 > scores[1]


def test_uyghur_and_english_texts_are_compared_by_their_words():
    query = similarity.prepare("Su turubisi yerildi", "Kent aldidiki su turubisi yerildi")
    same = similarity.prepare("su turubisi yerildi", "su yoq, turubisi yerildi")
    other = similarity.prepare("Street light broken", "The street light near the school is out")
    scores = similarity.similarities(query, [same, other])
    assert scores[0] > 0.5 > scores[1]


# --- on the staff case page --------------------------------------------------------------


def test_case_page_of_a_case_awaiting_dispatch_offers_the_merge(county, submit, pipe):
    re_report = submit(title="水管爆了", description="村口水管爆裂，我们家也停水了。")

    html = _staff(county.operator).get(reverse("staff:case", args=[re_report.pk])).content.decode()

    assert 'id="duplicates"' in html
    assert pipe.tracking_code in html
    assert f'name="into" value="{pipe.tracking_code}"' in html
    assert reverse("staff:act", args=[re_report.pk, "merge"]) in html


def test_case_page_says_when_nothing_looks_alike(county, submit, pipe):
    unrelated = submit(title="垃圾没人清运", description="垃圾池满了，一周没人清运。")

    html = _staff(county.operator).get(reverse("staff:case", args=[unrelated.pk])).content.decode()

    assert "No open case in the same township" in html
    assert 'type="hidden" name="into"' not in html


def test_handler_is_not_shown_cases_outside_their_unit(county, submit, pipe):
    # The village handler holds the first report; the re-report waits for dispatch and is
    # not theirs to see, so their case page suggests nothing (and shows no empty panel).
    submit(title="水管爆了", description="村口水管爆裂，我们家也停水了。")
    actions.accept_case(actor=county.handler, case=pipe)
    html = _staff(county.handler).get(reverse("staff:case", args=[pipe.pk])).content.decode()
    assert 'id="duplicates"' not in html
    # The operator, who sees both, is shown the re-report on the same page.
    html = _staff(county.operator).get(reverse("staff:case", args=[pipe.pk])).content.decode()
    assert 'id="duplicates"' in html


def test_merge_from_the_suggestion_and_the_resident_follows_the_survivor(county, submit, pipe):
    re_report = submit(title="水管爆了", description="村口水管爆裂，我们家也停水了。")
    actions.accept_case(actor=county.handler, case=pipe)
    actions.add_note(actor=county.handler, case=pipe, note="抢修队已到现场")
    staff = _staff(county.operator)

    response = staff.post(
        reverse("staff:act", args=[re_report.pk, "merge"]),
        {"into": pipe.tracking_code, "expected_version": re_report.version},
    )

    assert response.status_code == 302
    re_report.refresh_from_db()
    assert re_report.status == Status.MERGED
    assert re_report.merged_into == pipe
    assert re_report.events.filter(kind=EventKind.MERGED).count() == 1
    for language, sentence in [
        ("en", "This request was merged with another request about the same problem."),
        ("zh-hans", 'id="survivor-heading"'),
        ("ug", 'id="survivor-heading"'),
    ]:
        resident = Client(headers={"accept-language": language})
        resident.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # chosen: not the case's
        html = resident.get(reverse("intake:case", args=[re_report.tracking_code])).content.decode()
        assert sentence in html
        assert "抢修队已到现场" in html  # the survivor's progress
        assert pipe.tracking_code not in html  # never another resident's code


def test_a_stale_merge_from_the_suggestion_changes_nothing(county, submit, pipe):
    re_report = submit(title="水管爆了", description="村口水管爆裂，我们家也停水了。")
    seen = re_report.version
    actions.dispatch_case(actor=county.operator, case=re_report, unit=county.village_unit)

    response = _staff(county.operator).post(
        reverse("staff:act", args=[re_report.pk, "merge"]),
        {"into": pipe.tracking_code, "expected_version": seen},
    )

    assert response.status_code == 409
    re_report.refresh_from_db()
    assert re_report.status == Status.DISPATCHED


def test_words_every_complaint_uses_are_not_shown_as_in_common(county, submit):  # type: ignore[no-untyped-def]
    first = submit(
        title="二组水管破裂",
        description="听说是村委会旁边那段水管破了，全组都停水了，也不知道什么时候能修好。",
        category=county.water,
    )
    second = submit(
        title="村里又停水了",
        description="听说是二组那段水管破了，全组都停水了，也不知道什么时候能修好。",
        category=county.water,
    )
    (match,) = [m for m in find_duplicates(second, user=county.operator) if m.case == first]
    assert "水管" in match.shared_words or "停水" in match.shared_words
    assert not {"听说", "那段", "知道", "不知道", "什么", "时候"} & set(match.shared_words)
