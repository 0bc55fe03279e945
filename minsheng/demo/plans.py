"""What will happen to each demo case: when it is raised, where, about what, and its fate.

A plan says how a case *should* go (closed after a reopening, declined, stuck and
escalated by the sweep…); the simulation then plays it through the real actions and
adapts when the deadline sweep moves the case first.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from minsheng.cases.models import Channel, Priority
from minsheng.demo import texts
from minsheng.demo.world import PlaceInfo, World
from minsheng.directory.models import Area, Category

HISTORY_DAYS = 182

# Fates, by the age of the case when the demo is loaded. "hold:<status>" stops acting on
# the case once it reaches that status; the deadline sweep may still move it on.
FATES_OLD = {
    "closed": 76, "unrated": 9, "declined": 4, "withdrawn": 4, "merged": 3, "hold:dispatched": 0.25,
}  # fmt: skip
FATES_RECENT = {
    "closed": 62, "unrated": 8, "declined": 4, "withdrawn": 4, "merged": 3,
    "hold:resolved": 5, "hold:in_progress": 4, "hold:accepted": 2, "hold:dispatched": 2,
    "hold:returned": 1, "hold:reopened": 1,
}  # fmt: skip
FATES_FRESH = {
    "closed": 30, "declined": 4, "withdrawn": 3, "merged": 3, "hold:submitted": 6,
    "hold:dispatched": 10, "hold:accepted": 10, "hold:in_progress": 14, "hold:resolved": 8,
    "hold:returned": 4, "hold:reopened": 3, "hold:escalated": 5,
}  # fmt: skip

CHANNELS = {
    Channel.PHONE: 38, Channel.WEB: 20, Channel.QR: 10, Channel.VISIT: 10, Channel.SMS: 7,
    Channel.API: 6, Channel.MEETING: 5, Channel.IMPORT: 4,
}  # fmt: skip
RESIDENT_CHANNELS = (Channel.WEB, Channel.QR, Channel.SMS, Channel.API)
# Share of cases that leave contact details, by channel (a caller's number is known).
CONTACT_SHARE = {
    Channel.PHONE: 0.7, Channel.WEB: 0.4, Channel.QR: 0.3, Channel.SMS: 0.8,
    Channel.VISIT: 0.5, Channel.MEETING: 0.2, Channel.API: 0.5, Channel.IMPORT: 0.3,
}  # fmt: skip
CATEGORY_WEIGHTS = {
    "water": 16, "roads": 15, "environment": 13, "housing": 11, "energy": 9, "agriculture": 7,
    "health": 6, "education": 6, "employment": 6, "disputes": 5, "property": 5, "other": 5,
    "disaster": 3,
}  # fmt: skip
# Hour-of-day weights for residents raising a case (local time).
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.3, 0.6, 1.5, 4, 8, 10, 10, 9, 7, 6, 8, 9, 9, 8, 7, 7, 6,
                5, 3, 2]  # fmt: skip
UYGHUR_TOWNSHIPS = ("baiyang", "xishan", "liuhe")


@dataclass
class Plan:
    idx: int
    created_at: dt.datetime
    fate: str
    rng: random.Random
    fast: bool = False  # a showcase case: steps minutes apart, so it is sure to be where planned
    info: PlaceInfo | None = None
    area: Area | None = None
    category: Category | None = None
    template: texts.Template | None = None
    slots: texts.Slots = field(default_factory=texts.Slots)
    title: str = ""
    description: str = ""
    channel: str = Channel.WEB
    priority: str = Priority.NORMAL
    language: str = "zh-hans"
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str = ""
    contact_phone: str = ""
    misroute: bool = False
    manual_escalate: bool = False
    late: int = 0  # how many deadlines the holding units miss
    reopen: bool = False
    withdraw_at: str | None = None
    extra_notes: int = 0
    merge_into: Plan | None = None
    showcase_duplicate: bool = False
    case_id: int | None = None
    # Where the case stood after the script's last action (status, unit id, deadline).
    state: tuple | None = None
    seen_epoch: int = -1

    @property
    def ending(self) -> str:
        return self.fate.split(":", 1)[0]

    @property
    def hold_at(self) -> str | None:
        return self.fate.split(":", 1)[1] if self.fate.startswith("hold:") else None


def _weighted(rng: random.Random, table: dict) -> object:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _creation_times(rng: random.Random, count: int, now: dt.datetime) -> list[dt.datetime]:
    """Spread over the last six months: more as the service became known, fewer at weekends."""
    local_now = timezone.localtime(now)
    start = local_now.date() - dt.timedelta(days=HISTORY_DAYS)
    days = [start + dt.timedelta(days=i) for i in range(HISTORY_DAYS + 1)]
    weights = [
        (0.55 + 0.65 * i / HISTORY_DAYS) * (0.6 if d.weekday() >= 5 else 1.0)
        for i, d in enumerate(days)
    ]
    out = []
    tz = local_now.tzinfo
    while len(out) < count:
        day = rng.choices(days, weights=weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)),
                                     tzinfo=tz)  # fmt: skip
        # Leave the last quarter hour empty so every first step is safely in the past.
        if moment < now - dt.timedelta(minutes=15):
            out.append(moment)
    return sorted(out)


def _fate_for(rng: random.Random, age: dt.timedelta) -> str:
    days = age.total_seconds() / 86400
    if days > 14:
        fate = _weighted(rng, FATES_OLD)
    elif days > 3:
        fate = _weighted(rng, FATES_RECENT)
    else:
        fate = _weighted(rng, FATES_FRESH)
    if fate == "hold:submitted" and days > 0.5:
        fate = "hold:dispatched"
    return str(fate)


def _flags(plan: Plan) -> None:
    rng = plan.rng
    plan.misroute = plan.hold_at == "returned" or rng.random() < 0.07
    plan.manual_escalate = plan.hold_at == "escalated" or rng.random() < 0.06
    plan.reopen = plan.hold_at == "reopened" or rng.random() < 0.06
    roll = rng.random()
    plan.late = 2 if roll < 0.02 else 1 if roll < 0.12 else 0
    if plan.fast:
        plan.late = 0
    plan.extra_notes = rng.choice([0, 0, 1, 1, 2])
    if plan.ending == "withdrawn":
        plan.withdraw_at = rng.choice(["submitted", "dispatched", "in_progress"])


def _pick_template(plan: Plan, world: World, month: int) -> None:
    rng = plan.rng
    showcase_place = next(p for p in world.places if p.place.login == SHOWCASE_PLACE)
    if plan.ending == "declined":
        plan.template = rng.choice(texts.DECLINED)
        plan.info = showcase_place if plan.fast else rng.choice(world.places)
        return
    if plan.fast:
        # Showcase cases sit in one village's queue, so its account shows a working day.
        plan.info = showcase_place
        plan.template = rng.choice(
            [
                t
                for t in texts.TEMPLATES
                if t.language == "zh-hans"
                and t.cat in COMMITTEE_CATEGORIES
                and t.dispatch_to is None
                and t.fits(kind="village", month=month)
            ]
        )
        return
    roll = rng.random()
    language = "ug" if roll < 0.03 else "en" if roll < 0.045 else "zh-hans"
    places = world.places
    if language == "ug":
        places = [p for p in places if p.township.login in UYGHUR_TOWNSHIPS]
    elif language == "en":
        places = [p for p in places if p.place.kind == "community"]
    weights = [1.6 if p.place.kind == "community" else 1.0 for p in places]
    info = rng.choices(places, weights=weights)[0]
    kind = info.place.kind
    candidates = [
        t for t in texts.TEMPLATES if t.language == language and t.fits(kind=kind, month=month)
    ]
    if not candidates:
        candidates = [
            t for t in texts.TEMPLATES if t.language == "zh-hans" and t.fits(kind=kind, month=month)
        ]
    template_weights = [
        t.weight * CATEGORY_WEIGHTS[t.cat] * (2.0 if t.cat == "energy" and month in texts.HEATING
                                              else 1.0)
        for t in candidates
    ]  # fmt: skip
    plan.template = rng.choices(candidates, weights=template_weights)[0]
    plan.info = info


def _fill(plan: Plan, world: World, *, slots: texts.Slots | None = None) -> None:
    """Everything a resident or an operator types in, derived from the plan's template."""
    rng, template, info = plan.rng, plan.template, plan.info
    assert template is not None and info is not None
    kind = info.place.kind
    plan.category = world.categories[template.cat]
    plan.language = template.language
    if plan.area is None:
        plan.area = rng.choice(info.grids) if rng.random() < 0.15 else info.area
    if template.language != "zh-hans":
        plan.channel = rng.choice(RESIDENT_CHANNELS)
    elif plan.ending == "declined":
        plan.channel = rng.choice([Channel.PHONE, Channel.WEB, Channel.SMS])
    else:
        plan.channel = str(_weighted(rng, CHANNELS))
    plan.slots = slots or texts.make_slots(rng, area_name=info.area.name, kind=kind)
    plan.title = texts.compose_title(rng, template, plan.slots)[:120]
    plan.description = texts.compose_description(
        rng, template, plan.slots, kind=kind, channel=plan.channel
    )
    plan.priority = Priority.URGENT if rng.random() < template.urgent else Priority.NORMAL
    if plan.priority == Priority.URGENT and plan.channel == Channel.IMPORT:
        plan.channel = Channel.PHONE  # an emergency is called in, not copied from a ledger
    if rng.random() < 0.5 and template.language == "zh-hans":
        town = info.township.name
        plan.address = (
            f"{town}{info.area.name}{plan.slots['bld']}"
            if kind == "community" and rng.random() < 0.5
            else f"{town}{info.area.name}{plan.slots['spot']}"
        )
    coord_share = 0.65 if plan.channel in (Channel.QR, Channel.API) else 0.25
    if rng.random() < coord_share:
        plan.latitude = round(info.point[0] + rng.gauss(0, 0.004), 6)
        plan.longitude = round(info.point[1] + rng.gauss(0, 0.005), 6)
    if rng.random() < CONTACT_SHARE[plan.channel]:
        plan.contact_phone = texts.phone_number(rng)
        if plan.channel != Channel.SMS or rng.random() < 0.3:
            plan.contact_name = texts.resident_name(rng, plan.language)


