"""Chinese and Uyghur catalogues are complete and their compiled files are current."""

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "minsheng" / "locale"


@pytest.mark.parametrize("lang", ["zh_Hans", "ug"])
def test_every_message_is_translated(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert not missing, f"{len(missing)} untranslated in {lang}: {missing[:10]}"


@pytest.mark.parametrize("lang", ["zh_Hans", "ug"])
def test_compiled_catalogue_matches_the_source(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(folder / "django.mo"))}
    for entry in po.translated_entries():
        mo_entry = compiled.get((entry.msgctxt, entry.msgid))
        assert mo_entry is not None, f"{lang}: {entry.msgid!r} not compiled: run scripts/messages"
        assert (mo_entry.msgstr, mo_entry.msgstr_plural) == (
            entry.msgstr,
            entry.msgstr_plural,
        ), f"{lang}: stale django.mo for {entry.msgid!r}: run scripts/messages"


def test_interface_speaks_chinese_first():
    with translation.override("zh-hans"):
        assert translation.gettext("Cases") != "Cases"


@pytest.mark.django_db
def test_resident_home_page_in_uyghur_is_right_to_left():
    client = Client(HTTP_ACCEPT_LANGUAGE="ug")
    html = client.get("/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ug"' in html


def test_uyghur_says_a_field_is_required_not_a_district():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        village = forms.CharField()

    with translation.override("ug"):
        message = Form({}).errors["village"][0]
    assert message == "بۇ تۈرنى چوقۇم تولدۇرۇش كېرەك."
    assert "رايون" not in message
