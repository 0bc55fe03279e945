"""Contact details never reach a public page; free text is redacted before it is shown."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.cases.redaction import public_text
from minsheng.contacts.actions import purge_expired_contacts
from minsheng.contacts.models import Contact

NAME = "王秀英"
PHONE = "13912345678"


def submit_with_contact(en_client, county, **overrides) -> Case:  # type: ignore[no-untyped-def]
    data = {
        "area": str(county.village.pk),
        "category": str(county.water.pk),
        "title": f"{NAME}家门口停水",
        "description": f"我是{NAME}，电话 139 1234 5678，家门口停水三天了。邮箱 wxy@example.com",
        "address": f"{NAME}家，柳树村三组",
        "contact_name": NAME,
        "contact_phone": PHONE,
        "submission_key": "7d0c7a8e-2f6b-4c1d-9e7a-3b2c1d0e9f8a",
    }
    data.update(overrides)
    response = en_client.post(reverse("intake:report"), data)
    assert response.status_code == 302
    return Case.objects.get()


def assert_no_contact(html: str) -> None:
    for secret in (NAME, PHONE, "139 1234 5678", "wxy@example.com"):
        assert secret not in html


def test_confirmation_page_shows_no_contact_details(en_client, county):
    case = submit_with_contact(en_client, county)
    response = en_client.get(reverse("intake:submitted", args=[case.tracking_code]))
    assert response.status_code == 200
    assert_no_contact(response.content.decode())


def test_tracking_page_masks_contact_details_typed_into_title_description_and_address(
    en_client, county
):
    case = submit_with_contact(en_client, county)
    response = en_client.get(reverse("intake:case", args=[case.tracking_code]))
    html = response.content.decode()
    assert_no_contact(html)
    assert "家门口停水三天了" in html  # the problem itself is still shown
    assert "柳树村三组" in html


def test_a_phone_written_differently_from_the_contact_field_is_still_masked(en_client, county):
    case = submit_with_contact(
        en_client, county, description="有事打 8123 4567 或者 81234567", contact_phone="81234567"
    )
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "81234567" not in html


def test_contact_name_in_a_rating_comment_is_masked_on_the_timeline(en_client, county):
    case = submit_with_contact(en_client, county)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note=f"已联系{NAME}，明天上门")
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    case.refresh_from_db()
    en_client.post(
        reverse("intake:rate", args=[case.tracking_code]),
        {
            "rating": "2",
            "is_solved": "no",
            "comment": f"{NAME}说水还是很小，请打{PHONE}",
            "expected_version": case.version,
        },
    )
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "水还是很小" in html
    assert_no_contact(html)


def test_tracking_page_never_shows_internal_notes_or_staff_names(en_client, county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="内部：先别告诉居民", is_public=False)
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "先别告诉居民" not in html
    assert county.handler.username not in html
    assert county.operator.username not in html
    assert county.village_unit.name in html


def test_a_purged_contact_leaves_the_tracking_page_working(en_client, county):
    case = submit_with_contact(en_client, county)
    Contact.objects.filter(case=case).update(
        name_encrypted="", phone_encrypted="", purged_at=timezone.now()
    )
    response = en_client.get(reverse("intake:case", args=[case.tracking_code]))
    assert response.status_code == 200
    assert "139 1234 5678" not in response.content.decode()


def test_the_residents_name_stays_masked_after_the_purge(en_client, county, settings):
    # Public pages masked the name by the contact details; the purge erased those, and
    # "王秀英家，柳树村三组" came back on the board, in Open311 and on the tracking page.
    case = submit_with_contact(en_client, county)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note=f"已联系{NAME}，明天上门")
    actions.resolve_case(actor=county.handler, case=case, resolution=f"{NAME}家的水管已修好")
    actions.rate_case(
        actor=actions.RESIDENT, case=case, rating=5, is_solved=True, comment=f"{NAME}很满意"
    )
    settings.MINSHENG_CONTACT_RETENTION_DAYS = 0
    assert purge_expired_contacts(now=timezone.now() + dt.timedelta(seconds=1)) == 1
    pages = [
        en_client.get(reverse("intake:case", args=[case.tracking_code])),
        Client().get(f"/board/{county.village.code}/"),
        Client().get(f"/open311/v2/requests/{case.pk}.json"),
        Client().get(f"/open311/v2/requests/{case.pk}.json?extensions=true"),
        Client().get(f"/api/public/cases/{case.tracking_code}"),
    ]
    for page in pages:
        assert page.status_code == 200
        if "json" in page["Content-Type"]:
            shown = json.dumps(page.json(), ensure_ascii=False)
        else:
            shown = page.content.decode()
        assert NAME not in shown, page.request["PATH_INFO"]
    html = pages[0].content.decode()
    assert "家门口停水三天了" in html and "柳树村三组" in html  # the problem itself stays
    # Staff keep the case's words, without the name either.
    case.refresh_from_db()
    assert NAME not in case.title + case.description + case.address + case.resolution
    assert not any(NAME in e.note for e in case.events.all())


def test_a_short_latin_name_is_masked_as_a_word_not_inside_other_words(en_client, county):
    case = submit_with_contact(
        en_client,
        county,
        title="No light in the village",
        description="Li here: the village street light is off. li again.",
        address="",
        contact_name="Li",
        contact_phone="",
    )
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "No light in the village" in html
    assert "＊＊＊ here: the village street light is off. ＊＊＊ again." in html


# What residents and the security review typed: each must be masked wherever the text is
# shown (the resident's own page here; the board and Open311 use the same function).
WRITTEN_OTHERWISE = [
    "138.0013.8000",  # dots
    "1380 013 8001",  # four-three-four
    "１３８００１３８００２",  # full-width digits
    "0086 13800138003",  # 0086 in front
    "(0991)2345678",  # area code in brackets
    "0991-234-5678",  # landline in three groups
    "650102 19800101 1234",  # ID number in groups
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width ID number
    "wangxm＠example.com",  # full-width @
    "wangxm @ example.com",  # spaces around @
]


def test_phone_id_and_email_written_in_other_ways_are_masked(en_client, county):
    case = submit_with_contact(
        en_client,
        county,
        title="停水",
        description="联系方式：" + "；".join(WRITTEN_OTHERWISE) + "。停水三天了。",
        contact_name="",
        contact_phone="",
    )
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    for written in WRITTEN_OTHERWISE:
        assert written not in html, written
    assert "停水三天了" in html
    # Dates, amounts and room numbers are not phone numbers.
    assert public_text("2026-10-01修路，预算1,280,000元，3号楼502室") == (
        "2026-10-01修路，预算1,280,000元，3号楼502室"
    )


def test_a_name_the_text_introduces_is_masked_even_without_contact_details(en_client, county):
    case = submit_with_contact(
        en_client,
        county,
        title="",
        description="我叫王建国，村东头的水管破了。联系人：李秀兰",
        contact_name="",
        contact_phone="",
    )
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "王建国" not in html and "李秀兰" not in html
    assert "村东头的水管破了" in html


def test_a_tracking_code_written_with_separators_or_full_width_is_masked(county, submit):
    other = submit(title="路灯坏了")
    code = other.tracking_code
    spaced = f"{code[:2].lower()} {code[2:6].lower()} {code[6:].lower()}"
    dashed = f"{code[:6]}-{code[6:]}"
    wide = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    for written in (spaced, dashed, wide):
        assert public_text(f"同{written}一样") == "同＊＊＊一样", written
