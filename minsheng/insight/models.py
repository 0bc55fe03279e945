"""Rollups that dashboards read instead of scanning cases.

Both tables are derived data: ``minsheng rollups rebuild`` recomputes them from the case
timeline at any time, and the ``case_event_committed`` receiver keeps them current.

- ``CaseFact``: one compact row per case with what the indicators need to know about it
  (the days its milestones fell on, its resolve time). Exact medians and the backlog read
  it, filtered by scope and period through its indexes.
- ``DailyRollup``: additive counters per (day, leaf area, unit, category, channel). Each
  case's contribution is stored in its fact, so when the case moves on the receiver
  subtracts the old contribution and adds the new one.

The dashboards read four smaller tables keyed by a *node*: an area (every area on the
case's path, plus ``REGION`` for everything) with ``ALL_UNITS``, or ``REGION`` with one
unit. A county's figures for 90 days are then about 90 rows, whatever the number of cases.

- ``AreaRollup``: the DailyRollup counters per (day, node); it also has rows per (day,
  area, unit) for ranking the units that worked in an area.
- ``AreaRaised``: cases raised per (day, node, category, channel).
- ``AreaHistogram``: how many cases had each rounded response or resolve time, so medians
  and percentiles are exact without reading the cases.
- ``AreaOpen``: cases per (node, day raised, day ended), so the backlog at any date and its
  ages come from a few rows.
- ``AreaStatus``: cases per (node, day raised, category, status now), for the public board.
- ``OpenRaised``: open cases per (area path, category, day raised), for the hot spots.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

# Counter columns of DailyRollup, in one place for the receiver, the rebuild and the readers.
COUNTERS = (
    "raised",
    "responded",
    "response_seconds",
    "resolved",
    "resolved_on_time",
    "resolved_confirmed",
    "resolved_reopened",
    "escalations",
    # Deadlines settled (met by resolving on time, or not) and missed (the case ran out of
    # time with the unit and the sweep escalated it): on-time rate = on time / settled.
    "deadlines",
    "deadlines_missed",
    "extensions",
    "closed",
    "closed_rated",
    "rated",
    "rating_sum",
    "rated_4_5",
)


# Node keys of the dashboard tables.
REGION = 0  # area_id of the node that holds every case
ALL_UNITS = -1  # unit_id of an area's own total (0 means "held by no unit")
# ended_day of a case that has not ended: later than any period, and unique-key friendly.
NOT_ENDED = dt.date(9999, 12, 31)
# AreaHistogram.metric values.
RESPONSE = 1  # value: tenths of an hour from raising to first response, by day raised
RESOLVE = 2  # value: tenths of a working day from raising to resolving, by day resolved


class CaseFact(models.Model):
    """What the indicators know about one case, recomputed from its timeline."""

    case_id = models.BigIntegerField(primary_key=True)
    area_id = models.IntegerField()
    area_path = models.CharField(max_length=255)
    # The unit holding the case now (or when it ended); 0 when no unit holds it.
    unit_id = models.IntegerField(default=0)
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    raised_day = models.DateField()
    raised_at = models.DateTimeField()
    response_seconds = models.BigIntegerField(null=True)
    response_tenths = models.IntegerField(null=True)
    resolved_day = models.DateField(null=True)
    resolve_days = models.FloatField(null=True)
    resolve_tenths = models.IntegerField(null=True)
    on_time = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False)
    ended_day = models.DateField(null=True)
    status = models.CharField(max_length=16, default="")
    # The case's contribution to DailyRollup: {"2026-10-01": {"raised": 1, …}, …}.
    contribution = models.JSONField(default=dict)
    # Its contribution to units it left (escalated from them): {"12": {day: counts}}.
    elsewhere = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["area_path", "resolved_day"], name="fact_scope_resolved"),
            models.Index(fields=["area_path", "raised_day"], name="fact_scope_raised"),
            models.Index(fields=["area_path", "ended_day"], name="fact_scope_ended"),
            models.Index(fields=["unit_id", "resolved_day"], name="fact_unit_resolved"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}"


class DailyRollup(models.Model):
    day = models.DateField()
    area_id = models.IntegerField()
    area_path = models.CharField(max_length=255)
    unit_id = models.IntegerField(default=0)
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    raised = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_confirmed = models.IntegerField(default=0)
    resolved_reopened = models.IntegerField(default=0)
    escalations = models.IntegerField(default=0)
    deadlines = models.IntegerField(default=0)
    deadlines_missed = models.IntegerField(default=0)
    extensions = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_rated = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rated_4_5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_id", "unit_id", "category_id", "channel"],
                name="rollup_key",
            )
        ]
        indexes = [
            models.Index(fields=["area_path", "day"], name="rollup_scope_day"),
            models.Index(fields=["unit_id", "day"], name="rollup_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} area {self.area_id} unit {self.unit_id}"


class AreaRollup(models.Model):
    """DailyRollup counters per day for a node (area or REGION with ALL_UNITS, REGION with
    a unit) and per (area, unit) pair."""

    day = models.DateField()
    area_id = models.IntegerField()
    unit_id = models.IntegerField()
    raised = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    resolved_confirmed = models.IntegerField(default=0)
    resolved_reopened = models.IntegerField(default=0)
    escalations = models.IntegerField(default=0)
    deadlines = models.IntegerField(default=0)
    deadlines_missed = models.IntegerField(default=0)
    extensions = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_rated = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rated_4_5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_id", "unit_id", "day"], name="area_rollup_key")
        ]
        # The ranking reads every unit's rows of an area for a range of days: from the index
        # alone on PostgreSQL (SQLite ignores ``include``).
        indexes = [
            models.Index(
                fields=["area_id", "day"],
                include=["unit_id", "resolved", "resolved_on_time", "deadlines"],
                name="area_rollup_area_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} area {self.area_id} unit {self.unit_id}"


class AreaRaised(models.Model):
    """Cases raised per day, node, category and channel."""

    day = models.DateField()
    area_id = models.IntegerField()
    unit_id = models.IntegerField()
    category_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    raised = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "unit_id", "day", "category_id", "channel"],
                name="area_raised_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} area {self.area_id} unit {self.unit_id}"


class AreaHistogram(models.Model):
    """How many of a node's cases had a given rounded time (see RESPONSE and RESOLVE)."""

    day = models.DateField()
    area_id = models.IntegerField()
    unit_id = models.IntegerField()
    metric = models.SmallIntegerField()
    value = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "unit_id", "metric", "day", "value"],
                name="area_histogram_key",
            )
        ]
        # The figures read both metrics of a node for a range of days.
        indexes = [
            models.Index(
                fields=["area_id", "unit_id", "day"],
                include=["metric", "value", "n"],
                name="area_histogram_node_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} area {self.area_id} unit {self.unit_id} {self.metric}={self.value}"


class AreaOpen(models.Model):
    """A node's cases per day raised and day ended (NOT_ENDED while open)."""

    area_id = models.IntegerField()
    unit_id = models.IntegerField()
    raised_day = models.DateField()
    ended_day = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "unit_id", "raised_day", "ended_day"], name="area_open_key"
            )
        ]
        indexes = [
            models.Index(fields=["area_id", "unit_id", "ended_day"], name="area_open_ended"),
        ]

    def __str__(self) -> str:
        return f"area {self.area_id} unit {self.unit_id} {self.raised_day}–{self.ended_day}"


