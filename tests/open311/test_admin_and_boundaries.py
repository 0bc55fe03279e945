"""Issuing and revoking partner keys in the admin; boundary polygons and point lookup."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from minsheng.directory.models import AreaKind
from minsheng.open311 import selectors
from minsheng.open311.models import ApiKey, AreaBoundary, ServiceAttribute, point_in_rings
from tests.factories import AreaFactory


@pytest.fixture
def admin_client(county) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(county.admin)
    return client


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(admin_client, county):
    response = admin_client.post(
        "/admin/open311/apikey/add/",
        {
            "name": "Village CRM",
            "user": county.handler.pk,
            "unit": county.village_unit.pk,
            "rate_limit": "30",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r"o311_[A-Za-z0-9_\-]{20,}", page).group(0)
    key = ApiKey.objects.get(name="Village CRM")
    assert key.digest == ApiKey.hash(raw) and raw not in (key.digest, key.prefix)
    assert raw.startswith(key.prefix)
    again = admin_client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert raw not in again


def test_the_admin_revokes_keys_and_the_api_refuses_them(admin_client, county, o311):
    key, raw = ApiKey.issue(name="Resident app")
    admin_client.post(
        "/admin/open311/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert o311.get("services", api_key=raw).status_code == 403


def test_keys_cannot_be_deleted_in_the_admin(admin_client, county):
    key, _raw = ApiKey.issue(name="Resident app")
    response = admin_client.get(f"/admin/open311/apikey/{key.pk}/delete/")
    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_list_attributes_need_unique_choices(county):
    attribute = ServiceAttribute(
        category=county.water, code="source", datatype="singlevaluelist", description="?",
        values=[{"key": "a", "name": "A"}, {"key": "a", "name": "B"}],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        attribute.full_clean()
    attribute.values = [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]
    attribute.full_clean()


def test_only_list_attributes_have_choices(county):
    attribute = ServiceAttribute(
        category=county.water, code="meter", datatype="string", description="?",
        values=[{"key": "a", "name": "A"}],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        attribute.full_clean()


SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [(1, 1, True), (9.9, 5, True), (5, 5, False), (11, 5, False), (-0.1, 5, False)],
)
def test_points_inside_a_ring_but_in_its_hole_are_outside(lon, lat, inside):
    assert point_in_rings(lon, lat, [SQUARE, HOLE]) is inside


def test_a_concave_outline_is_handled(db):
    # An L shape: the notch at the top right is outside.
    ell = [[0, 0], [10, 0], [10, 5], [5, 5], [5, 10], [0, 10], [0, 0]]
    assert point_in_rings(2, 8, [ell])
    assert not point_in_rings(8, 8, [ell])


def test_geojson_polygons_and_multipolygons_are_accepted(county):
    boundary = AreaBoundary(
        area=county.other_village,
        polygon={
            "type": "MultiPolygon",
            "coordinates": [[SQUARE], [[[20, 20], [21, 20], [21, 21], [20, 20]]]],
        },
    )
    boundary.full_clean()
    boundary.save()
    assert (boundary.min_lon, boundary.max_lon, boundary.max_lat) == (0, 21, 21)
    assert selectors.area_at_point(lat=20.2, lon=20.8) == county.other_village


@pytest.mark.parametrize(
    "polygon",
    [[], [[[0, 0], [1, 1]]], [[[0, 0], [1, 0], ["x", 1]]], [[[0, 0], [200, 0], [0, 1]]],
     {"type": "Point", "coordinates": [1, 2]}],
)  # fmt: skip
def test_unusable_boundaries_are_refused(county, polygon):
    with pytest.raises(ValidationError):
        AreaBoundary(area=county.village, polygon=polygon).full_clean()


def test_the_deepest_containing_area_wins(county):
    grid = AreaFactory(name="一组", code="G9", kind=AreaKind.GRID, parent=county.village)
    AreaBoundary.objects.create(area=county.county, polygon=[SQUARE])
    AreaBoundary.objects.create(area=grid, polygon=[[[1, 1], [2, 1], [2, 2], [1, 2]]])
    AreaBoundary.objects.create(area=county.village, polygon=[[[0, 0], [3, 0], [3, 3], [0, 3]]])
    assert selectors.area_at_point(lat=1.5, lon=1.5) == grid
    assert selectors.area_at_point(lat=2.5, lon=2.5) == county.village
    assert selectors.area_at_point(lat=8, lon=8) == county.county
    assert selectors.area_at_point(lat=30, lon=30) is None
