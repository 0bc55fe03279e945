"""A fresh installation suggests from the category keywords, never confidently, and
switches to the learned model once enough cases are dispatched."""

from __future__ import annotations

import pytest

from minsheng.triage.keywords import keyword_suggestion
from minsheng.triage.models import ModelKind, Trigger
from minsheng.triage.suggest import KEYWORDS, LEARNED, suggest
from minsheng.triage.training import train_kind
from tests.triage.test_training_support import WATER_TEXT, history, small_thresholds  # noqa: F401

pytestmark = pytest.mark.django_db


def test_keyword_hits_rank_categories_but_are_never_confident() -> None:
    table = {"water": ["停水", "水管", "自来水"], "roads": ["道路", "路灯"]}

    result = keyword_suggestion("自来水水管破了，旁边路灯也不亮", keywords=table)

    assert [code for code, _p in result.categories] == ["water", "roads"]
    assert result.words == ["水管", "自来水"]
    assert result.confident is False


def test_no_keyword_means_no_suggestion() -> None:
    result = keyword_suggestion("隔壁吵闹", keywords={"water": ["停水"]})

    assert result.categories == [] and result.words == []


def test_administrators_keywords_drive_a_fresh_installation(county) -> None:
    county.water.keywords = "停水\n水管\n爆管"
    county.water.save()

    result = suggest(title="", description="村口爆管了", area=county.village)

    assert result.mode == KEYWORDS
    assert result.categories[0].obj == county.water and result.words == ["爆管"]
    assert result.preselect_category is None and result.preselect_unit is None
    # The unit comes from the routing rule for the suggested category in this area.
    assert result.units[0].obj == county.county_unit and result.unit_source == "routing"


def test_learned_model_takes_over_once_trained(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)

    result = suggest(title="", description=WATER_TEXT, area=county.village)

    assert result.mode == LEARNED and result.category_version == 1
    assert result.categories[0].obj == county.water
