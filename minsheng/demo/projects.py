"""Projects, needs and resources for the demo county, written by the real project actions
under the demo's controlled clock, so the lists, the project pages and the monthly report
have something true to show.

In 东湖 (the township whose supervisor is a demo account): a water-main project grown from
the village's water cases and the water bureau's offered funds, half done; a lane-paving
project finished today, which resolved (or annotated) the road cases linked to
it; a planned clinic; and an open need with a matching offer waiting to be paired.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases.models import Case, Status
from minsheng.demo.clock import frozen_clock
from minsheng.demo.world import PlaceInfo, World
from minsheng.directory.models import Area
from minsheng.projects import actions
from minsheng.projects.models import Project

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _cases(
    user: User,
    area: Area,
    code: str,
    before: dt.datetime,
    limit: int,
    *,
    running_first: bool = False,
) -> list[Case]:
    """Cases of a category in a village, visible to ``user``, whose last change came before
    ``before``: linking them then keeps every case timeline in time order."""
    qs = Case.objects.filter(
        area_path__startswith=area.path, category__code=code, updated_at__lt=before
    ).order_by("created_at")
    cases = [c for c in qs if perms.can_view_case(user, c)]
    if running_first:
        cases.sort(key=lambda c: c.status not in (Status.ACCEPTED, Status.IN_PROGRESS))
    return cases[:limit]


def _places(world: World, township: Area) -> list[PlaceInfo]:
    return [p for p in world.places if p.area.parent_id == township.pk and p.area.kind == "village"]


def _busiest(
    places: list[PlaceInfo], code: str, before: dt.datetime, *, running: bool = False
) -> PlaceInfo:
    """The place with most such cases (accepted or in progress, if ``running``)."""
    qs = Case.objects.filter(category__code=code, updated_at__lt=before)
    if running:
        qs = qs.filter(status__in=(Status.ACCEPTED, Status.IN_PROGRESS))
    counts = {p.area.pk: qs.filter(area_path__startswith=p.area.path).count() for p in places}
    return max(places, key=lambda p: (counts[p.area.pk], -p.area.pk))


def add_projects(*, world: World, now: dt.datetime) -> list[Project]:
    """Create the demo's needs, resources and projects; returns the projects."""
    township = world.township_supervisor_area
    sup = world.township_supervisor
    if township is None or sup is None:
        return []
    places = _places(world, township)
    if len(places) < 4:
        return []
    water = world.departments["water"]
    transport = world.departments["transport"]
    health = world.departments["health"]
    power = world.departments["power"]
    office = world.township_offices[next(k for k, a in world.townships.items() if a == township)]
    hand = world.handler_for_unit
    # The water and road projects go where most such cases came from, so they have cases.
    pipes = _busiest(places, "water", now - 5 * DAY)
    rest = [p for p in places if p is not pipes]
    lanes = _busiest(rest, "roads", now - HOUR * 3, running=True)
    clinic, lights = [p for p in rest if p is not lanes][:2]
    today = timezone.localtime(now).date()

    def at(offset: dt.timedelta):  # type: ignore[no-untyped-def]
        return frozen_clock(now + offset)

    projects: list[Project] = []

    # 1. Water mains: offered funds + a need from the village's water cases → a project.
    with at(-118 * DAY):
        funds = actions.record_resource(
            actor=hand[water.pk],
            sponsor_unit=water,
            area=township,
            title="农村饮水安全巩固提升专项资金",
            amount="1280000",
            description="县水利局2026年度下达东湖镇，用于老旧供水管网改造。",
        )
    with at(-115 * DAY) as moment:
        need = actions.record_need(
            actor=sup,
            area=pipes.area,
            title=f"{pipes.area.name}供水管网老化，经常停水",
            description="多户反映水管爆裂、水压不足，入户管网铺设于2008年前后，已严重老化。",
            category=world.categories["water"],
            cases=[c.pk for c in _cases(sup, pipes.area, "water", moment, 8)],
        )
    with at(-110 * DAY):
        project = actions.match_need_and_resource(
            actor=sup,
            need=need,
            resource=funds,
            title=f"{pipes.area.name}自来水管网改造工程",
            start_date=today - dt.timedelta(days=100),
            end_date=today + dt.timedelta(days=45),
            units=[office, pipes.committee],
        )
        steps = [
            ("设计方案批复", -88),
            ("管材招标采购", -55),
            ("主管网铺设（4.6公里）", 10),
            ("入户改造及通水验收（186户）", 40),
        ]
        milestones = [
            actions.add_milestone(
                actor=sup, project=project, title=t, due_date=today + dt.timedelta(days=d)
            )
            for t, d in steps
        ]
    figures = [(-100, 10, "80000"), (-70, 30, "360000"), (-40, 55, "690000"), (-8, 70, "905000")]
    for days, progress, spent in figures:
        with at(days * DAY):
            actions.update_project(
                actor=hand[water.pk],
                project=project,
                status="in_progress",
                progress=progress,
                spent=spent,
            )
    for milestone, days in zip(milestones[:2], (-86, -52), strict=True):
        with at(days * DAY):
            actions.complete_milestone(
                actor=hand[water.pk], milestone=milestone, done_date=timezone.localdate()
            )
    # Cases raised while the works went on are linked to the project as they come.
    with at(-5 * DAY) as moment:
        linked = set(project.case_links.values_list("case_id", flat=True))
        for case in _cases(sup, pipes.area, "water", moment, 12):
            if case.pk not in linked:
                actions.link_case(actor=sup, project=project, case=case.pk)
    projects.append(project)

    # 2. Lane paving, finished today: its road cases are resolved or annotated.
    with at(-170 * DAY):
        project = actions.create_project(
            actor=hand[transport.pk],
            area=lanes.area,
            title=f"{lanes.area.name}15公里村组道路硬化",
            description="将村内15公里土路硬化为4.5米宽水泥路面，连通六个村民小组。",
            category=world.categories["roads"],
            lead_unit=transport,
            units=[office, lanes.committee],
            budget="2250000",
            start_date=today - dt.timedelta(days=160),
            end_date=today - dt.timedelta(days=5),
        )
        done = [("路基整理", -130), ("水泥路面浇筑", -60), ("竣工验收", -2)]
        lane_milestones = [
            actions.add_milestone(
                actor=hand[transport.pk],
                project=project,
                title=t,
                due_date=today + dt.timedelta(days=d),
            )
            for t, d in done
        ]
    for days, progress, spent in [(-150, 20, "400000"), (-90, 50, "1120000"), (-45, 85, "1890000")]:
        with at(days * DAY):
            actions.update_project(
                actor=hand[transport.pk],
                project=project,
                status="in_progress",
                progress=progress,
                spent=spent,
            )
    for milestone, days in zip(lane_milestones, (-128, -58, -1), strict=True):
        with at(days * DAY):
            actions.complete_milestone(
                actor=hand[transport.pk], milestone=milestone, done_date=timezone.localdate()
            )
    # Finished today: the road cases still open are linked, then resolved by completion.
    with at(-3 * HOUR) as moment:
        for case in _cases(sup, lanes.area, "roads", moment, 8, running_first=True):
            actions.link_case(actor=sup, project=project, case=case.pk)
    with at(-1 * HOUR):
        actions.update_project(actor=hand[transport.pk], project=project, spent="2196500")
        # The village committee completes it: it holds the road cases and may resolve them.
        actions.complete_project(
            actor=hand[lanes.committee.pk],
            project=project,
            outcome="15公里村组道路已全部硬化并通过验收，雨天出行不再泥泞。",
        )
    projects.append(project)

    # 3. A clinic, planned for next month.
    with at(-12 * DAY):
        project = actions.create_project(
            actor=hand[health.pk],
            area=clinic.area,
            title=f"{clinic.area.name}卫生室标准化建设",
            description="新建120平方米村卫生室，配齐诊疗设备，每周两天乡镇医生坐诊。",
            category=world.categories["health"],
            lead_unit=health,
            units=[clinic.committee],
            budget="350000",
            start_date=today + dt.timedelta(days=20),
            end_date=today + dt.timedelta(days=140),
        )
        actions.add_milestone(
            actor=hand[health.pk],
            project=project,
            title="选址及施工图审批",
            due_date=today + dt.timedelta(days=30),
        )
    projects.append(project)

    # 4. An open need and an offer for it, waiting to be turned into a project.
    with at(-9 * DAY):
        actions.record_need(
            actor=sup,
            area=lights.area,
            title=f"{lights.area.name}主干道缺少路灯，夜间出行不便",
            description="村主干道约3公里没有路灯，冬季傍晚学生放学、村民夜间出行存在安全隐患。",
            category=world.categories["energy"],
        )
    with at(-6 * DAY):
        actions.record_resource(
            actor=hand[power.pk],
            sponsor_unit=power,
            area=township,
            title="太阳能路灯80盏（实物捐赠）",
            amount=Decimal("0"),
            description="县供电公司援助，含安装。",
        )
        actions.record_resource(
            actor=world.admin,
            sponsor_unit=world.departments["agriculture"],
            area=world.county,
            title="高标准农田配套灌溉设施资金",
            amount="600000",
        )
    return projects
