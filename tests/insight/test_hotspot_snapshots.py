"""The dashboard's hot-spots section reads the last search's snapshot: fast views, a new
search asked of the worker when it is a few minutes old, and stale after acting on one."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minsheng.insight import hotspot_snapshots as snapshots
from minsheng.insight.models import HotspotSnapshot
from minsheng.insight.tasks import refresh_hotspots_task
from tests.insight.test_hotspots import BILL, burst, dashboard_page, page

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
    status, html = dashboard_page(client, county.admin)
    assert status == 200
    assert html.count('class="hs-card"') == 1
    assert "As found at" in html
    [snapshot] = HotspotSnapshot.objects.all()
    assert (snapshot.view_path, snapshot.area_path) == ("/", "")
    assert [s["key"] for s in snapshot.spots] == [f"{county.village.pk}-{county.water.pk}"]

    # A second burst a minute later is not searched for on the next view...
    burst(county, area=county.other_village, text=BILL)
    status, html = dashboard_page(client, county.admin)
    assert html.count('class="hs-card"') == 1
    assert refreshes_asked() == []

    # ...but once the snapshot is a few minutes old the view asks the worker (once),
    # still showing what it has, and the worker's search shows both.
    age(6)
    status, html = dashboard_page(client, county.admin)
    assert html.count('class="hs-card"') == 1
    assert "A new search has been asked for." in html
    dashboard_page(client, county.admin)
    [task] = refreshes_asked()
    assert task.args_kwargs["args"] == [HotspotSnapshot.objects.get().pk]

    assert snapshots.refresh(HotspotSnapshot.objects.get().pk).startswith("2 hot spots")
    status, html = dashboard_page(client, county.admin)
    assert html.count('class="hs-card"') == 2
    assert "A new search has been asked for." not in html


def dashboard(client, user) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    """How many hot spots ``user``'s dashboard shows, and whether it says a new search
    has been asked for."""
    status, html = dashboard_page(client, user)
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
    dashboard_page(client, county.supervisor)
    # The other township's supervisor has a snapshot of their own, without the burst.
    status, html = dashboard_page(client, county.other_supervisor)
    assert "No burst of similar open cases right now." in html
    assert HotspotSnapshot.objects.count() == 2
    # Handlers do not see the section at all, and no snapshot is made for them.
    status, html = dashboard_page(client, county.handler)
    assert 'id="hotspots"' not in html
    assert HotspotSnapshot.objects.count() == 2


def test_coordinating_a_hot_spot_asks_every_dashboard_for_a_new_search(client, county):  # type: ignore[no-untyped-def]
    cases = burst(county)
    dashboard_page(client, county.supervisor)
    key = f"{county.village.pk}-{county.water.pk}"
    client.force_login(county.supervisor)
    response = client.post(
        f"/staff/hotspots/{key}/coordinate/",
        {"lead": cases[0].pk, "case": [f"{c.pk}:{c.version}" for c in cases]},
    )
    assert response.status_code in (200, 302)

    status, html = dashboard_page(client, county.supervisor)
    assert "A new search has been asked for." in html
    [task] = refreshes_asked()
    snapshots.refresh(task.args_kwargs["args"][0])
    status, html = dashboard_page(client, county.supervisor)
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
    dashboard_page(client, county.admin)
    assert sorted(HotspotSnapshot.objects.values_list("size", flat=True)) == [5, 20, 20]


def test_the_dashboard_does_not_wait_for_a_search_and_fetches_the_section_after(client, county):  # type: ignore[no-untyped-def]
    burst(county)
    # No search yet: the dashboard shows its figures with a section that fetches one.
    status, html = page(client, county.supervisor, f"/staff/dashboard/?area={county.township.pk}")
    assert status == 200
    assert "Searching the open cases for hot spots" in html
    assert 'class="hs-card"' not in html
    assert HotspotSnapshot.objects.count() == 0
    url = re.search(r'data-hs-section="([^"]+)"', html).group(1)
    assert url == f"/staff/hotspots/section/?area={county.township.pk}"

    # The address searches the township and answers with the section alone.
    status, section = page(client, county.supervisor, url)
    assert status == 200
    assert section.count('class="hs-card"') == 1 and "As found at" in section
    assert "<html" not in section
    [snapshot] = HotspotSnapshot.objects.all()
    assert snapshot.area_path == county.township.path

    # The next view shows that search in the page, with nothing more to fetch.
    status, html = page(client, county.supervisor, f"/staff/dashboard/?area={county.township.pk}")
    assert html.count('class="hs-card"') == 1
    assert "data-hs-section" not in html


def test_the_section_address_is_only_for_hot_spot_users_and_their_areas(client, county):  # type: ignore[no-untyped-def]
    assert page(client, county.handler, "/staff/hotspots/section/")[0] == 403
    other = county.other_township
    assert page(client, county.supervisor, f"/staff/hotspots/section/?area={other.pk}")[0] == 404
    assert page(client, county.supervisor, "/staff/hotspots/section/?area=x")[0] == 404
    client.logout()
    response = client.get("/staff/hotspots/section/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert HotspotSnapshot.objects.count() == 0


def test_the_worker_keeps_the_views_people_look_at_searched(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)  # township
    dashboard(client, county.admin)  # whole county
    burst(county)
    assert snapshots.keep_warm() == 0  # both searched just now

    # Friday evening to Monday morning: nobody looks, and the worker searches them hourly.
    HotspotSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=61))
    assert snapshots.keep_warm() == 2
    assert snapshots.keep_warm() == 0  # asked once, not again while the worker is at it
    for task in refreshes_asked():
        assert snapshots.refresh(task.args_kwargs["args"][0]).startswith("1 hot spots")
    assert snapshots.keep_warm() == 0
    # Monday's first view shows the worker's search at once, with the burst in it.
    assert dashboard(client, county.supervisor) == (1, False)


def test_views_nobody_looked_at_for_a_week_are_left_alone(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)
    snapshot = HotspotSnapshot.objects.get()
    assert snapshot.viewed_at is not None
    HotspotSnapshot.objects.update(
        computed_at=timezone.now() - dt.timedelta(days=8),
        viewed_at=timezone.now() - dt.timedelta(days=8),
    )
    assert snapshots.keep_warm() == 0
    assert refreshes_asked() == []


def test_a_view_is_recorded_at_most_hourly_and_the_worker_does_not_count_as_one(client, county):  # type: ignore[no-untyped-def]
    dashboard(client, county.supervisor)
    first = HotspotSnapshot.objects.get().viewed_at
    dashboard(client, county.supervisor)
    assert HotspotSnapshot.objects.get().viewed_at == first  # no write per view

    an_hour_ago = timezone.now() - dt.timedelta(minutes=61)
    HotspotSnapshot.objects.update(viewed_at=an_hour_ago, computed_at=an_hour_ago)
    snapshots.refresh(HotspotSnapshot.objects.get().pk)
    assert HotspotSnapshot.objects.get().viewed_at == an_hour_ago
    dashboard(client, county.supervisor)
    assert HotspotSnapshot.objects.get().viewed_at > an_hour_ago
