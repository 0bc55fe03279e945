"""Fill the node tables and the rounded times of the facts for cases that existed before
0002: the rollups are derived data, so the rebuild recomputes them from the timelines."""

from django.db import migrations


def rebuild_rollups(apps, schema_editor):  # type: ignore[no-untyped-def]
    Case = apps.get_model("cases", "Case")
    if not Case.objects.exists():
        return
    from minsheng.insight.rollups import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0003_node_rollup_day_indexes"),
        ("cases", "0003_board_visibility"),
    ]

    operations = [migrations.RunPython(rebuild_rollups, migrations.RunPython.noop)]
