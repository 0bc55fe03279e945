"""The demo county's recent bursts show up as the hot spots a supervisor should see."""

from __future__ import annotations

import random

import pytest
from django.test import TestCase
from django.utils import timezone

from minsheng.accounts.models import User
from minsheng.cases.models import Case, Status
from minsheng.demo.bursts import BURST_CASES, add_bursts
from minsheng.demo.world import build_world
from minsheng.insight import hotspots as hs

pytestmark = pytest.mark.django_db


def test_the_demo_bursts_are_found_as_hot_spots():
    world = build_world(random.Random("w"))
    with TestCase.captureOnCommitCallbacks(execute=True):  # rollups kept as after commits
        added = add_bursts(world=world, now=timezone.now())
    assert added == BURST_CASES == Case.objects.count()
    assert Case.objects.filter(status=Status.DISPATCHED).count() == 2
    assert Case.objects.filter(status=Status.ACCEPTED).count() == 2

    township = hs.find_hotspots(user=User.objects.get(username="donghu-sup"))
    # The outage, with the three water-bill complaints of the same days split off.
    assert [(s.area.name, s.category.code, s.count) for s in township] == [
        ("杏花村", "water", 12),
        ("杏花村", "water", 3),
    ]
    assert all("水费" in title for title in township[1].titles)

    county = hs.find_hotspots(user=User.objects.get(username="supervisor"))
    assert ("西山乡", "roads", 6, "township") in [
        (s.area.name, s.category.code, s.count, s.level) for s in county
    ]
    lumped = hs.find_hotspots(user=User.objects.get(username="donghu-sup"), by_text=False)
    assert [s.count for s in lumped] == [15]
