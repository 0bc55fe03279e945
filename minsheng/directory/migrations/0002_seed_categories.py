from django.db import migrations


def seed(apps, schema_editor):
    from minsheng.directory.seed import CATEGORIES

    Category = apps.get_model("directory", "Category")
    for order, row in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=row["code"], defaults={**row, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
