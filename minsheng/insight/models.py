"""Rollups that dashboards read instead of scanning cases.

Both tables are derived data: ``minsheng rollups rebuild`` recomputes them from the case
timeline at any time, and the ``case_event_committed`` receiver keeps them current.

- ``CaseFact``: one compact row per case with what the indicators need to know about it
  (the days its milestones fell on, its resolve time). Exact medians and the backlog read
  it, filtered by scope and period through its indexes.
- ``DailyRollup``: additive counters per (day, leaf area, unit, category, channel). Each
  case's contribution is stored in its fact, so when the case moves on the receiver
  subtracts the old contribution and adds the new one.
"""

from __future__ import annotations

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
    "closed",
    "closed_rated",
    "rated",
    "rating_sum",
    "rated_4_5",
)


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
    resolved_day = models.DateField(null=True)
    resolve_days = models.FloatField(null=True)
    on_time = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False)
    ended_day = models.DateField(null=True)
    # The case's contribution to DailyRollup: {"2026-10-01": {"raised": 1, …}, …}.
    contribution = models.JSONField(default=dict)

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
