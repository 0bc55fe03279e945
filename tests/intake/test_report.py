"""The report form: what it offers, what it records, what it refuses."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel, Status
from minsheng.contacts.models import Contact
from tests.factories import CategoryFactory


def area_select(html: str) -> str:
    start = html.index('<select name="area"')
    return html[start : html.index("</select>", start)]


def report_data(county, **overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "area": str(county.village.pk),
        "category": str(county.water.pk),
        "title": "",
        "description": "村口的水管破了，已经停水两天。",
        "address": "村委会东边",
        "contact_name": "",
        "contact_phone": "",
        "submission_key": "0f6e2b8a-9a51-4e6c-9a3e-1d2f3a4b5c6d",
        "via": "",
    }
    data.update(overrides)
    return data


def test_home_offers_both_doors_and_the_hotline(en_client, settings, db):
    settings.MINSHENG_HOTLINE = "0991-12345"
    html = en_client.get(reverse("intake:home")).content.decode()
    assert reverse("intake:report") in html
    assert 'action="/track/"' in html and 'name="code"' in html
    assert 'href="tel:0991-12345"' in html


def test_report_form_lists_villages_under_their_township(en_client, county):
    html = area_select(en_client.get(reverse("intake:report")).content.decode())
    group_start = html.index('<optgroup label="东湖镇">')
    village = html.index(f'<option value="{county.village.pk}">柳树村</option>')
    assert group_start < village < html.index("</optgroup>", group_start)
    assert html.index('<optgroup label="西山乡">') < html.index(
        f'<option value="{county.other_village.pk}">石门村</option>'
    )
    assert f'value="{county.township.pk}"' not in html
    assert f'value="{county.county.pk}"' not in html


def test_report_form_shows_categories_in_the_residents_language(en_client, county):
    html = en_client.get(reverse("intake:report")).content.decode()
    assert f'<option value="{county.water.pk}">Water supply</option>' in html
    ug_html = Client(headers={"accept-language": "ug"}).get(reverse("intake:report"))
    assert "سۇ تەمىنلەش" in ug_html.content.decode()


def test_inactive_category_is_not_offered(en_client, county):
    retired = CategoryFactory(code="retired", name_en="Retired service", is_active=False)
    html = en_client.get(reverse("intake:report")).content.decode()
    assert f'value="{retired.pk}"' not in html


def test_poster_link_preselects_the_village_and_marks_the_qr_channel(en_client, county):
    response = en_client.get(reverse("intake:report"), {"area": county.village.code})
    html = response.content.decode()
    assert f'<option value="{county.village.pk}" selected>' in html
    response = en_client.post(
        reverse("intake:report"), report_data(county, via=response.context["form"]["via"].value())
    )
    assert response.status_code == 302
    assert Case.objects.get().channel == Channel.QR


def test_plain_report_is_recorded_as_web_in_the_residents_language(county):
    Client(headers={"accept-language": "ug"}).post(reverse("intake:report"), report_data(county))
    case = Case.objects.get()
    assert case.channel == Channel.WEB
    assert case.language == "ug"
    assert case.status == Status.SUBMITTED


def test_report_redirects_to_a_confirmation_showing_the_tracking_code(en_client, county):
    response = en_client.post(reverse("intake:report"), report_data(county), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain == [
        (reverse("intake:submitted", args=[case.tracking_code]), 302)
    ]
    html = response.content.decode()
    assert f'id="tracking-code" dir="ltr">{case.tracking_code}<' in html
    assert "Write this code down" in html
    assert reverse("intake:case", args=[case.tracking_code]) in html


def test_each_rendered_form_gets_its_own_submission_key(en_client, county):
    first = en_client.get(reverse("intake:report")).context["form"]["submission_key"].value()
    second = en_client.get(reverse("intake:report")).context["form"]["submission_key"].value()
    assert first and second and first != second


def test_posting_the_same_form_twice_creates_one_case(en_client, county):
    first = en_client.post(reverse("intake:report"), report_data(county))
    second = en_client.post(reverse("intake:report"), report_data(county))
    assert Case.objects.count() == 1
    assert second["Location"].startswith(first["Location"])


def test_two_forms_with_different_keys_create_two_cases(en_client, county):
    en_client.post(reverse("intake:report"), report_data(county))
    en_client.post(
        reverse("intake:report"),
        report_data(
            county,
            submission_key="5b1c3e9e-0000-4000-8000-000000000001",
            description="路灯坏了，晚上很黑。",
        ),
    )
    assert Case.objects.count() == 2


OTHER_KEY = "5b1c3e9e-0000-4000-8000-000000000002"


def test_going_back_and_sending_the_same_words_again_makes_no_second_case(en_client, county):
    first = en_client.post(reverse("intake:report"), report_data(county))
    # Back: the page is reloaded with a new key, the browser refills the words.
    again = en_client.post(
        reverse("intake:report"), report_data(county, submission_key=OTHER_KEY), follow=True
    )
    case = Case.objects.get()
    assert first["Location"] == reverse("intake:submitted", args=[case.tracking_code])
    assert again.redirect_chain[0][0].startswith(first["Location"])
    assert "it was not sent a second time" in again.content.decode()
    # Another browser (another resident) sending the same words makes its own case.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.post(reverse("intake:report"), report_data(county, submission_key=OTHER_KEY))
    assert Case.objects.count() == 2


def test_the_same_words_after_withdrawing_or_with_a_forged_cookie_are_a_new_report(
    en_client, county
):
    from django.core import signing

    en_client.post(reverse("intake:report"), report_data(county))
    case = Case.objects.get()
    actions.withdraw_case(actor=actions.RESIDENT, case=case, reason="已经修好了")
    en_client.post(reverse("intake:report"), report_data(county, submission_key=OTHER_KEY))
    assert Case.objects.count() == 2
    # A cookie of another browser or a forged one is ignored.
    en_client.cookies["ms_last_report"] = signing.get_cookie_signer(salt="x").sign("a:b")
    en_client.post(
        reverse("intake:report"),
        report_data(county, submission_key="5b1c3e9e-0000-4000-8000-000000000003"),
    )
    assert Case.objects.count() == 3


def test_unknown_area_id_is_refused_beside_the_field_and_nothing_is_stored(en_client, county):
    for forged in ("999999", "abc", ""):
        response = en_client.post(reverse("intake:report"), report_data(county, area=forged))
        assert response.status_code == 400
        assert response.context["form"].errors["area"] == [
            "Please choose a valid village or community."
        ]
    assert Case.objects.count() == 0


def test_a_township_cannot_be_chosen_as_the_place_of_a_report(en_client, county):
    response = en_client.post(
        reverse("intake:report"), report_data(county, area=str(county.township.pk))
    )
    assert response.status_code == 400
    assert "area" in response.context["form"].errors
    assert Case.objects.count() == 0


def test_unknown_category_id_is_refused_and_nothing_is_stored(en_client, county):
    retired = CategoryFactory(code="retired", is_active=False)
    for forged in ("999999", "x", str(retired.pk)):
        response = en_client.post(reverse("intake:report"), report_data(county, category=forged))
        assert response.status_code == 400
        assert response.context["form"].errors["category"] == ["Please choose a valid category."]
    assert Case.objects.count() == 0


def test_empty_description_is_refused_and_what_was_typed_is_kept(en_client, county):
    response = en_client.post(
        reverse("intake:report"),
        report_data(county, description="   ", title="路灯不亮", contact_name="王芳"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["description"] == ["Please fill in description."]
    html = response.content.decode()
    assert 'value="路灯不亮"' in html
    assert 'value="王芳"' in html
    assert f'<option value="{county.village.pk}" selected>' in html
    assert Case.objects.count() == 0 and Contact.objects.count() == 0


def test_description_longer_than_4000_characters_is_refused(en_client, county):
    response = en_client.post(
        reverse("intake:report"), report_data(county, description="水" * 4001)
    )
    assert response.status_code == 400
    assert "at most 4000 characters, you wrote 4001" in str(
        response.context["form"].errors["description"]
    )
    assert "水" * 4001 in response.content.decode()
    assert Case.objects.count() == 0


def test_description_of_exactly_4000_characters_is_accepted(en_client, county):
    response = en_client.post(
        reverse("intake:report"), report_data(county, description="水" * 4000)
    )
    assert response.status_code == 302
    assert len(Case.objects.get().description) == 4000


def test_invalid_phone_is_shown_beside_the_phone_field(en_client, county):
    response = en_client.post(
        reverse("intake:report"), report_data(county, contact_phone="call me")
    )
    assert response.context["form"].errors["contact_phone"] == ["The phone number is not valid."]
    assert Case.objects.count() == 0


def test_a_refused_report_keeps_its_submission_key_for_the_next_try(en_client, county):
    key = "0f6e2b8a-9a51-4e6c-9a3e-1d2f3a4b5c6d"
    response = en_client.post(reverse("intake:report"), report_data(county, description=""))
    assert f'value="{key}"' in response.content.decode()


def test_contact_details_are_stored_encrypted_apart_from_the_case(en_client, county):
    en_client.post(
        reverse("intake:report"),
        report_data(county, contact_name="王芳", contact_phone="13800138000"),
    )
    contact = Contact.objects.get()
    assert contact.reveal() == ("王芳", "13800138000")
    assert "13800138000" not in contact.phone_encrypted


def test_report_page_says_contact_details_are_optional_and_private(en_client, county, settings):
    settings.MINSHENG_CONTACT_RETENTION_DAYS = 90
    html = en_client.get(reverse("intake:report")).content.decode()
    assert "Your name (optional)" in html
    assert "only the unit handling your case will see them" in html
    assert "deleted 90 days after the case is closed" in html


def test_an_empty_form_names_every_missing_field_at_once(en_client, county):
    response = en_client.post(
        reverse("intake:report"), report_data(county, area="", description="  ")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["area"] == ["Please choose a valid village or community."]
    assert errors["description"]
    assert Case.objects.count() == 0


def test_without_villages_set_up_residents_are_sent_to_the_hotline(en_client, settings, db):
    settings.MINSHENG_HOTLINE = "0991-12345"
    html = en_client.get(reverse("intake:report")).content.decode()
    assert "no village or community has been set up" in html
    assert 'href="tel:0991-12345"' in html
    assert "<form" not in html.split("<main", 1)[-1]
