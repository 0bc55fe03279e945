"""Following a case by its code: the lookup, the public view, and the outcomes."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minsheng.cases import actions


def without_csrf(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def test_entered_code_leads_to_the_case_page_however_it_was_typed(en_client, submit):
    case = submit()
    messy = " " + "-".join([case.tracking_code[:2].lower(), case.tracking_code[2:]]) + " "
    response = en_client.get(reverse("intake:track"), {"code": messy})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case", args=[case.tracking_code])


def full_width(text: str) -> str:
    """As a Chinese keyboard in full-width mode types it: "MS7A" → "ＭＳ７Ａ"."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_code_typed_in_full_width_letters_finds_the_case(en_client, submit):
    case = submit()
    response = en_client.get(reverse("intake:track"), {"code": full_width(case.tracking_code)})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case", args=[case.tracking_code])
    # Typed into the address itself, too.
    page = en_client.get(f"/track/{full_width(case.tracking_code.lower())}/")
    assert page.status_code == 200 and case.tracking_code in page.content.decode()


def test_empty_code_asks_for_the_code(en_client, db):
    response = en_client.get(reverse("intake:track"), {"code": "  "})
    assert response.status_code == 400
    assert "Please enter the tracking code" in response.content.decode()


def test_unknown_code_gets_a_friendly_404_that_reveals_nothing(en_client, submit):
    submit()
    first = en_client.get(reverse("intake:case", args=["MS22222222"]))
    second = en_client.get(reverse("intake:case", args=["NOTACODE"]))
    assert first.status_code == second.status_code == 404
    assert "There is no case with this code." in first.content.decode()
    # Same page either way, apart from echoing the code back (and the per-response token).
    assert without_csrf(first).replace("MS22222222", "X") == without_csrf(second).replace(
        "NOTACODE", "X"
    )


def test_unknown_code_on_the_rate_withdraw_and_confirmation_pages_is_404(en_client, db):
    for name in ("submitted", "withdraw"):
        assert en_client.get(reverse(f"intake:{name}", args=["MS22222222"])).status_code == 404
    response = en_client.post(reverse("intake:rate", args=["MS22222222"]), {"rating": "5"})
    assert response.status_code == 404


def test_case_page_shows_what_where_status_and_who_holds_it(en_client, county, submit):
    case = submit(category=county.water)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    case.refresh_from_db()
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert case.title in html
    assert "Water supply" in html
    assert "柳树村" in html
    assert 'class="badge status-dispatched"' in html
    assert county.village_unit.name in html
    assert 'class="chip deadline-' in html
    assert timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M") in html


def test_new_case_says_it_waits_for_an_operator(en_client, submit):
    case = submit()
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "Waiting for an operator to send it to the responsible unit" in html
    assert 'class="badge status-submitted"' in html


def test_case_page_shows_the_public_timeline(en_client, county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="维修队明天上午到")
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    for kind in ("submitted", "dispatched", "accepted", "note"):
        assert f"tl-item tl-{kind}" in html
    assert "维修队明天上午到" in html


def test_merged_case_shows_the_survivors_progress_but_not_its_code(en_client, county, submit):
    survivor = submit(title="柳树村停水")
    duplicate = submit(title="又停水了")
    actions.merge_case(actor=county.operator, case=duplicate, into=survivor)
    actions.dispatch_case(
        actor=county.operator, case=survivor, unit=county.village_unit, note="已派村委会"
    )
    html = en_client.get(reverse("intake:case", args=[duplicate.tracking_code])).content.decode()
    assert "merged with another request" in html
    # The survivor's move is shown; the dispatcher's note to the unit is not.
    assert "Sent to: 柳树村委会" in html
    assert "已派村委会" not in html
    assert survivor.tracking_code not in html


def test_declined_case_says_so_and_shows_the_reason(en_client, county, submit):
    case = submit()
    actions.decline_case(actor=county.operator, case=case, reason="这是邻里私事，不属于公共服务")
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "This request was declined." in html
    assert "这是邻里私事，不属于公共服务" in html
    assert "Withdraw my request" not in html


def test_closed_case_says_so_and_offers_no_forms(en_client, resolved_case):
    case = resolved_case()
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=4, is_solved=True)
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "This case is closed." in html
    assert "水管已更换" in html
    assert reverse("intake:rate", args=[case.tracking_code]) not in html
    assert reverse("intake:withdraw", args=[case.tracking_code]) not in html


def test_language_switcher_is_on_every_resident_page(en_client, submit):
    case = submit()
    for url in (
        reverse("intake:home"),
        reverse("intake:report"),
        reverse("intake:track"),
        reverse("intake:submitted", args=[case.tracking_code]),
        reverse("intake:case", args=[case.tracking_code]),
        reverse("intake:withdraw", args=[case.tracking_code]),
    ):
        html = en_client.get(url).content.decode()
        assert f'action="{reverse("set_language")}"' in html, url
        assert '<option value="ug"' in html, url