SHOWCASE = [
    # (fate, hours before load, extra flags): one sure example of every status near "now".
    ("hold:submitted", 0.4, {}),
    ("declined", 2.5, {}),
    ("hold:dispatched", 3.0, {}),
    ("hold:returned", 4.0, {"misroute": True}),
    ("hold:accepted", 5.0, {}),
    ("withdrawn", 5.5, {"withdraw_at": "dispatched"}),
    ("hold:escalated", 6.0, {"manual_escalate": True}),
    ("hold:in_progress", 7.0, {}),
    ("merged", 1.5, {"showcase_duplicate": True}),
    ("hold:resolved", 8.0, {}),
    ("hold:reopened", 9.0, {"reopen": True}),
    ("closed", 10.0, {}),
]
# The village whose committee (account "liushu") holds the showcase cases.
SHOWCASE_PLACE = "liushu"
COMMITTEE_CATEGORIES = ("water", "roads", "housing", "environment", "other")
# A case nobody picked up, long enough ago to have climbed to the top and be overdue there.
STUCK_DAYS = 45


def make_plans(*, seed: int, count: int, world: World, now: dt.datetime) -> list[Plan]:
    rng = random.Random(seed)
    showcase = SHOWCASE if count >= len(SHOWCASE) + 20 else []
    stuck = count >= 50
    regular = count - len(showcase) - int(stuck)
    times = _creation_times(rng, regular, now)
    plans: list[Plan] = []
    for i, created in enumerate(times):
        plan = Plan(i, created, _fate_for(rng, now - created), random.Random(f"{seed}:{i}"))
        plans.append(plan)
    for plan in plans:
        _flags(plan)
    base = len(plans)
    if stuck:
        created = now - dt.timedelta(days=STUCK_DAYS, hours=rng.uniform(0, 8))
        plan = Plan(base, created, "hold:dispatched", random.Random(f"{seed}:stuck"))
        _flags(plan)
        plan.late, plan.misroute, plan.manual_escalate = 0, False, False
        plans.append(plan)
    for j, (fate, hours, extra) in enumerate(showcase):
        created = now - dt.timedelta(hours=hours)
        plan = Plan(base + 1 + j, created, fate, random.Random(f"{seed}:show:{j}"), fast=True)
        _flags(plan)
        plan.misroute = plan.manual_escalate = plan.reopen = False
        plan.withdraw_at = None
        for key, value in extra.items():
            setattr(plan, key, value)
        plans.append(plan)
    plans.sort(key=lambda p: p.created_at)

    by_time = plans
    for pos, plan in enumerate(by_time):
        month = timezone.localtime(plan.created_at).month
        if plan.ending == "merged":
            survivor = _survivor_for(plan, by_time[:pos])
            if survivor is not None:
                plan.merge_into = survivor
                plan.info, plan.template, plan.area = (
                    survivor.info,
                    survivor.template,
                    survivor.area,
                )
                _fill(plan, world, slots=survivor.slots)
                continue
            plan.fate = "closed"
            plan.merge_into = None
        _pick_template(plan, world, month)
        _fill(plan, world)
    return plans


def _survivor_for(plan: Plan, earlier: list[Plan]) -> Plan | None:
    """An earlier, still-open-looking case about the same thing, raised up to two days before."""
    if plan.showcase_duplicate:  # it repeats the showcase case that is in progress
        return next((p for p in earlier if p.fast and p.hold_at == "in_progress"), None)
    window = plan.created_at - dt.timedelta(days=2)
    lead_time = plan.created_at - dt.timedelta(minutes=30)
    candidates = [
        p for p in earlier
        if window <= p.created_at <= lead_time
        and p.ending in ("closed", "unrated", "hold")
        and p.merge_into is None
        and p.template is not None
        and p.template.language == "zh-hans"
    ]  # fmt: skip
    return plan.rng.choice(candidates) if candidates else None
