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


def seeded_keywords() -> dict[str, list[str]]:
    from minsheng.directory.seed import CATEGORIES

    return {row["code"]: row["keywords"].splitlines() for row in CATEGORIES if row["keywords"]}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("No tap water in our lane since Monday", "water"),
        ("كەنتىمىزدە ئىككى كۈندىن بېرى سۇ يوق", "water"),
        ("The bridge over the canal has a big pothole", "roads"),
        ("مەكتەپ ماشىنىسى كەلمىدى، بالىلار مەكتەپكە بارالمىدى", "education"),
        ("ئەخلەت توشۇلمىدى، پۇراق بەك قاتتىق", "environment"),
        ("The village clinic has no doctor on weekends", "health"),
        ("كەلكۈن ئېتىزلارنى بېسىپ كەتتى", "disaster"),
    ],
)
def test_a_fresh_installation_suggests_for_english_and_uyghur_cases(text, code) -> None:
    result = keyword_suggestion(text, keywords=seeded_keywords())

    assert result.categories and result.categories[0][0] == code


def test_the_upgrade_adds_the_languages_but_keeps_an_administrators_words() -> None:
    from importlib import import_module

    from django.apps import apps

    from minsheng.directory.models import Category
    from minsheng.directory.seed import CHINESE_ONLY_KEYWORDS

    migration = import_module("minsheng.directory.migrations.0004_keywords_in_three_languages")
    Category.objects.filter(code="water").update(keywords=CHINESE_ONLY_KEYWORDS["water"])
    Category.objects.filter(code="roads").update(keywords="道路\n桥梁")  # edited by an admin

    migration.add_languages(apps, None)

    assert "tap water" in Category.objects.get(code="water").keywords
    assert Category.objects.get(code="roads").keywords == "道路\n桥梁"
