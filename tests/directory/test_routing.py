from minsheng.directory.models import RoutingRule
from minsheng.directory.selectors import route_case
from tests.factories import AreaFactory, UnitFactory


def test_category_rule_beats_a_villages_catch_all_wherever_it_sits(county):
    # Water anywhere goes to the county water bureau, even where a village has a default.
    assert route_case(category=county.water, area=county.village) == county.county_unit
    assert route_case(category=county.roads, area=county.village) == county.village_unit
    grid = AreaFactory(name="一组", parent=county.other_township, kind="grid")
    assert route_case(category=county.water, area=grid) == county.county_unit


def test_deeper_category_rule_beats_a_wider_one(county):
    RoutingRule.objects.create(
        category=county.water, area=county.township, unit=county.township_unit
    )
    assert route_case(category=county.water, area=county.village) == county.township_unit
    assert route_case(category=county.water, area=county.other_village) == county.county_unit


def test_deeper_area_rule_beats_ancestor_rule(county):
    grid = AreaFactory(name="二组", parent=county.village, kind="grid")
    special = UnitFactory(name="二组网格站")
    RoutingRule.objects.create(category=None, area=grid, unit=special)
    assert route_case(category=county.roads, area=grid) == special
    assert route_case(category=county.roads, area=county.village) == county.village_unit


def test_category_rule_beats_catch_all_at_the_same_area(county):
    RoutingRule.objects.create(
        category=county.roads, area=county.village, unit=county.township_unit
    )
    assert route_case(category=county.roads, area=county.village) == county.township_unit
    assert route_case(category=county.roads, area=county.other_village) == (
        county.other_village_unit
    )


def test_inactive_unit_is_never_proposed(county):
    county.village_unit.is_active = False
    county.village_unit.save()
    assert route_case(category=county.roads, area=county.village) is None


def test_moving_an_area_moves_its_subtree_and_case_scope(county, submit):
    case = submit()
    county.township.parent = None
    county.township.name = "东湖镇（划出）"
    county.township.save()
    county.village.refresh_from_db()
    case.refresh_from_db()
    assert county.village.path.startswith(county.township.path)
    assert not county.village.path.startswith(county.county.path)
    assert case.area_path == county.village.path
    assert county.township.name == "东湖镇（划出）"
