"""Reference data: areas, categories, units."""

from tests.api.conftest import Api


def test_areas_filter_by_parent_and_kind(county, public_api):
    children = public_api.get("/api/areas", {"parent": county.township.pk}).json()["items"]
    assert [a["code"] for a in children] == ["V1"]
    assert children[0]["parent_id"] == county.township.pk
    townships = public_api.get("/api/areas", {"kind": "township"}).json()["items"]
    assert {a["code"] for a in townships} == {"T1", "T2"}


def test_areas_come_a_page_at_a_time(county, public_api):
    first = public_api.get("/api/areas", {"limit": 3}).json()
    rest = public_api.get("/api/areas", {"limit": 3, "offset": first["next_offset"]}).json()
    assert first["next_offset"] == 3 and rest["next_offset"] is None
    codes = [a["code"] for a in first["items"] + rest["items"]]
    assert sorted(codes) == ["C1", "T1", "T2", "V1", "V2"]


def test_area_label_follows_the_request_language(county):
    county.village.name_en = "Willow Village"
    county.village.save()
    english = Api(language="en").get("/api/areas", {"code": "V1"}).json()["items"][0]
    chinese = Api(language="zh-hans").get("/api/areas", {"code": "V1"}).json()["items"][0]
    assert (english["label"], chinese["label"]) == ("Willow Village", "柳树村")


def test_categories_list_time_limits(county, public_api):
    water = next(c for c in public_api.get("/api/categories").json() if c["code"] == "water")
    assert water["limit_village"] == county.water.limit_village
    assert water["limit_county"] == county.water.limit_county


def test_units_are_for_staff(county, api_as, public_api):
    assert public_api.get("/api/units").status_code == 401
    units = api_as(county.operator).get("/api/units", {"area": county.village.pk}).json()
    assert [u["id"] for u in units] == [county.village_unit.pk]
    assert units[0]["parent_id"] == county.township_unit.pk