class AreaStatus(models.Model):
    """Cases per node, day raised, category and status now: the public board's breakdown
    of a period's cases without grouping them."""

    day = models.DateField()
    area_id = models.IntegerField()
    category_id = models.IntegerField()
    status = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "day", "category_id", "status"], name="area_status_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} area {self.area_id} category {self.category_id} {self.status}"


class OpenRaised(models.Model):
    """Open cases per (area path, category, day raised): where hot spots look for bursts,
    so finding them does not group the open cases of a whole region."""

    area_path = models.CharField(max_length=255)
    category_id = models.IntegerField()
    day = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "category_id", "day"], name="open_raised_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["day", "area_path"], include=["category_id", "n"], name="open_raised_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} category {self.category_id}: {self.n}"


class HotspotSnapshot(models.Model):
    """The hot spots last found for one view (what a user may see, within an area), so a
    dashboard shows them without searching the open cases on every visit.

    Derived data like the rollups: the worker refreshes a snapshot when a dashboard finds
    it older than a few minutes, and a page computes it itself only when there is none or
    it is too old to show (see ``insight.hotspot_snapshots``)."""

    view_path = models.CharField(max_length=255)
    area_path = models.CharField(max_length=255)  # "" for the whole view
    window_days = models.SmallIntegerField()
    min_count = models.SmallIntegerField()
    # How many hot spots the search kept: a few for the dashboard, more for the list.
    size = models.SmallIntegerField(default=5)
    computed_at = models.DateTimeField()
    refresh_requested_at = models.DateTimeField(null=True)
    # Set when a hot spot was acted on since: shown until the next search, which is asked for.
    outdated = models.BooleanField(default=False)
    # The hot spots shown, most unusual first, as plain values (see HotSpotSummary).
    spots = models.JSONField(default=list)
    more = models.BooleanField(default=False)
    seconds = models.FloatField(default=0.0)  # how long the search took
    # When a page last showed it (to the hour): the worker keeps the views people look at
    # searched, so the first view after a weekend need not wait.
    viewed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["view_path", "area_path", "window_days", "min_count", "size"],
                name="hotspot_snapshot_key",
            )
        ]

    def __str__(self) -> str:
        return f"hot spots {self.view_path} {self.area_path} at {self.computed_at}"
