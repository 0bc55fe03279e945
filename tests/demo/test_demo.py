"""The demo county: structure, lifecycle-consistent cases, working accounts, and safety."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from minsheng.accounts.models import Role, User
from minsheng.cases.models import Case, Event, Status
from minsheng.contacts.models import Contact
from minsheng.demo.generator import DemoAlreadyLoaded, build_demo
from minsheng.demo.plans import make_plans
from minsheng.demo.world import DEMO_PASSWORD, build_world
from minsheng.directory.models import Area, AreaKind, Category, Level, Unit
from minsheng.directory.selectors import route_case
from minsheng.intake.models import DeliveryStatus, OutboundMessage

pytestmark = pytest.mark.django_db


def test_demo_county_has_townships_villages_and_grids():
    build_demo(cases=0)
    county = Area.objects.get(kind=AreaKind.COUNTY)
    townships = Area.objects.filter(kind=AreaKind.TOWNSHIP, parent=county)
    places = Area.objects.filter(kind__in=[AreaKind.VILLAGE, AreaKind.COMMUNITY])
    assert townships.count() >= 6
    assert {t.name[-2:] for t in townships} >= {"街道"} and any(
        t.name.endswith("镇") for t in townships
    )
    assert any(t.name.endswith("乡") for t in townships)
    assert places.count() >= 40
    assert places.filter(kind=AreaKind.COMMUNITY).exists() and places.filter(kind=AreaKind.VILLAGE)
    for place in places:
        assert 2 <= place.children.filter(kind=AreaKind.GRID).count() <= 4
    # Residents read their township's name in English and Uyghur too.
    assert all(t.name_en and t.name_ug for t in townships)
    assert places.exclude(name_ug="").count() >= places.count() // 2


def test_units_form_three_levels_and_every_ladder_reaches_the_top():
    build_demo(cases=0)
    tops = Unit.objects.filter(parent__isnull=True)
    assert tops.count() == 1
    top = tops.get()
    assert {u.level for u in Unit.objects.all()} == {Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY}
    for unit in Unit.objects.exclude(pk=top.pk):
        node, hops = unit, 0
        while node.parent_id is not None and hops < 5:
            assert node.parent.level >= node.level
            node, hops = node.parent, hops + 1
        assert node == top
    for committee in Unit.objects.filter(level=Level.VILLAGE):
        assert committee.parent.level == Level.TOWNSHIP
        assert committee.areas.get().kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY)


def test_routing_proposal_depends_on_category_and_place():
    build_demo(cases=0)
    liushu = Area.objects.get(name="柳树村")
    shiqiao = Area.objects.get(name="石桥村")
    water, roads, disputes, health = (
        Category.objects.get(code=code) for code in ("water", "roads", "disputes", "health")
    )
    assert route_case(category=roads, area=liushu).name == "柳树村村民委员会"
    assert route_case(category=water, area=liushu).name == "柳树村村民委员会"
    assert route_case(category=water, area=shiqiao).name == "县水利局"
    assert route_case(category=disputes, area=liushu).name == "东湖镇司法所"
    assert route_case(category=health, area=liushu).name == "县卫生健康委员会"
    grid = liushu.children.first()
    assert route_case(category=roads, area=grid).name == "柳树村村民委员会"


def test_every_demo_account_logs_in_with_the_demo_password(client):
    result = build_demo(cases=0)
    assert len(result.accounts) >= 10
    roles = {a.role for a in result.accounts}
    assert roles == {Role.ADMINISTRATOR, Role.OPERATOR, Role.SUPERVISOR, Role.HANDLER}
    for account in result.accounts:
        assert client.login(username=account.username, password=DEMO_PASSWORD), account
        client.logout()
    assert User.objects.get(username="operator").scope_area.kind == AreaKind.COUNTY
    assert User.objects.get(username="liushu").units.get().name == "柳树村村民委员会"
    assert all(u.display_name for u in User.objects.all())


def test_every_status_appears_in_a_demo_of_150_cases():
    result = build_demo(cases=150, seed=11)
    assert result.cases == 150
    present = set(Case.objects.values_list("status", flat=True))
    assert present == set(Status.values)
    assert result.status_counts == {s: Case.objects.filter(status=s).count() for s in Status.values}
    # The queues look alive: something is overdue and something still has time.
    now = timezone.now()
    running = Case.objects.filter(status__in=["dispatched", "accepted", "in_progress", "escalated"])
    assert running.filter(deadline__lt=now).exists()
    assert running.filter(deadline__gt=now).exists()


def test_each_case_ends_where_its_timeline_says_and_no_event_is_in_the_future():
    build_demo(cases=100, seed=3)
    now = timezone.now()
    assert Event.objects.filter(created_at__gt=now).count() == 0
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.order_by("id"))
        assert events[0].kind == "submitted"
        times = [e.created_at for e in events]
        assert times == sorted(times), case.tracking_code
        assert case.created_at == times[0]
        changes = [e for e in events if e.kind == "submitted" or e.from_status != e.to_status]
        assert changes[-1].to_status == case.status, case.tracking_code
        for feedback in case.feedback.all():
            assert times[0] <= feedback.created_at <= now


def test_cases_spread_over_six_months_with_recent_ones_still_open():
    build_demo(cases=80, seed=5)
    now = timezone.now()
    oldest = Case.objects.order_by("created_at").first().created_at
    assert now - oldest > dt.timedelta(days=120)
    recent = Case.objects.filter(created_at__gte=now - dt.timedelta(days=2))
    assert recent.filter(status__in=["submitted", "dispatched", "accepted", "in_progress"]).exists()
    assert Case.objects.filter(language="ug").exists() or Case.objects.filter(language="en")
    assert Case.objects.values("category").distinct().count() >= 8
    assert Case.objects.values("channel").distinct().count() >= 5


def test_contact_details_are_stored_only_encrypted():
    build_demo(cases=60, seed=9)
    contacts = Contact.objects.exclude(phone_encrypted="")
    assert contacts.count() > 20
    for contact in contacts:
        name, phone = contact.reveal()
        assert phone and phone not in contact.phone_encrypted
        assert phone.replace(" ", "") not in contact.phone_encrypted
        if name:
            assert name not in contact.name_encrypted
        assert phone not in contact.case.description


def test_same_seed_and_moment_give_the_same_plans():
    world = build_world(random.Random("w"))
    now = timezone.now() - dt.timedelta(hours=1)
    first = make_plans(seed=4, count=120, world=world, now=now)
    second = make_plans(seed=4, count=120, world=world, now=now)
    other = make_plans(seed=5, count=120, world=world, now=now)

    def summary(plans):  # type: ignore[no-untyped-def]
        return [(p.created_at, p.fate, p.title, p.area.pk, p.contact_phone) for p in plans]

    assert summary(first) == summary(second)
    assert summary(first) != summary(other)


def test_build_refuses_a_database_that_already_has_areas():
    build_demo(cases=0)
    with pytest.raises(DemoAlreadyLoaded):
        build_demo(cases=0)


def test_command_with_if_empty_does_nothing_the_second_time():
    out = io.StringIO()
    call_command("demo", "--cases", "30", "--if-empty", stdout=out)
    assert Case.objects.count() == 30
    assert DEMO_PASSWORD in out.getvalue() and "operator" in out.getvalue()
    events = Event.objects.count()
    again = io.StringIO()
    call_command("demo", "--cases", "30", "--if-empty", stdout=again)
    assert Case.objects.count() == 30 and Event.objects.count() == events
    assert DEMO_PASSWORD not in again.getvalue()


def test_command_without_if_empty_refuses_to_duplicate():
    call_command("demo", "--cases", "0", stdout=io.StringIO())
    areas = Area.objects.count()
    with pytest.raises(CommandError, match="already holds"):
        call_command("demo", "--cases", "10", stdout=io.StringIO())
    assert Area.objects.count() == areas and Case.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_demo_records_its_texts_but_never_sends_one():
    # Its residents' numbers are invented; with a real SMS gateway configured, loading the
    # demo texted some 1,700 strangers.
    build_demo(cases=60, seed=9)
    messages = OutboundMessage.objects.all()
    assert messages.count() > 5
    assert set(messages.values_list("status", "error").distinct()) == {
        (DeliveryStatus.SKIPPED, "demo data: not sent")
    }


def test_if_empty_skips_a_database_with_only_an_administrator_and_says_why():
    # createsuperuser on a fresh installation, then scripts/start's `demo --if-empty`.
    User.objects.create_superuser("chief", password="a-real-password-1")
    out = io.StringIO()
    call_command("demo", "--cases", "5", "--if-empty", stdout=out)
    assert "already holds accounts" in out.getvalue()
    assert not Area.objects.exists() and not Case.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["chief"]
    assert DEMO_PASSWORD not in out.getvalue()


@pytest.mark.parametrize("what", ["unit", "account"])
def test_demo_refuses_a_database_holding_any_unit_or_account(what):
    if what == "unit":
        Unit.objects.create(name="县水务局", level=Level.COUNTY)
    else:
        User.objects.create_user("clerk", password="a-real-password-1")
    with pytest.raises(CommandError, match="already holds"):
        call_command("demo", "--cases", "5", stdout=io.StringIO())
    assert not Area.objects.exists() and not Case.objects.exists()
