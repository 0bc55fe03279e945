"""Photos never leave through a public door: not the public board, not Open311 (media_url
stays empty), not the exports or the residents' JSON API, not a media URL."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.utils import translation

from minsheng.cases import actions
from minsheng.intake import exports
from minsheng.photos.images import prepare_photos
from minsheng.photos.models import Photo
from tests.photos.pictures import photo_upload


@pytest.fixture
def photographed(county, submit):  # type: ignore[no-untyped-def]
    """A resolved case with photos from the resident, a note and the resolution."""
    case = submit(photos=prepare_photos([photo_upload()]), latitude=39.91, longitude=116.40)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(
        actor=county.handler, case=case, note="开挖中", photos=prepare_photos([photo_upload()])
    )
    actions.resolve_case(
        actor=county.handler,
        case=case,
        resolution="水管已更换",
        photos=prepare_photos([photo_upload()]),
    )
    assert Photo.objects.filter(case=case).count() == 3
    return case


def traces(text: str) -> list[str]:
    """Anything in ``text`` that points at a stored photo."""
    found = [str(p.uid) for p in Photo.objects.all() if str(p.uid) in text or p.uid.hex in text]
    return found + [word for word in ("/photos/", "thumbnail") if word in text]


def test_public_board_shows_no_photo(county, photographed):
    client = Client(headers={"accept-language": "en"})
    for url in ("/board/", f"/board/{county.township.code}/", f"/board/{county.village.code}/"):
        html = client.get(url).content.decode()
        assert f'id="case-{photographed.pk}"' in html, url
        assert traces(html) == [], url


def test_open311_media_url_stays_empty(county, photographed):
    client = Client()
    listed = client.get("/open311/v2/requests.json").json()
    mine = [r for r in listed if r["service_request_id"] == str(photographed.pk)]
    assert mine and mine[0]["media_url"] is None
    one = client.get(f"/open311/v2/requests/{photographed.pk}.json").json()
    assert one[0]["media_url"] is None
    for url in (
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{photographed.pk}.json",
        f"/open311/v2/requests/{photographed.pk}.xml",
        "/open311/v2/servicerequestupdates.json",
    ):
        assert traces(client.get(url).content.decode()) == [], url


def test_exports_carry_no_photo(county, photographed):
    out = io.BytesIO()
    with translation.override("en"):
        exports.write_csv(exports.export_cases(user=county.admin), out)
    assert traces(out.getvalue().decode("utf-8-sig")) == []


def test_residents_json_api_carries_no_photo(photographed):
    body = Client().get(f"/api/public/cases/{photographed.tracking_code}").json()
    assert traces(json.dumps(body)) == []


def test_photo_files_have_no_public_address(photographed):
    client = Client()
    for photo in Photo.objects.all():
        for name in (photo.file_name, photo.thumbnail_name):
            for prefix in ("/media/", "/media/photos/", "/static/", "/uploads/photos/"):
                assert client.get(prefix + name).status_code == 404, prefix + name
