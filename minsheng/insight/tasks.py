"""Background work of the insight app."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_hotspots_task(snapshot_id: int) -> str:
    """Search a dashboard's hot spots again (see ``insight.hotspot_snapshots``)."""
    from minsheng.insight.hotspot_snapshots import refresh

    return refresh(snapshot_id)
