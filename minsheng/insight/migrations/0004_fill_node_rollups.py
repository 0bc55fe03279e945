"""Once filled the node tables and the rounded times of the facts for cases that existed
before 0002. The rebuild runs the current code, which writes tables and columns added
later, so it moved to the newest migration that changes the rollups (0007); this one is
kept, empty, so the migration history stays the same."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0003_node_rollup_day_indexes"),
        ("cases", "0003_board_visibility"),
    ]

    operations: list = []
