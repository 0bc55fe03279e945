"""Contact details never reach a public page; free text is redacted before it is shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case
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
