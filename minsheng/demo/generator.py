"""Build the demo county: reference data, staff accounts, and six months of cases.

Every case is raised and moved only by the lifecycle actions (minsheng.cases.actions) and
the deadline sweep, replayed in time order under a controlled clock (``frozen_clock``), so
timelines, deadlines and escalations are exactly what the real system would have written.
Each case is a small script (a generator) that waits for its next moment, looks at where
its case actually is — the sweep may have escalated it meanwhile — and takes the next step
a resident, an operator or a handler would take.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.deadlines import sweep_deadlines
from minsheng.cases.errors import CaseError
from minsheng.cases.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Case,
    Channel,
    Event,
    Feedback,
    Priority,
    Status,
)
from minsheng.cases.selectors import due_soon_before
from minsheng.contacts.actions import reveal_contact
from minsheng.demo import texts
from minsheng.demo.bursts import BURST_CASES, add_bursts
from minsheng.demo.clock import frozen_clock
from minsheng.demo.plans import Plan, make_plans
from minsheng.demo.projects import add_projects
from minsheng.demo.world import DEMO_PASSWORD, Account, World, build_world
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.models import Area, Level, RoutingRule, Unit
from minsheng.intake.notify import recorded_not_sent

logger = logging.getLogger(__name__)

SWEEP_INTERVAL = dt.timedelta(hours=1)
# The sweep and the actions log every pass at INFO; six months of hourly sweeps would
# bury the progress lines, so these loggers are quietened while the demo loads.
QUIET_LOGGERS = ("minsheng.cases.deadlines", "minsheng.cases.actions")


class DemoAlreadyLoaded(Exception):
    """The database already holds data; the demo never mixes itself into real data."""


def data_already_held() -> list[str]:
    """What the database already holds that the demo must not join: any account (a real
    administrator made with createsuperuser), area, unit or case. Empty: safe to load."""
    from minsheng.accounts.models import User
    from minsheng.cases.models import Case

    held = (("accounts", User), ("areas", Area), ("units", Unit), ("cases", Case))
    return [name for name, model in held if model.objects.exists()]


@dataclass
class DemoResult:
    cases: int
    events: int
    status_counts: dict[str, int]
    overdue: int
    due_soon: int
    areas: int
    units: int
    routing_rules: int
    accounts: list[Account] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    seconds: float = 0.0


def build_demo(
    *,
    seed: int = 2026,
    cases: int = 2000,
    now: dt.datetime | None = None,
    stdout: TextIO | None = None,
) -> DemoResult:
    """Create the demo county and ``cases`` cases; the same seed and ``now`` give the same demo.

    All or nothing: one transaction. Refuses (DemoAlreadyLoaded) if any area exists.
    ``now`` is the moment the demo pretends to be loaded at; it may not lie in the future.
    """
    started = time.monotonic()
    real_now = timezone.now()
    now = now or real_now
    if now > real_now:
        raise ValueError("The demo cannot be loaded at a time in the future.")
    if cases < 0:
        raise ValueError("The number of cases cannot be negative.")
    held = data_already_held()
    if held:
        raise DemoAlreadyLoaded("The database already holds " + ", ".join(held) + ".")
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        # The demo's residents have invented phone numbers: record their texts, send none.
        with recorded_not_sent("demo data: not sent"), transaction.atomic():
            if stdout:
                stdout.write("Creating the county, its units, routing rules and staff…\n")
            world = build_world(random.Random(f"{seed}:world"))
            # A full-size demo spends a few of its cases on recent bursts (hot spots).
            bursts = BURST_CASES if cases >= 500 else 0
            plans = make_plans(seed=seed, count=cases - bursts, world=world, now=now)
            Simulation(world=world, plans=plans, now=now, stdout=stdout).run()
            if bursts:
                add_bursts(world=world, now=now, seed=seed)
            add_projects(world=world, now=now)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    counts = dict(
        Case.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    running = Case.objects.filter(status__in=RUNNING_STATUSES)
    return DemoResult(
        cases=sum(counts.values()),
        events=Event.objects.count(),
        status_counts={s.value: counts.get(s.value, 0) for s in Status},
        overdue=running.filter(deadline__lt=real_now).count(),
        due_soon=running.filter(
            deadline__gte=real_now, deadline__lt=due_soon_before(real_now)
        ).count(),
        areas=Area.objects.count(),
        units=Unit.objects.count(),
        routing_rules=RoutingRule.objects.count(),
        accounts=world.accounts,
        seconds=time.monotonic() - started,
    )


def _minutes(rng: random.Random, lo: float, hi: float) -> dt.timedelta:
    return dt.timedelta(minutes=rng.uniform(lo, hi))


def _hours(rng: random.Random, lo: float, hi: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(lo, hi))


class Simulation:
    """Plays every plan's script and an hourly deadline sweep in one time-ordered queue."""

    def __init__(
        self, *, world: World, plans: list[Plan], now: dt.datetime, stdout: TextIO | None
    ) -> None:
        self.world = world
        self.plans = plans
        self.now = now
        self.stdout = stdout
        self.calendar = WorkingCalendar.load()
        self.raised = 0
        self.next_report = 0
        # Bumped whenever the sweep moves a case, so scripts know their view may be stale.
        self.sweep_epoch = 0
        self.retries = 0  # steps refused because the case had moved; looked at again later

    # --- the scheduler -----------------------------------------------------------------

    def run(self) -> None:
        queue: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = [
            (plan.created_at, plan.idx, self.life(plan)) for plan in self.plans
        ]
        if self.plans:
            first = min(p.created_at for p in self.plans)
            queue.append((first + SWEEP_INTERVAL, -1, self.sweeper(first + SWEEP_INTERVAL)))
        heapq.heapify(queue)
        while queue:
            at, seq, script = heapq.heappop(queue)
            with frozen_clock(at):
                follow_up = next(script, None)
            if follow_up is None:
                continue
            # Steps of one case stay in order, and nothing is written after "now".
            follow_up = max(follow_up, at + dt.timedelta(seconds=1))
            if follow_up < self.now:
                heapq.heappush(queue, (follow_up, seq, script))
        with frozen_clock(self.now):
            sweep_deadlines(now=self.now)
        self.report(final=True)

    def sweeper(self, start: dt.datetime) -> Iterator[dt.datetime]:
        """The real sweep on an hourly grid, run in the hours when it has something to do.

        Between runs nothing can fall due unseen: every deadline an action sets lies at
        least ``min_limit`` working days (≥ 24 h) after it is set, and a resolved case
        waits days before auto-closing. So the sweeper sleeps until the next known due
        moment, or a day at most — the daily run also purges expired contact details.
        A sweep skipped in an hour with nothing due is unobservable, and loading is fast.
        """
        min_limit = min(
            min(c.limit_village, c.limit_township, c.limit_county)
            for c in self.world.categories.values()
        )
        at = start
        while True:
            result = sweep_deadlines(now=at)
            if result.escalated or result.flagged_at_top or result.auto_closed:
                self.sweep_epoch += 1
            if min_limit < 1:
                at += SWEEP_INTERVAL
                yield at
                continue
            wake = at + dt.timedelta(days=1)
            due = self.next_due()
            if due is not None and due < wake:
                steps = max(1, math.floor((due - at) / SWEEP_INTERVAL) + 1)
                wake = at + steps * SWEEP_INTERVAL
            at = wake
            yield at

    def next_due(self) -> dt.datetime | None:
        """The earliest moment the sweep will have work: a deadline or an auto-close."""
        found = Case.objects.aggregate(
            deadline=Min("deadline", filter=Q(status__in=RUNNING_STATUSES, overdue_at_top=False)),
            resolved=Min("resolved_at", filter=Q(status=Status.RESOLVED)),
        )
        moments = [found["deadline"]]
        if found["resolved"] is not None:
            moments.append(found["resolved"] + dt.timedelta(days=settings.MINSHENG_AUTO_CLOSE_DAYS))
        moments = [m for m in moments if m is not None]
        return min(moments) if moments else None

    def report(self, *, final: bool = False) -> None:
        if not self.stdout:
            return
        total = len(self.plans)
        if final or (total and self.raised >= self.next_report):
            day = timezone.localtime(timezone.now()).date()
            self.stdout.write(f"  {self.raised}/{total} cases raised (simulated day {day})\n")
            self.next_report = self.raised + max(1, total // 10)

    # --- moments -----------------------------------------------------------------------

    def next_morning(self, at: dt.datetime, rng: random.Random) -> dt.datetime:
        """``at`` if it falls in working hours, else a moment early on the next working day."""
        local = timezone.localtime(at)
        if self.calendar.is_working_day(local.date()) and 8 <= local.hour < 20:
            return at
        day = local.date() if local.hour < 8 else local.date() + dt.timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=local.tzinfo)
        return start + _minutes(rng, 0, 90)

    def in_working_hours(
        self, rng: random.Random, start: dt.datetime, end: dt.datetime, *, any_day: bool = False
    ) -> dt.datetime | None:
        """A random moment between ``start`` and ``end`` in working hours (08–20 on a
        working day, or on any day), or None if the window has none."""
        tz = timezone.get_current_timezone()
        spans = []
        day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
        while day <= last:
            if any_day or self.calendar.is_working_day(day):
                lo = max(start, dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz))
                hi = min(end, dt.datetime.combine(day, dt.time(20, 0), tzinfo=tz))
                if hi > lo:
                    spans.append((lo, hi))
            day += dt.timedelta(days=1)
        if not spans:
            return None
        offset = sum((hi - lo for lo, hi in spans), dt.timedelta()) * rng.random()
        for lo, hi in spans:
            if offset <= hi - lo:
                return lo + offset
            offset -= hi - lo
        return spans[-1][1]

    def within_deadline(
        self, plan: Plan, deadline: dt.datetime | None, lo: float, hi: float
    ) -> dt.datetime:
        """A moment ``lo``–``hi`` of the way to the deadline, in working hours if possible.

        Each step takes only its share of the time left, so a case meant to be handled
        in time is; when its share holds no working hours, the handler works late.
        """
        now, rng = timezone.now(), plan.rng
        if plan.fast:
            return now + _minutes(rng, 8, 35)
        if deadline is None or deadline <= now + dt.timedelta(minutes=30):
            return now + _hours(rng, 0.5, 4)
        span = deadline - now
        start, end = now + span * lo, now + span * hi
        # Prefer the step's own share of a working day; else stretch it, else a weekend day.
        for share, any_day in ((hi, False), (max(hi, 0.6), False), (0.9, False), (0.9, True)):
            found = self.in_working_hours(rng, start, now + span * share, any_day=any_day)
            if found is not None:
                return found
        return start + (end - start) * rng.random()

    def triage_time(self, plan: Plan) -> dt.datetime:
        """The hotline answers from 07:00 to 22:00; night requests wait for the morning."""
        rng = plan.rng
        if plan.fast:
            return timezone.now() + _minutes(rng, 5, 25)
        at = timezone.localtime(timezone.now() + _minutes(rng, 8, 100))
        if at.hour >= 22 or at.hour < 7:
            day = at.date() + dt.timedelta(days=1) if at.hour >= 22 else at.date()
            at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=at.tzinfo) + _minutes(rng, 0, 80)
        return at

    def later(
        self, plan: Plan, lo_hours: float, hi_hours: float, *, awake: tuple[int, int] = (8, 20)
    ) -> dt.datetime:
        """Some hours on, moved to the next morning if that falls outside ``awake`` hours."""
        rng = plan.rng
        if plan.fast:
            return timezone.now() + _minutes(rng, 10, 30)
        at = timezone.localtime(timezone.now() + _hours(rng, lo_hours, hi_hours))
        if awake[0] <= at.hour < awake[1]:
            return at
        day = at.date() + dt.timedelta(days=1) if at.hour >= awake[1] else at.date()
        return dt.datetime.combine(day, dt.time(awake[0], 0), tzinfo=at.tzinfo) + _minutes(
            rng, 10, 120
        )

    # --- who acts ----------------------------------------------------------------------

    def submitter(self, plan: Plan) -> object:
        if plan.channel in (Channel.PHONE, Channel.IMPORT):
            return self.world.operator
        if plan.channel in (Channel.VISIT, Channel.MEETING):
            return self.world.handler_for_unit[plan.info.committee.pk]
        return actions.RESIDENT

    def triager(self, plan: Plan) -> object:
        roll = plan.rng.random()
        w = self.world
        if roll < 0.3 and plan.area.path.startswith(w.township_supervisor_area.path):
            return w.township_supervisor
        if roll > 0.95:
            return w.supervisor
        return w.operator

    def handler(self, unit: Unit) -> object:
        return self.world.handler_for_unit[unit.pk]

    def target_unit(self, plan: Plan) -> Unit:
        if plan.template.dispatch_to:
            return self.world.departments[plan.template.dispatch_to]
        return self.world.proposal(plan.category, plan.area) or self.world.top

    def wrong_unit(self, plan: Plan, target: Unit) -> Unit:
        """Where a hurried operator might first send it: the proposal, or the wrong level."""
        w = self.world
        for candidate in (
            w.proposal(plan.category, plan.area),
            w.department_for(plan.category, plan.info),
            w.township_offices[plan.info.township.login],
            plan.info.committee,
        ):
            if candidate is not None and candidate.pk != target.pk:
                return candidate
        return w.top

    # --- a case's life -----------------------------------------------------------------

    def life(self, plan: Plan) -> Iterator[dt.datetime]:
        rng = plan.rng
        case = self.act(
            plan,
            actions.submit_case,
            actor=self.submitter(plan),
            title=plan.title,
            description=plan.description,
            category=plan.category,
            area=plan.area,
            channel=plan.channel,
            priority=plan.priority,
            language=plan.language,
            address=plan.address,
            latitude=plan.latitude,
            longitude=plan.longitude,
            contact_name=plan.contact_name,
            contact_phone=plan.contact_phone,
        )
        plan.case_id = case.pk
        self.raised += 1
        self.report()
        if plan.hold_at == "submitted":
            return
        yield self.triage_time(plan)
        operator = self.triager(plan)
        if plan.ending == "declined":
            reason = rng.choice(plan.template.decline_reasons)
            self.act(plan, actions.decline_case, actor=operator, case=plan.case_id, reason=reason)
            return
        if plan.ending == "merged":
            survivor = plan.merge_into
            if (
                survivor is not None
                and survivor.case_id is not None
                and Case.objects.filter(pk=survivor.case_id, status__in=OPEN_STATUSES).exists()
            ):
                self.act(
                    plan,
                    actions.merge_case,
                    actor=operator,
                    case=plan.case_id,
                    into=survivor.case_id,
                )
                return
            plan.fate = "closed"  # the original is already done: handle this one on its own
        if plan.withdraw_at == "submitted":
            self.withdraw(plan)
            return
        target = self.target_unit(plan)
        if plan.template.dispatch_to and not plan.fast and rng.random() < 0.3:
            plan.misroute = True  # sent to the routing proposal first, which sends it back
        note = (
            "紧急：请优先处理。" if plan.priority == Priority.URGENT and rng.random() < 0.6 else ""
        )
        if plan.misroute:
            wrong = self.wrong_unit(plan, target)
            self.act(
                plan,
                actions.dispatch_case,
                actor=operator,
                case=plan.case_id,
                unit=wrong,
                note=note,
            )
            yield self.later(plan, 1, 6)
            reason = rng.choice(texts.RETURN_REASONS).format(right=target.name)
            self.act(
                plan,
                actions.return_case,
                actor=self.handler(wrong),
                case=plan.case_id,
                reason=reason,
            )
            if plan.hold_at == "returned":
                return
            yield self.triage_time(plan)
        self.act(
            plan, actions.dispatch_case, actor=operator, case=plan.case_id, unit=target, note=note
        )
        yield from self.handle(plan, target)

    def handle(self, plan: Plan, target: Unit) -> Iterator[dt.datetime]:
        """From dispatch to close: follow the case wherever the sweep or a handler takes it."""
        rng, cid, w = plan.rng, plan.case_id, self.world
        misses = plan.late
        escalated_by_hand = reopened = sent_from_top = False
        notes_written = 0
        for _attempt in range(40):
            if plan.seen_epoch == self.sweep_epoch and plan.state is not None:
                status, unit_id, deadline = plan.state
            else:
                row = Case.objects.values_list("status", "current_unit_id", "deadline").get(pk=cid)
                status, unit_id, deadline = row
            unit = w.units_by_id.get(unit_id)
            if status in FINAL_STATUSES or status == plan.hold_at:
                return
            try:
                if status in (Status.SUBMITTED, Status.RETURNED):
                    yield self.triage_time(plan)
                    self.act(plan, actions.dispatch_case, actor=w.operator, case=cid, unit=target)
                elif status in (Status.DISPATCHED, Status.ESCALATED, Status.REOPENED):
                    if plan.withdraw_at == "dispatched":
                        yield self.later(plan, 1, 12, awake=(7, 22))
                        self.withdraw(plan)
                        return
                    yield self.within_deadline(plan, deadline, 0.03, 0.2)
                    department = w.department_for(plan.category, plan.info)
                    if (
                        unit.pk == w.top.pk
                        and status == Status.ESCALATED
                        and target.level < Level.COUNTY
                        and department is not None
                        and not sent_from_top
                        and rng.random() < 0.6
                    ):
                        note = rng.choice(texts.TOP_DISPATCH_NOTES)
                        self.act(
                            plan,
                            actions.dispatch_case,
                            actor=self.handler(unit),
                            case=cid,
                            unit=department,
                            note=note,
                        )
                        sent_from_top = True
                    else:
                        self.act(plan, actions.accept_case, actor=self.handler(unit), case=cid)
                elif status in (Status.ACCEPTED, Status.IN_PROGRESS):
                    if plan.withdraw_at == "in_progress" and status == Status.IN_PROGRESS:
                        yield self.later(plan, 2, 30, awake=(7, 22))
                        self.withdraw(plan)
                        return
                    if plan.manual_escalate and not escalated_by_hand and unit.parent_id:
                        yield self.within_deadline(plan, deadline, 0.1, 0.35)
                        self.escalate(plan, unit)
                        escalated_by_hand = True
                    elif misses > 0:
                        if status == Status.ACCEPTED:
                            yield self.within_deadline(plan, deadline, 0.1, 0.4)
                            self.act(
                                plan,
                                actions.add_note,
                                actor=self.handler(unit),
                                case=cid,
                                note=rng.choice(texts.LATE_NOTES),
                            )
                        else:
                            # Let the deadline pass; the hourly sweep escalates the case.
                            yield deadline + _hours(rng, 1.2, 5)
                            misses -= 1
                    elif status == Status.ACCEPTED or notes_written < plan.extra_notes:
                        yield self.within_deadline(plan, deadline, 0.15, 0.45)
                        self.act(
                            plan,
                            actions.add_note,
                            actor=self.handler(unit),
                            case=cid,
                            note=self.note_text(plan),
                        )
                        notes_written += 1
                    else:
                        yield self.within_deadline(plan, deadline, 0.35, 0.85)
                        if (plan.contact_phone or plan.contact_name) and rng.random() < 0.3:
                            reveal_contact(
                                actor=self.handler(unit), case=cid, reason="回访核实处理结果"
                            )
                        resolution = plan.slots.render(rng.choice(plan.template.resolutions))
                        self.act(
                            plan,
                            actions.resolve_case,
                            actor=self.handler(unit),
                            case=cid,
                            resolution=resolution,
                        )
                elif status == Status.RESOLVED:
                    unhappy = plan.reopen and not reopened
                    if plan.ending == "unrated" and not unhappy:
                        return  # the sweep closes it after the waiting period
                    by_resident = self.rates_online(plan)
                    yield self.rating_time(plan, by_resident=by_resident)
                    self.rate(plan, by_resident=by_resident, unhappy=unhappy)
                    reopened = reopened or unhappy
            except CaseError as exc:
                # The sweep or another step moved the case first: look again a bit later.
                logger.debug("demo case %s: %s", cid, exc)
                self.retries += 1
                yield timezone.now() + dt.timedelta(minutes=30)

    # --- single steps ------------------------------------------------------------------

    def act(self, plan: Plan, action, **kwargs) -> Case:  # type: ignore[no-untyped-def]
        """Call one lifecycle action and remember where it left the case.

        The remembered state is trusted until the sweep next moves any case; that saves a
        query per step without ever acting on a stale view.
        """
        case = action(**kwargs)
        plan.state = (case.status, case.current_unit_id, case.deadline)
        plan.seen_epoch = self.sweep_epoch
        return case

    def note_text(self, plan: Plan) -> str:
        rng = plan.rng
        pool = list(plan.template.notes) or list(texts.GENERIC_NOTES)
        if rng.random() < 0.2:
            pool = list(texts.GENERIC_NOTES)
        if (plan.contact_phone or plan.contact_name) and rng.random() < 0.15:
            pool = list(texts.CONTACT_NOTES)
        return plan.slots.render(rng.choice(pool))

    def escalate(self, plan: Plan, unit: Unit) -> None:
        rng = plan.rng
        supervisor = self.world.supervisor
        if rng.random() < 0.2:
            reason = rng.choice(texts.SUPERVISOR_ESCALATION_REASONS)
            self.act(
                plan, actions.escalate_case, actor=supervisor, case=plan.case_id, reason=reason
            )
        else:
            reason = rng.choice(texts.ESCALATION_REASONS)
            self.act(
                plan,
                actions.escalate_case,
                actor=self.handler(unit),
                case=plan.case_id,
                reason=reason,
            )

    def withdraw(self, plan: Plan) -> None:
        rng = plan.rng
        if plan.channel in (Channel.PHONE, Channel.IMPORT):
            self.act(
                plan,
                actions.withdraw_case,
                actor=self.world.operator,
                case=plan.case_id,
                reason=rng.choice(texts.WITHDRAW_BY_OPERATOR),
            )
        else:
            self.act(
                plan,
                actions.withdraw_case,
                actor=actions.RESIDENT,
                case=plan.case_id,
                reason=rng.choice(texts.WITHDRAW_REASONS),
            )

    def rates_online(self, plan: Plan) -> bool:
        """Residents who wrote in often rate on the tracking page; others on a call-back."""
        online = (Channel.WEB, Channel.QR, Channel.API, Channel.SMS)
        return plan.channel in online and plan.rng.random() < 0.65

    def rating_time(self, plan: Plan, *, by_resident: bool) -> dt.datetime:
        rng, now = plan.rng, timezone.now()
        if plan.fast:
            return now + _minutes(rng, 10, 40)
        if by_resident:
            return self.later(plan, 0.5, 40, awake=(7, 23))
        return self.next_morning(now + _hours(rng, 2, 30), rng)

    def rate(self, plan: Plan, *, by_resident: bool, unhappy: bool) -> None:
        """The resident rates on the tracking page, or tells the operator on a call-back."""
        rng = plan.rng
        actor = actions.RESIDENT if by_resident else self.world.operator
        if unhappy:
            rating, solved, comment = rng.choice([1, 1, 2]), False, rng.choice(texts.BAD_COMMENTS)
        else:
            rating = rng.choices([5, 4, 3], weights=[58, 30, 12])[0]
            solved = True
            if rating == 3:
                comment = rng.choice(texts.OK_COMMENTS)
            elif by_resident:
                comment = rng.choice(texts.GOOD_COMMENTS)
            else:
                comment = rng.choice(texts.CALLBACK_COMMENTS)
        self.act(
            plan,
            actions.rate_case,
            actor=actor,
            case=plan.case_id,
            rating=rating,
            is_solved=solved,
            comment=comment,
        )
        # Feedback.created_at has ``default=timezone.now`` (the real clock, captured when the
        # model was built), so the row just written carries the load time; give it the
        # moment of the rating. Nothing matches once rate_case stamps it explicitly.
        moment = timezone.now()
        Feedback.objects.filter(case_id=plan.case_id, created_at__gt=moment).update(
            created_at=moment
        )
