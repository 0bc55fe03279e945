"""Helpers shared by the training, suggestion and models-page tests: a small history of
dispatched cases with tiny synthetic texts, made through the real lifecycle actions."""

from __future__ import annotations

import random

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from minsheng.triage import registry
from tests.triage.conftest import VOCABULARY, message

WATER_TEXT = "自来水停水水管爆裂"
ROADS_TEXT = "道路坑洼路灯修路"


@pytest.fixture(autouse=True)
def small_thresholds(settings):  # type: ignore[no-untyped-def]
    """Learn from a handful of cases so the tests stay fast."""
    settings.MINSHENG_TRIAGE_MIN_EXAMPLES = 6
    settings.MINSHENG_TRIAGE_MIN_LABELS = 2
    # Twenty-odd training cases cannot show 99 % precision; 90 % they can.
    settings.MINSHENG_TRIAGE_TARGET_PRECISION = 0.9
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    registry.forget()
    yield
    registry.forget()


def text_for(category: str, rng: random.Random) -> tuple[str, str]:
    title, body = message(category, rng, segmented=False)
    return title, body


def history(county, *, per_category: int = 12, seed: int = 0, accept: bool = True) -> list[Case]:  # type: ignore[no-untyped-def]
    """Water cases dispatched to the county water bureau, road cases to the village
    committee; each accepted by its unit. Returns the cases."""
    rng = random.Random(seed)
    made = []
    plan = {
        "water": (county.water, county.county_unit, county.county_handler),
        "roads": (county.roads, county.village_unit, county.handler),
    }
    for _ in range(per_category):
        for code, (category, unit, handler) in plan.items():
            title, body = text_for(code, rng)
            case = actions.submit_case(
                actor=actions.RESIDENT,
                title=title,
                description=body,
                category=category,
                area=county.village,
                channel=Channel.WEB,
            )
            actions.dispatch_case(actor=county.operator, case=case, unit=unit)
            if accept:
                actions.accept_case(actor=handler, case=case)
            made.append(case)
    return made


assert set(VOCABULARY) >= {"water", "roads"}
