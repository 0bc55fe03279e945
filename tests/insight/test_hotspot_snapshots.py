"""The dashboard's hot-spots section reads the last search's snapshot: fast views, a new
search asked of the worker when it is a few minutes old, and stale after acting on one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minsheng.insight import hotspot_snapshots as snapshots
from minsheng.insight.models import HotspotSnapshot
from minsheng.insight.tasks import refresh_hotspots_task
from tests.insight.test_hotspots import BILL, burst, page

TASK = refresh_hotspots_task.module_path


def refreshes_asked() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK))


def age(minutes: float) -> None:
    """Pretend every snapshot was searched ``minutes`` ago."""
    HotspotSnapshot.objects.update(
        computed_at=timezone.now() - dt.timedelta(minutes=minutes), refresh_requested_at=None
    )


def test_the_first_view_searches_and_later_views_show_the_snapshot(client, county):  # type: ignore[no-untyped-def]
    burst(county)
    status, html = page(client, county.admin, "/staff/dashboard/")
    assert status == 200
    assert html.count('class="hs-card"') == 1
    assert "As found at" in html
    [snapshot] = HotspotSnapshot.objects.all()
    assert (snapshot.view_path, snapshot.area_path) == ("/", "")
    assert [s["key"] for s in snapshot.spots] == [f"{county.village.pk}-{county.water.pk}"]

    # A second burst a minute later is not searched for on the next view...
    burst(county, area=county.other_village, text=BILL)
    status, html = page(client, county.admin, "/staff/dashboard/")
    assert html.count('class="hs-card"') == 1
    assert refreshes_asked() == []

    # ...but once the snapshot is a few minutes old the view asks the worker (once),
    # still showing what it has, and the worker's search shows both.
    age(6)
    status, html = page(client, county.admin, "/staff/dashboard/")
    assert html.count('class="hs-card"') == 1
    assert "A new search has been asked for." in html
    page(client, county.admin, "/staff/dashboard/")
    [task] = refreshes_asked()
    assert task.args_kwargs["args"] == [HotspotSnapshot.objects.get().pk]

    assert snapshots.refresh(HotspotSnapshot.objects.get().pk).startswith("2 hot spots")
    status, html = page(client, county.admin, "/staff/dashboard/")
    assert html.count('class="hs-card"') == 2
    assert "A new search has been asked for." not in html


def dashboard(client, user) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    """How many hot spots ``user``'s dashboard shows, and whether it says a new search
    has been asked for."""
    status, html = page(client, user, "/staff/dashboard/")
    assert status == 200
    return html.count('class="hs-card"'), "A new search has been asked for." in html


def test_an_old_snapshot_is_shown_while_the_worker_searches_again(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)
    burst(county)
    # Overnight nobody looked: the morning's first view does not wait for a search...
    age(14 * 60)
    assert dashboard(client, county.supervisor) == (0, True)
    [task] = refreshes_asked()
    # ...and the worker's answer is what the next view shows.
    snapshots.refresh(task.args_kwargs["args"][0])
    assert dashboard(client, county.supervisor) == (1, False)


def test_the_page_searches_itself_when_no_worker_answers(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)
    burst(county)
    age(6)
    dashboard(client, county.supervisor)
    assert len(refreshes_asked()) == 1
    # Views within the grace time neither search nor ask again.
    HotspotSnapshot.objects.update(refresh_requested_at=timezone.now() - dt.timedelta(minutes=9))
    assert dashboard(client, county.supervisor) == (0, True)
    assert len(refreshes_asked()) == 1
    # Ten minutes without an answer: no worker is running, so the page searches.
    HotspotSnapshot.objects.update(refresh_requested_at=timezone.now() - dt.timedelta(minutes=11))
    assert dashboard(client, county.supervisor) == (1, False)
    assert HotspotSnapshot.objects.get().refresh_requested_at is None


def test_a_snapshot_older_than_a_day_is_not_shown(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)
    burst(county)
    age(25 * 60)
    assert dashboard(client, county.supervisor) == (1, False)
    assert refreshes_asked() == []


def test_snapshots_are_kept_per_view_so_no_one_sees_another_area(client, county):  # type: ignore[no-untyped-def]
    burst(county)
    page(client, county.supervisor, "/staff/dashboard/")
    # The other township's supervisor has a snapshot of their own, without the burst.
    status, html = page(client, county.other_supervisor, "/staff/dashboard/")
    assert "No burst of similar open cases right now." in html
    assert HotspotSnapshot.objects.count() == 2
    # Handlers do not see the section at all, and no snapshot is made for them.
    status, html = page(client, county.handler, "/staff/dashboard/")
    assert 'id="hotspots"' not in html
    assert HotspotSnapshot.objects.count() == 2


def test_coordinating_a_hot_spot_asks_every_dashboard_for_a_new_search(client, county):  # type: ignore[no-untyped-def]
    cases = burst(county)
    page(client, county.supervisor, "/staff/dashboard/")
    key = f"{county.village.pk}-{county.water.pk}"
    client.force_login(county.supervisor)
    response = client.post(
        f"/staff/hotspots/{key}/coordinate/",
        {"lead": cases[0].pk, "case": [f"{c.pk}:{c.version}" for c in cases]},
    )
    assert response.status_code in (200, 302)

    status, html = page(client, county.supervisor, "/staff/dashboard/")
    assert "A new search has been asked for." in html
    [task] = refreshes_asked()
    snapshots.refresh(task.args_kwargs["args"][0])
    status, html = page(client, county.supervisor, "/staff/dashboard/")
    assert "No burst of similar open cases right now." in html


def test_the_list_reads_its_own_snapshot_and_searches_live_without_the_split(client, county):  # type: ignore[no-untyped-def]
    burst(county)
    status, html = page(client, county.admin, "/staff/hotspots/")
    assert status == 200 and html.count('class="hs-card"') == 1
    assert "As found at" in html
    burst(county, area=county.other_village, text=BILL)
    # The same settings: the snapshot, until it is a few minutes old.
    status, html = page(client, county.admin, "/staff/hotspots/")
    assert html.count('class="hs-card"') == 1
    # Other settings are their own snapshot, searched now.
    status, html = page(client, county.admin, "/staff/hotspots/?window=7&min=3")
    assert html.count('class="hs-card"') == 2
    # Without the wording split the list searches at once and says no time.
    status, html = page(client, county.admin, "/staff/hotspots/?text=0")
    assert html.count('class="hs-card"') == 2
    assert "As found at" not in html
    # The dashboard keeps its own, smaller snapshot.
    page(client, county.admin, "/staff/dashboard/")
    assert sorted(HotspotSnapshot.objects.values_list("size", flat=True)) == [5, 20, 20]
