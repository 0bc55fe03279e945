from django.db import migrations


def seed(apps, schema_editor):
    from minsheng.intake.sms_defaults import DEFAULT_TEMPLATES

    SmsTemplate = apps.get_model("intake", "SmsTemplate")
    for (kind, language), text in DEFAULT_TEMPLATES.items():
        SmsTemplate.objects.get_or_create(kind=kind, language=language, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
