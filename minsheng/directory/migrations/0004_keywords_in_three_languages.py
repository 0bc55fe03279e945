"""Category keywords in English and Uyghur too, so a fresh installation's suggestions work
for cases written in those languages. Only categories whose keywords are still the first
seed's are changed: an administrator's own words are kept."""

from django.db import migrations


def add_languages(apps, schema_editor):
    from minsheng.directory.seed import CATEGORIES, CHINESE_ONLY_KEYWORDS

    Category = apps.get_model("directory", "Category")
    new = {row["code"]: row["keywords"] for row in CATEGORIES}
    for code, old in CHINESE_ONLY_KEYWORDS.items():
        Category.objects.filter(code=code, keywords=old).update(keywords=new[code])


def back_to_chinese(apps, schema_editor):
    from minsheng.directory.seed import CATEGORIES, CHINESE_ONLY_KEYWORDS

    Category = apps.get_model("directory", "Category")
    new = {row["code"]: row["keywords"] for row in CATEGORIES}
    for code, old in CHINESE_ONLY_KEYWORDS.items():
        Category.objects.filter(code=code, keywords=new[code]).update(keywords=old)


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_unit_names")]
    operations = [migrations.RunPython(add_languages, back_to_chinese)]
