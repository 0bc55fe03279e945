"""A resident attaches photos when reporting and sees them, and the proof of the work, on
the tracking page; the photos are only reachable with the tracking code."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image

from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.photos.images import prepare_photos
from minsheng.photos.models import Photo
from minsheng.throttle.actions import TRACKING
from tests.intake.test_report import report_data
from tests.photos.conftest import stored_files
from tests.photos.pictures import SERIAL, not_an_image, photo_upload

THUMBNAIL = re.compile(r'<img src="(/track/[^"]+/thumbnail/)"')


@pytest.fixture
def en_client() -> Client:
    """A resident who chose English with the language switch (case pages otherwise open
    in the language the case was reported in)."""
    client = Client(headers={"accept-language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def report_with_photos(client: Client, county, files, **fields):  # type: ignore[no-untyped-def]
    return client.post(reverse("intake:report"), {**report_data(county, **fields), "photos": files})


def test_report_form_offers_photos_from_the_phone_camera(en_client, county):
    html = en_client.get(reverse("intake:report")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    field = re.search(r'<input type="file" name="photos"[^>]*>', html).group(0)
    assert 'accept="image/*"' in field and "multiple" in field
    assert "Up to 3 photos, 10 MB each" in html


def test_resident_reports_with_photos_and_sees_them_on_the_tracking_page(en_client, county):
    response = report_with_photos(en_client, county, [photo_upload("a.jpg"), photo_upload("b.jpg")])
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.photos.count() == 2
    page = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "Your photos" in page
    thumbnails = THUMBNAIL.findall(page)
    assert len(thumbnails) == 2
    for url in thumbnails:
        full = en_client.get(url.removesuffix("thumbnail/"))
        assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
        assert full["Cache-Control"].startswith("private")
        data = b"".join(full.streaming_content)
        assert SERIAL.encode() not in data and b"Exif" not in data
        assert Image.open(io.BytesIO(data)).size == (600, 800)  # upright


def test_report_refused_for_another_field_asks_for_the_photos_again(en_client, county, photo_dir):
    response = report_with_photos(
        en_client, county, [photo_upload("a.jpg"), photo_upload("b.jpg")], description=""
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please fill in description" in html
    assert "The 2 photos you chose were not sent: please choose them again." in html
    assert not Case.objects.exists() and stored_files(photo_dir) == []


def test_report_with_a_non_image_says_which_file_and_keeps_the_words(en_client, county, photo_dir):
    response = report_with_photos(en_client, county, [not_an_image("scan.pdf")])
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'<p class="r-error" id="id_photos_error">(.*?)</p>', html).group(1)
    assert "scan.pdf" in error and "not a photo" in error
    assert "村口的水管破了" in html  # what was typed stays
    assert not Case.objects.exists() and stored_files(photo_dir) == []


def test_holder_sees_the_resolution_photos_but_not_the_note_photos(en_client, county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    note_photos = prepare_photos([photo_upload("site.jpg")])
    actions.add_note(actor=county.handler, case=case, note="开挖中", photos=note_photos)
    actions.resolve_case(
        actor=county.handler,
        case=case,
        resolution="水管已更换",
        photos=prepare_photos([photo_upload("done.jpg")]),
    )
    page = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "Photos of the work:" in page
    resolution = Photo.objects.get(case=case, event__kind="resolved")
    note = Photo.objects.get(case=case, event__kind="note")
    assert str(resolution.uid) in page and str(note.uid) not in page
    holder_url = reverse("photos:holder", args=[case.tracking_code, note.uid])
    assert en_client.get(holder_url).status_code == 404


def test_a_wrong_tracking_code_opens_no_photo(en_client, submit):
    case = submit(photos=prepare_photos([photo_upload()]))
    other = submit(title="另一件事")
    photo = case.photos.get()
    for code in (other.tracking_code, "MS23456789", "nonsense"):
        for view in ("photos:holder", "photos:holder_thumbnail"):
            assert en_client.get(reverse(view, args=[code, photo.uid])).status_code == 404
    assert (
        en_client.get(reverse("photos:holder", args=[case.tracking_code, photo.uid])).status_code
        == 200
    )


def test_guessing_codes_through_photo_addresses_is_limited_like_the_tracking_page(
    en_client, submit
):
    case = submit(photos=prepare_photos([photo_upload()]))
    photo = case.photos.get()
    for n in range(TRACKING.per_client):
        en_client.get(reverse("photos:holder", args=[f"MS{n:08d}", photo.uid]))
    right = en_client.get(reverse("photos:holder", args=[case.tracking_code, photo.uid]))
    assert right.status_code == 429 and "Retry-After" in right
    page = en_client.get(reverse("intake:case", args=[case.tracking_code]))
    assert page.status_code == 429


def test_uyghur_resident_sees_the_photo_field_and_photos_in_uyghur(county, submit):
    client = Client(headers={"accept-language": "ug"})
    form = client.get(reverse("intake:report")).content.decode()
    assert "مەسىلىنىڭ سۈرەتلىرى" in form and "Photos of the problem" not in form
    case = submit(photos=prepare_photos([photo_upload()]), language="ug")
    page = client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "سىزنىڭ سۈرەتلىرىڭىز" in page and "Your photos" not in page
    assert 'alt="1 سۈرەتنىڭ 1-سى"' in page
