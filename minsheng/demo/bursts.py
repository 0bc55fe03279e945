"""Recent bursts of alike reports in the demo county, so the hot spots have something to show.

Two things that happen in a real county: a main bursts and a whole village reports no
water within three days (with, in the same days, a few unrelated complaints about the water
bill that must not be lumped in); and a night of heavy rain washes out lanes in three
villages of one township, two reports each — no single village stands out, the township
does. Every case is raised (and some dispatched and accepted) through the lifecycle
actions under the demo's controlled clock, like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
import random

from minsheng.cases import actions
from minsheng.cases.models import Channel, Priority
from minsheng.demo.clock import frozen_clock
from minsheng.demo.world import PlaceInfo, World

OUTAGE_TITLES = (
    "{v}停水了，水管爆了",
    "村里又停水了",
    "{spot}水管破裂，全组没水",
    "停水两天了什么时候来水",
    "家里一滴水都没有",
    "{v}自来水停了",
)
OUTAGE_TEXTS = (
    "{spot}的主水管{since}爆了，水一直往路上冒，现在家里拧开龙头一滴水都没有。",
    "{since}开始停水，到现在还没来水，老人孩子喝水做饭都成问题，牲畜也没水喝。",
    "听说是{spot}那段水管破了，全组都停水了，问村里说在修，也不知道什么时候能修好。",
    "从{since}到现在一直停水，水窖里的水也快用完了，请尽快派人抢修，最好先送点水来。",
    "我们这一片都没水了，{spot}路面上全是水，应该是水管爆了，麻烦赶紧来修。",
)
BILL_TITLES = ("水费比上月多了一倍", "水表读数不对，水费算错了", "这个月水费怎么这么高")
BILL_TEXTS = (
    "这个月收水费的单子上写用了三十多吨，我家就两口人，平时一个月也就五六吨，怀疑抄表抄错了。",
    "抄表员没进院子看表就填了数，水费单上的读数比表上的还大，希望重新核对。",
    "水费比上个月多了一倍，家里没有漏水，想请村里帮忙核实一下水表。",
)
RAIN_TITLES = ("昨晚暴雨把路冲坏了", "{spot}路面被雨水冲垮", "下大雨后{spot}的路过不去了")
RAIN_TEXTS = (
    "昨晚下了一夜暴雨，{spot}那段路被山上下来的水冲出一道大沟，三轮车和摩托车都过不去。",
    "暴雨过后{spot}的路基被冲空了一半，路边塌下去了，晚上走很危险，请尽快修一下。",
)
# How many cases ``add_bursts`` raises: 12 + 3 in one village, 3 × 2 in one township.
BURST_CASES = 21
SPOTS = ("村口", "二组", "小学门口", "村委会旁边", "东头", "桥头")
SINCES = ("前天晚上", "前天下午", "昨天早上", "大前天")


def _fill(text: str, rng: random.Random, info: PlaceInfo) -> str:
    return text.format(v=info.place.name, spot=rng.choice(SPOTS), since=rng.choice(SINCES))


def _place(world: World, login: str) -> PlaceInfo:
    return next(p for p in world.places if p.place.login == login)


def add_bursts(*, world: World, now: dt.datetime, seed: int = 2026) -> int:
    """Raise the bursts in the days before ``now``; returns the number of cases raised."""
    rng = random.Random(f"{seed}:bursts")
    raised = 0
    water = world.categories["water"]
    outage_place = _place(world, "xinghua")
    committee = outage_place.committee
    handler = world.handler_for_unit[committee.pk]
    start = now - dt.timedelta(hours=62)
    for i in range(12):
        at = start + dt.timedelta(hours=i * 5 + rng.uniform(0, 3))
        by_phone = rng.random() < 0.5
        area = rng.choice([outage_place.area, *outage_place.grids])
        with frozen_clock(at):
            case = actions.submit_case(
                actor=world.operator if by_phone else actions.RESIDENT,
                title=_fill(rng.choice(OUTAGE_TITLES), rng, outage_place),
                description=_fill(rng.choice(OUTAGE_TEXTS), rng, outage_place),
                category=water,
                area=area,
                channel=Channel.PHONE if by_phone else rng.choice([Channel.WEB, Channel.SMS]),
                priority=Priority.URGENT if rng.random() < 0.4 else Priority.NORMAL,
            )
        raised += 1
        # The first reports have already been sent to the village committee.
        if i < 4:
            with frozen_clock(at + dt.timedelta(minutes=40)):
                actions.dispatch_case(actor=world.operator, case=case, unit=committee)
            if i < 2:
                with frozen_clock(at + dt.timedelta(hours=2)):
                    actions.accept_case(actor=handler, case=case)
    for i in range(3):
        at = start + dt.timedelta(hours=8 + i * 17 + rng.uniform(0, 4))
        with frozen_clock(at):
            actions.submit_case(
                actor=actions.RESIDENT,
                title=BILL_TITLES[i],
                description=BILL_TEXTS[i],
                category=water,
                area=outage_place.area,
                channel=Channel.WEB,
            )
        raised += 1
    roads = world.categories["roads"]
    rain = now - dt.timedelta(hours=40)
    for login in ("shangzhuang", "xiazhuang", "dawan"):
        info = _place(world, login)
        for _n in range(2):
            at = rain + dt.timedelta(hours=rng.uniform(0, 30))
            with frozen_clock(at):
                actions.submit_case(
                    actor=world.operator,
                    title=_fill(rng.choice(RAIN_TITLES), rng, info),
                    description=_fill(rng.choice(RAIN_TEXTS), rng, info),
                    category=roads,
                    area=info.area,
                    channel=Channel.PHONE,
                )
            raised += 1
    return raised
