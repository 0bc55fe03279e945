"""The staff API: add photos to a case (multipart), list them, fetch them; in scope only."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from minsheng.accounts.models import ApiToken
from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.photos.images import prepare_photos
from minsheng.photos.models import Photo
from tests.photos.conftest import stored_files
from tests.photos.pictures import SERIAL, not_an_image, photo_upload


def client_for(user) -> tuple[Client, dict]:  # type: ignore[no-untyped-def]
    _token, raw = ApiToken.issue(user=user, name="tests")
    return Client(), {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def accepted(county, submit) -> Case:  # type: ignore[no-untyped-def]
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    return Case.objects.get(pk=case.pk)


def photos_url(case: Case) -> str:
    return f"/api/cases/{case.pk}/photos"


def test_handler_adds_photos_and_lists_them(county, accepted):
    client, headers = client_for(county.handler)
    response = client.post(
        photos_url(accepted),
        {
            "photos": [photo_upload("a.jpg"), photo_upload("b.jpg")],
            "expected_version": accepted.version,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.content
    added = response.json()
    assert len(added) == 2
    assert {p["event_kind"] for p in added} == {"photos"}
    assert added[0]["added_by"]["username"] == county.handler.username
    assert (added[0]["width"], added[0]["height"]) == (600, 800)
    listed = client.get(photos_url(accepted), headers=headers).json()
    assert [p["id"] for p in listed] == [p["id"] for p in added]
    image = client.get(added[0]["image_url"], headers=headers)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    data = b"".join(image.streaming_content)
    assert SERIAL.encode() not in data
    assert Image.open(io.BytesIO(data)).size == (600, 800)
    thumb = client.get(added[0]["thumbnail_url"], headers=headers)
    assert thumb.status_code == 200


def test_a_non_image_is_refused_with_the_field_named(county, accepted, photo_dir):
    client, headers = client_for(county.handler)
    response = client.post(photos_url(accepted), {"photos": [not_an_image()]}, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "photos" and "not a photo" in body["detail"]
    assert stored_files(photo_dir) == []


def test_a_stale_version_is_refused(county, accepted):
    client, headers = client_for(county.handler)
    response = client.post(
        photos_url(accepted),
        {"photos": [photo_upload()], "expected_version": accepted.version - 1},
        headers=headers,
    )
    assert response.status_code == 409
    assert not Photo.objects.exists()


def test_another_units_handler_gets_nothing(county, accepted, photo_dir):
    actions.add_photos(
        actor=county.handler,
        case=accepted,
        photos=prepare_photos([photo_upload()]),
    )
    photo = Photo.objects.get()
    client, headers = client_for(county.other_handler)
    before = stored_files(photo_dir)
    assert client.get(photos_url(accepted), headers=headers).status_code == 404
    posted = client.post(photos_url(accepted), {"photos": [photo_upload()]}, headers=headers)
    assert posted.status_code == 404
    for kind in ("image", "thumbnail"):
        url = f"{photos_url(accepted)}/{photo.uid}/{kind}"
        assert client.get(url, headers=headers).status_code == 404
    assert Photo.objects.count() == 1 and stored_files(photo_dir) == before


def test_without_a_token_nothing_is_listed(accepted):
    assert Client().get(photos_url(accepted)).status_code == 401


def test_the_schema_documents_the_photo_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/cases/{case_id}/photos"])
    upload = paths["/api/cases/{case_id}/photos"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert (
        "image/jpeg"
        in paths["/api/cases/{case_id}/photos/{photo_id}/image"]["get"]["responses"]["200"][
            "content"
        ]
    )