def test_switching_language_keeps_the_resident_on_the_same_page(en_client, submit):
    case = submit()
    page = reverse("intake:case", args=[case.tracking_code])
    response = en_client.post(reverse("set_language"), {"language": "ug", "next": page})
    assert response["Location"] == page
    html = en_client.get(page).content.decode()
    assert '<html lang="ug" dir="rtl">' in html


# --- guessing codes -------------------------------------------------------------------------


def unknown_codes(n: int) -> list[str]:
    return [f"MS2222{i:04d}".replace("0", "A").replace("1", "B") for i in range(n)]


def test_thirty_unknown_codes_then_even_a_right_one_is_refused_for_a_while(en_client, submit):
    case = submit()
    for code in unknown_codes(30):
        assert en_client.get(reverse("intake:case", args=[code])).status_code == 404
    response = en_client.get(reverse("intake:case", args=[case.tracking_code]))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many unknown tracking codes were tried from here" in html
    assert "Please try again after" in html
    assert case.title not in html
    assert int(response["Retry-After"]) > 0
    for name in ("submitted", "withdraw"):
        page = en_client.get(reverse(f"intake:{name}", args=[case.tracking_code]))
        assert page.status_code == 429


def test_known_codes_never_count_so_a_shared_address_is_not_locked_out(en_client, submit):
    cases = [submit() for _ in range(3)]
    for _ in range(20):
        for case in cases:
            assert (
                en_client.get(reverse("intake:case", args=[case.tracking_code])).status_code == 200
            )
    for code in unknown_codes(29):  # and a few typos on top
        en_client.get(reverse("intake:case", args=[code]))
    assert en_client.get(reverse("intake:case", args=[cases[0].tracking_code])).status_code == 200


def test_a_locked_address_does_not_lock_another(en_client, submit):
    case = submit()
    for code in unknown_codes(30):
        en_client.get(reverse("intake:case", args=[code]))
    neighbour = Client(headers={"accept-language": "en"}, REMOTE_ADDR="198.51.100.99")
    assert neighbour.get(reverse("intake:case", args=[case.tracking_code])).status_code == 200


def test_the_refusal_is_complete_in_uyghur(submit):
    client = Client(headers={"accept-language": "ug"})
    for code in unknown_codes(30):
        client.get(reverse("intake:case", args=[code]))
    response = client.get(reverse("intake:case", args=["MS22222222"]))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many" not in html and "try again" not in html


def test_case_page_opens_in_the_language_the_case_was_reported_in(county, submit):
    # The link in an SMS, opened on a phone set to Chinese, for a case reported in Uyghur.
    case = submit(language="ug")
    phone = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    for url in (
        reverse("intake:case", args=[case.tracking_code]),
        reverse("intake:withdraw", args=[case.tracking_code]),
    ):
        html = phone.get(url).content.decode()
        assert '<html lang="ug" dir="rtl">' in html, url
    # The language switch still wins: the visitor chose Chinese.
    phone.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = phone.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert '<html lang="zh-hans" dir="ltr">' in html


def test_a_refused_rating_is_answered_in_the_cases_language(county, resolved_case):
    case = resolved_case(language="ug")
    phone = Client(headers={"accept-language": "zh-hans"})
    response = phone.post(
        reverse("intake:rate", args=[case.tracking_code]), {"expected_version": case.version}
    )
    assert response.status_code == 400
    assert '<html lang="ug" dir="rtl">' in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_timeline_says_a_case_was_dispatched_to_the_unit_not_by_it(county, submit, language):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.escalate_case(actor=county.handler, case=case, reason="村里没有经费")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        operator = translation.pgettext("who dispatched a case", "Operator")
        sent_to = translation.gettext("Sent to: %(unit)s") % {"unit": "柳树村委会"}
        passed_up = translation.gettext("Passed up to: %(unit)s") % {"unit": "东湖镇政府"}
    for url in (reverse("intake:case", args=[case.tracking_code]), "/board/V1/"):
        html = client.get(url).content.decode()
        dispatched, escalated = (
            re.search(rf'<li class="tl-item tl-{kind}">.*?</li>', html, re.S).group(0)
            for kind in ("dispatched", "escalated")
        )
        who = {
            kind: re.search(r'<div class="tl-who">(.*?)</div>', item, re.S).group(1)
            for kind, item in (("dispatched", dispatched), ("escalated", escalated))
        }
        assert who["dispatched"] == operator, url
        assert sent_to in dispatched, url
        # Handed up by the village committee, to the township.
        assert "柳树村委会" in who["escalated"] and "东湖镇政府" not in who["escalated"], url
        assert passed_up in escalated, url
