"""Staff attach photos to a note or a resolution on the case page and see every photo of
the case as thumbnails; nobody outside the case's readers gets one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, Status
from minsheng.photos.images import prepare_photos
from minsheng.photos.models import Photo
from tests.photos.conftest import stored_files
from tests.photos.pictures import photo_upload

THUMBNAIL = re.compile(r'<a href="(/staff/cases/\d+/photos/[^"]+/)"><img src="([^"]+)"')


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def accepted(county, submit) -> Case:  # type: ignore[no-untyped-def]
    case = submit(photos=prepare_photos([photo_upload("resident.jpg")]))
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    return Case.objects.get(pk=case.pk)


def act(client: Client, case: Case, action: str, **data):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("staff:act", args=[case.pk, action]), {"expected_version": case.version, **data}
    )


def test_note_and_resolution_forms_take_photos(county, accepted):
    html = login(county.handler).get(reverse("staff:case", args=[accepted.pk])).content.decode()
    for action in ("note", "resolve"):
        opening = rf'<form method="post" action="[^"]*/{action}/[^"]*"([^>]*)>'
        form = re.search(opening, html).group(1)
        assert 'enctype="multipart/form-data"' in form
    assert html.count('type="file" name="photos"') == 2


def test_handler_resolves_with_photos_and_sees_them_on_the_case_page(county, accepted):
    client = login(county.handler)
    response = act(
        client,
        accepted,
        "resolve",
        resolution="水管已更换",
        photos=[photo_upload("done1.jpg"), photo_upload("done2.jpg")],
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=accepted.pk).status == Status.RESOLVED
    html = client.get(reverse("staff:case", args=[accepted.pk])).content.decode()
    links = THUMBNAIL.findall(html)
    # The resident's photo (beside the description and in the timeline) and the two of the
    # resolution.
    assert {full for full, _thumb in links} == {
        reverse("photos:staff", args=[accepted.pk, p.uid]) for p in accepted.photos.all()
    }
    assert len(set(links)) == 3
    for full, thumb in links:
        for url in (full, thumb):
            response = client.get(url)
            assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_refused_note_asks_for_the_photos_again_and_keeps_nothing(county, accepted, photo_dir):
    before = stored_files(photo_dir)
    response = act(login(county.handler), accepted, "note", note="", photos=[photo_upload()])
    assert response.status_code == 400
    assert "The photos were not saved. Please choose them again." in response.content.decode()
    assert Photo.objects.filter(case=accepted).count() == 1  # the resident's
    assert stored_files(photo_dir) == before


@pytest.mark.parametrize("who", ["other_handler", "other_supervisor"])
def test_staff_outside_the_case_get_no_photo(county, accepted, who):
    client = login(getattr(county, who))
    photo = accepted.photos.get()
    for view in ("photos:staff", "photos:staff_thumbnail"):
        assert client.get(reverse(view, args=[accepted.pk, photo.uid])).status_code == 404


def test_a_photo_is_not_served_under_another_case(county, accepted, submit):
    other = submit(title="另一件事")
    photo = accepted.photos.get()
    client = login(county.operator)
    assert client.get(reverse("photos:staff", args=[other.pk, photo.uid])).status_code == 404
    assert client.get(reverse("photos:staff", args=[accepted.pk, photo.uid])).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(accepted):
    photo = accepted.photos.get()
    response = Client().get(reverse("photos:staff", args=[accepted.pk, photo.uid]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_surviving_case_shows_the_photos_of_the_merged_duplicate(county, submit):
    duplicate = submit(photos=prepare_photos([photo_upload("neighbour.jpg")]))
    survivor = submit(title="村口水管破裂（第一次报告）")
    actions.merge_case(actor=county.operator, case=duplicate, into=survivor)
    client = login(county.operator)
    html = client.get(reverse("staff:case", args=[survivor.pk])).content.decode()
    assert "Photos of the cases merged into this one" in html
    assert duplicate.tracking_code in html
    photo = duplicate.photos.get()
    url = reverse("photos:staff", args=[survivor.pk, photo.uid])
    assert url in html
    assert client.get(url).status_code == 200
