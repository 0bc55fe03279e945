# Tokens get an expiry; those issued before it expire MINSHENG_API_TOKEN_DAYS after issue.

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def set_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = dt.timedelta(days=settings.MINSHENG_API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + days)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_must_change_password'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True, verbose_name='expires at'),
        ),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(verbose_name='expires at'),
        ),
    ]
