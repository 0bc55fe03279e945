"""Give every village and community its SMS code now, not when a poster is first printed.

Codes already drawn stay as they are (posters on the wall keep working); new villages get
theirs when they are created (minsheng.intake.receivers).
"""

from django.db import migrations

POSTER_AREA_KINDS = ("village", "community")


def backfill(apps, schema_editor):
    from minsheng.intake.models import draw_sms_code

    Area = apps.get_model("directory", "Area")
    AreaSmsCode = apps.get_model("intake", "AreaSmsCode")
    for area in Area.objects.filter(kind__in=POSTER_AREA_KINDS, sms_code__isnull=True):
        draw_sms_code(AreaSmsCode, area)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_default_sms_templates"),
        ("directory", "0006_code_validator"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
