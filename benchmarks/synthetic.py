"""A synthetic county and N synthetic cases, for benchmarks only.

The directory (areas, units, routing rules, staff) is created with ordinary model saves,
so Area.save computes the materialised paths exactly as in a real installation. The
cases and their events are then bulk-inserted in batches. That bypasses
``minsheng.cases.actions`` on purpose: this is a benchmark fixture that must put a million
cases in place in minutes. Product code never writes cases this way; every state change
there goes through an action.

The fields are kept consistent with what the actions would have written: ``area_path``
is copied from the area, running cases have a holding unit, a level and a deadline
(some in the past, so they are overdue; some within a day, so they are due soon),
finished cases have their timestamps, and each case has a ``submitted`` event plus one
event for the transition that brought it to its current status.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from minsheng.accounts.models import Role, User
from minsheng.cases.models import (
    TRACKING_ALPHABET,
    ActorKind,
    Case,
    Channel,
    Event,
    EventKind,
    Priority,
    Status,
)
from minsheng.directory.models import Area, AreaKind, Category, Level, RoutingRule, Unit

CODE_PREFIX = "bench-"
HANDLER_USERNAME = "bench-handler"
SUPERVISOR_USERNAME = "bench-supervisor"
OPERATOR_USERNAME = "bench-operator"

TOWNSHIP_NAMES = [
    "东湖镇", "西山乡", "南桥镇", "北坡乡", "青石镇",
    "白杨乡", "河口镇", "柳林乡", "黄土镇", "红旗乡",
]  # fmt: skip
VILLAGE_FIRST = "大小上下前后东西南北新老高低长石桥河沟湾坪岭坡塘庄"
VILLAGE_SECOND = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"

# County departments that take escalations or own a category county-wide.
COUNTY_DEPARTMENTS = [
    ("office", "基准测试县人民政府办公室", None),
    ("water", "基准测试县水利局", "water"),
    ("roads", "基准测试县交通运输局", "roads"),
    ("health", "基准测试县卫生健康委员会", "health"),
    ("education", "基准测试县教育局", "education"),
]

# Share of all cases in each status (percent). Most cases are long finished; 8 % are
# held by a unit, and of those a fifth are overdue and a sixth are due within a day.
STATUS_WEIGHTS = {
    Status.CLOSED: 84.0,
    Status.RESOLVED: 2.5,
    Status.DECLINED: 2.0,
    Status.MERGED: 1.0,
    Status.WITHDRAWN: 1.5,
    Status.SUBMITTED: 0.7,
    Status.RETURNED: 0.3,
    Status.DISPATCHED: 1.5,
    Status.ACCEPTED: 1.5,
    Status.IN_PROGRESS: 3.5,
    Status.ESCALATED: 1.0,
    Status.REOPENED: 0.5,
}
OVERDUE_SHARE = 0.20
# Every run starts with this many running cases in the busy village (see insert_cases).
GUARANTEED_BUSY = 20
DUE_SOON_SHARE = 0.15
# The busy village raises this share of all cases; the others follow a Zipf-like curve.
BUSY_VILLAGE_SHARE = 0.03

CHANNEL_WEIGHTS = {
    Channel.WEB: 40, Channel.QR: 15, Channel.PHONE: 25, Channel.VISIT: 10,
    Channel.MEETING: 3, Channel.SMS: 5, Channel.API: 2,
}  # fmt: skip
CATEGORY_WEIGHTS = {
    "water": 14, "roads": 16, "health": 6, "education": 5, "housing": 10, "energy": 8,
    "environment": 12, "employment": 6, "agriculture": 7, "disaster": 2, "disputes": 4,
    "property": 6, "other": 4,
}  # fmt: skip

PROBLEMS = {
    "water": ["自来水停了{n}天", "水管破裂漏水", "水质发黄有异味", "水压太低楼上没水"],
    "roads": ["路面塌陷出现大坑", "桥面护栏损坏", "村道被山石堵住", "路灯坏了{n}盏"],
    "health": ["卫生室没有医生值班", "常用药缺货{n}天", "疫苗接种点太远"],
    "education": ["校车停运{n}天", "学校厕所漏水", "上学路上没有护栏"],
    "housing": ["危房屋顶漏雨", "院墙开裂", "公租房门窗损坏"],
    "energy": ["停电{n}个小时", "电线老化冒火花", "冬季供暖不热", "燃气管道有异味"],
    "environment": ["垃圾{n}天没人清运", "排水沟堵塞发臭", "河道漂浮垃圾", "夜间工地噪音"],
    "employment": ["社保卡办理进度慢", "工资拖欠{n}个月", "就业补贴没有到账"],
    "agriculture": ["灌溉渠道堵塞", "农机补贴没有到账", "牲畜防疫没人上门"],
    "disaster": ["暴雨后房屋进水", "山体滑坡隐患", "冰雹损坏大棚"],
    "disputes": ["宅基地边界纠纷", "邻里排水纠纷"],
    "property": ["电梯停运{n}天", "小区门禁损坏", "楼道灯不亮"],
    "other": ["公共厕所损坏", "健身器材损坏"],
}
DETAILS = [
    "已经影响到全村老人和孩子的生活，请尽快派人来看看。",
    "之前打过电话但是一直没有人来处理。",
    "附近几户人家都有同样的情况，希望能统一解决。",
    "晚上出行很不方便，担心出安全事故。",
    "请相关部门核实情况后给个答复。",
]

# The event each current status was most likely reached by, and the status before it.
STATUS_EVENT = {
    Status.CLOSED: (EventKind.CLOSED, Status.RESOLVED),
    Status.RESOLVED: (EventKind.RESOLVED, Status.IN_PROGRESS),
    Status.DECLINED: (EventKind.DECLINED, Status.SUBMITTED),
    Status.MERGED: (EventKind.MERGED, Status.SUBMITTED),
    Status.WITHDRAWN: (EventKind.WITHDRAWN, Status.SUBMITTED),
    Status.RETURNED: (EventKind.RETURNED, Status.DISPATCHED),
    Status.DISPATCHED: (EventKind.DISPATCHED, Status.SUBMITTED),
    Status.ACCEPTED: (EventKind.ACCEPTED, Status.DISPATCHED),
    Status.IN_PROGRESS: (EventKind.NOTE, Status.ACCEPTED),
    Status.ESCALATED: (EventKind.ESCALATED, Status.DISPATCHED),
    Status.REOPENED: (EventKind.REOPENED, Status.RESOLVED),
}
RUNNING = {
    Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ESCALATED, Status.REOPENED
}  # fmt: skip
FINISHED_EARLY = {Status.DECLINED, Status.MERGED, Status.WITHDRAWN}

# Tracking codes: "MS" + 8 characters of the product's alphabet, like new_tracking_code,
# but from a bijection of a counter so a million of them never collide (random codes
# would: about 0.6 expected collisions among 10^6 draws from 31^8).
_CODE_SPACE = len(TRACKING_ALPHABET) ** 8
_CODE_MULTIPLIER = 2_654_435_761  # coprime to 31, so i -> i*m mod 31^8 is a bijection
_CODE_OFFSET = 104_729
assert math.gcd(_CODE_MULTIPLIER, _CODE_SPACE) == 1


def tracking_code_for(index: int) -> str:
    value = (index * _CODE_MULTIPLIER + _CODE_OFFSET) % _CODE_SPACE
    chars = []
    for _ in range(8):
        value, digit = divmod(value, len(TRACKING_ALPHABET))
        chars.append(TRACKING_ALPHABET[digit])
    return "MS" + "".join(reversed(chars))


@dataclass
class Directory:
    county: Area
    villages: list[Area]
    village_units: dict[int, Unit]  # village area id -> its village committee
    township_units: dict[int, Unit]  # township area id -> its township office
    county_units: dict[str, Unit]  # category code (or "office") -> county unit
    categories: list[Category]
    busy_village: Area
    handler: User
    supervisor: User
    operator: User
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def busy_unit(self) -> Unit:
        return self.village_units[self.busy_village.pk]

    def county_unit_for(self, category: Category) -> Unit:
        return self.county_units.get(category.code, self.county_units["office"])


def _area(code: str, **fields) -> Area:  # type: ignore[no-untyped-def]
    area = Area.objects.filter(code=code).first()
    if area is None:
        area = Area(code=code, **fields)
        area.save()  # Area.save computes path and depth
    return area


def _unit(code: str, area: Area, **fields) -> Unit:  # type: ignore[no-untyped-def]
    unit, _created = Unit.objects.get_or_create(code=code, defaults=fields)
    unit.areas.set([area])
    return unit


def _user(username: str, *, role: str, password: str | None, **fields) -> User:  # type: ignore[no-untyped-def]
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role = role
    user.display_name = username
    for name, value in fields.items():
        setattr(user, name, value)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def village_names(count: int) -> list[str]:
    pairs = itertools.product(VILLAGE_FIRST, VILLAGE_SECOND)
    return [f"{a}{b}村" for a, b in itertools.islice(pairs, count)]


@transaction.atomic
def build_directory(*, townships: int = 10, villages_per_township: int = 50) -> Directory:
    """Create (or find, if an earlier run made it) the benchmark county and its staff.

    The handler's and supervisor's passwords are new random ones on every call, returned
    in ``passwords``; the operator (the actor on synthetic events) cannot sign in.
    """
    county = _area(
        f"{CODE_PREFIX}C", name="基准测试县", name_en="Benchmark County", kind=AreaKind.COUNTY
    )
    county_units: dict[str, Unit] = {}
    for key, name, _category in COUNTY_DEPARTMENTS:
        parent = county_units.get("office")
        county_units[key] = _unit(
            f"{CODE_PREFIX}U-{key}", county, name=name, level=Level.COUNTY, parent=parent
        )
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    by_code = {c.code: c for c in categories}
    for key, _name, category_code in COUNTY_DEPARTMENTS:
        if category_code and category_code in by_code:
            RoutingRule.objects.get_or_create(
                category=by_code[category_code], area=county, defaults={"unit": county_units[key]}
            )

    names = village_names(townships * villages_per_township)
    villages: list[Area] = []
    village_units: dict[int, Unit] = {}
    township_units: dict[int, Unit] = {}
    for t in range(townships):
        t_name = TOWNSHIP_NAMES[t % len(TOWNSHIP_NAMES)] + (str(t) if t >= 10 else "")
        township = _area(
            f"{CODE_PREFIX}T{t:02d}", name=t_name, kind=AreaKind.TOWNSHIP, parent=county
        )
        t_unit = _unit(
            f"{CODE_PREFIX}U-T{t:02d}",
            township,
            name=f"{t_name}人民政府",
            level=Level.TOWNSHIP,
            parent=county_units["office"],
        )
        township_units[township.pk] = t_unit
        for v in range(villages_per_township):
            index = t * villages_per_township + v
            village = _area(
                f"{CODE_PREFIX}V{index:04d}",
                name=names[index],
                kind=AreaKind.VILLAGE,
                parent=township,
            )
            village_units[village.pk] = _unit(
                f"{CODE_PREFIX}U-V{index:04d}",
                village,
                name=f"{names[index]}村民委员会",
                level=Level.VILLAGE,
                parent=t_unit,
            )
            RoutingRule.objects.get_or_create(
                category=None, area=village, defaults={"unit": village_units[village.pk]}
            )
            villages.append(village)

    busy_village = villages[0]
    passwords = {
        name: secrets.token_urlsafe(18) for name in (HANDLER_USERNAME, SUPERVISOR_USERNAME)
    }
    handler = _user(HANDLER_USERNAME, role=Role.HANDLER, password=passwords[HANDLER_USERNAME])
    handler.units.set([village_units[busy_village.pk]])
    supervisor = _user(
        SUPERVISOR_USERNAME,
        role=Role.SUPERVISOR,
        password=passwords[SUPERVISOR_USERNAME],
        scope_area=county,
    )
    operator = _user(
        OPERATOR_USERNAME,
        role=Role.OPERATOR,
        password=None,  # only the actor on synthetic events; never signs in
        scope_area=county,
    )
    return Directory(
        county=county,
        villages=villages,
        village_units=village_units,
        township_units=township_units,
        county_units=county_units,
        categories=categories,
        busy_village=busy_village,
        handler=handler,
        supervisor=supervisor,
        operator=operator,
        passwords=passwords,
    )


def _level(roll: float, village_below: float, township_below: float) -> int:
    if roll < village_below:
        return Level.VILLAGE
    return Level.TOWNSHIP if roll < township_below else Level.COUNTY


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class CaseMaker:
    """Builds unsaved Case and Event objects with consistent fields, deterministically."""

    def __init__(self, directory: Directory, *, seed: int, now: dt.datetime) -> None:
        self.d = directory
        self.rng = random.Random(seed)
        self.now = now
        others = len(directory.villages) - 1
        zipf = [1 / math.sqrt(rank + 1) for rank in range(others)]
        scale = (1 - BUSY_VILLAGE_SHARE) / sum(zipf)
        self.village_cum = _cumulative([BUSY_VILLAGE_SHARE] + [w * scale for w in zipf])
        self.statuses = list(STATUS_WEIGHTS)
        self.status_cum = _cumulative(list(STATUS_WEIGHTS.values()))
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_cum = _cumulative(list(CHANNEL_WEIGHTS.values()))
        cats = directory.categories
        self.category_cum = _cumulative([CATEGORY_WEIGHTS.get(c.code, 3) for c in cats])
        self.township_of = {v.pk: v.parent_id for v in directory.villages}
        self.merge_targets: list[int] = []

    def _pick(self, items: list, cum: list[float]):  # type: ignore[no-untyped-def]
        return self.rng.choices(items, cum_weights=cum, k=1)[0]

    def _ago(self, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        span = (high - low).total_seconds()
        return self.now - low - dt.timedelta(seconds=self.rng.random() * span)

    def _after(self, start: dt.datetime, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        span = (high - low).total_seconds()
        return min(self.now, start + low + dt.timedelta(seconds=self.rng.random() * span))

    def case(self, index: int, *, busy_running: bool = False) -> Case:
        """One case; ``busy_running`` forces a running case held by the busy village."""
        rng = self.rng
        village = self._pick(self.d.villages, self.village_cum)
        category = self._pick(self.d.categories, self.category_cum)
        status = self._pick(self.statuses, self.status_cum)
        if busy_running:
            village, status = self.d.busy_village, Status.IN_PROGRESS
        if status == Status.MERGED and not self.merge_targets:
            status = Status.DECLINED
        problem = rng.choice(PROBLEMS.get(category.code, PROBLEMS["other"]))
        problem = problem.format(n=rng.randint(2, 9))
        title = f"{village.name}{problem}"
        description = f"{village.name}{rng.randint(1, 12)}组{problem}，{rng.choice(DETAILS)}"
        minute = dt.timedelta(minutes=1)
        hour = dt.timedelta(hours=1)
        day = dt.timedelta(days=1)
        fields: dict = {
            "tracking_code": tracking_code_for(index),
            "title": title[:120],
            "description": description,
            "category": category,
            "area": village,
            "area_path": village.path,
            "address": f"{village.name}{rng.randint(1, 200)}号" if rng.random() < 0.3 else "",
            "channel": self._pick(self.channels, self.channel_cum),
            "priority": Priority.URGENT if rng.random() < 0.05 else Priority.NORMAL,
            "status": status,
            "language": "ug" if rng.random() < 0.08 else "zh-hans",
            "version": 1 if status == Status.SUBMITTED else 2,
        }
        if status in RUNNING:
            created = self._ago(hour, 20 * day)
            fields["dispatched_at"] = self._after(created, 5 * minute, 3 * hour)
            if status in (Status.ACCEPTED, Status.IN_PROGRESS):
                fields["accepted_at"] = self._after(fields["dispatched_at"], 10 * minute, day)
            if status == Status.ESCALATED:
                level = Level.TOWNSHIP if rng.random() < 0.7 else Level.COUNTY
                fields["escalation_count"] = level - 1
            else:
                level = _level(0.0 if busy_running else rng.random(), 0.8, 0.95)
            if status == Status.REOPENED:
                fields["reopen_count"] = 1
            roll = rng.random()
            if busy_running:  # alternate overdue and not, so both pages have rows
                roll = 0.0 if index % 2 else 0.99
            if roll < OVERDUE_SHARE:
                deadline = self._ago(hour, 10 * day)
            elif roll < OVERDUE_SHARE + DUE_SOON_SHARE:
                deadline = self.now + hour / 2 + dt.timedelta(seconds=rng.random() * 22 * 3600)
            else:
                deadline = self.now + 25 * hour + dt.timedelta(seconds=rng.random() * 9 * 86400)
            fields.update(
                current_unit=self._unit_at(level, village, category),
                level=level,
                deadline=deadline,
            )
            last = max(created, fields.get("accepted_at") or fields["dispatched_at"])
        elif status in (Status.SUBMITTED, Status.RETURNED):
            created = self._ago(10 * minute, 2 * day)
            last = self._after(created, 10 * minute, 6 * hour)
            if status == Status.RETURNED:
                fields["dispatched_at"] = created + (last - created) / 2
        elif status == Status.RESOLVED:
            created = self._ago(day, 15 * day)
            fields["dispatched_at"] = self._after(created, 10 * minute, 3 * hour)
            fields["accepted_at"] = self._after(fields["dispatched_at"], 10 * minute, day)
            fields["resolved_at"] = max(fields["accepted_at"], self._ago(hour, 6 * day))
            fields.update(current_unit=self._unit_at(Level.VILLAGE, village, category), level=1)
            fields["resolution"] = "已派人现场处理完毕。"
            last = fields["resolved_at"]
        elif status == Status.CLOSED:
            created = self._ago(16 * day, 3 * 365 * day)
            level = _level(rng.random(), 0.85, 0.97)
            fields["dispatched_at"] = self._after(created, 10 * minute, 6 * hour)
            fields["accepted_at"] = self._after(fields["dispatched_at"], 10 * minute, day)
            fields["resolved_at"] = self._after(fields["accepted_at"], hour, 10 * day)
            fields["closed_at"] = self._after(fields["resolved_at"], hour, 5 * day)
            fields.update(
                current_unit=self._unit_at(level, village, category),
                level=level,
                resolution="已派人现场处理完毕。",
            )
            last = fields["closed_at"]
        else:  # declined, merged or withdrawn before anyone handled it
            created = self._ago(day, 3 * 365 * day)
            fields["closed_at"] = self._after(created, hour, 3 * day)
            if status == Status.MERGED:
                fields["merged_into_id"] = rng.choice(self.merge_targets)
            last = fields["closed_at"]
        fields["created_at"] = created
        fields["updated_at"] = last
        return Case(**fields)

    def _unit_at(self, level: int, village: Area, category: Category) -> Unit:
        if level == Level.VILLAGE:
            return self.d.village_units[village.pk]
        if level == Level.TOWNSHIP:
            return self.d.township_units[self.township_of[village.pk]]
        return self.d.county_unit_for(category)

    def events(self, case: Case) -> list[Event]:
        """The case's ``submitted`` event and the event of its latest transition."""
        submitted = Event(
            case=case,
            kind=EventKind.SUBMITTED,
            actor_kind=ActorKind.RESIDENT,
            created_at=case.created_at,
            to_status=Status.SUBMITTED,
            data={"channel": case.channel},
        )
        if case.status == Status.SUBMITTED:
            return [submitted]
        kind, previous = STATUS_EVENT[Status(case.status)]
        by_resident = case.status in (Status.CLOSED, Status.WITHDRAWN, Status.REOPENED)
        last = Event(
            case=case,
            kind=kind,
            actor=None if by_resident else self.d.operator,
            actor_kind=ActorKind.RESIDENT if by_resident else ActorKind.STAFF,
            created_at=case.updated_at,
            from_status=previous,
            to_status=case.status,
            unit=case.current_unit,
            note=case.resolution if case.status == Status.RESOLVED else "",
        )
        return [submitted, last]


def insert_cases(
    *,
    directory: Directory,
    count: int,
    start_index: int = 0,
    batch_size: int = 5000,
    seed: int = 20240601,
    now: dt.datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Bulk-insert ``count`` cases (and their events) in batches of ``batch_size``.

    Only one batch is held in memory at a time. ``start_index`` must not overlap an
    earlier run's range, or tracking codes would repeat. The first ``GUARANTEED_BUSY``
    cases are running cases of the busy village, half of them overdue, so that even a
    tiny run has rows on the handler's queue and the supervisor's overdue page.
    """
    maker = CaseMaker(directory, seed=seed + start_index, now=now or timezone.now())
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        cases = [
            maker.case(start_index + i, busy_running=i < GUARANTEED_BUSY)
            for i in range(done, done + size)
        ]
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=batch_size)
            events = [event for case in cases for event in maker.events(case)]
            Event.objects.bulk_create(events, batch_size=batch_size * 2)
        maker.merge_targets = [c.pk for c in cases[:500]]
        done += size
        if on_batch is not None:
            on_batch(done)


def analyze() -> None:
    """Refresh planner statistics so query plans match the new table sizes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
