"""Every user-visible string has a zh-Hans translation, and the compiled catalog is current."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PACKAGE = Path(settings.BASE_DIR) / "diaodu"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_committed_catalog_is_complete():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]


def test_every_string_in_the_code_is_in_the_catalog(tmp_path, monkeypatch):
    """Extract the strings afresh from a copy of the code; nothing may come out untranslated."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed to check the catalog")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "diaodu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    po = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"strings without a zh-Hans translation (run `make messages`): {missing}"
    # ... and the committed catalog holds nothing that extraction would drop: a string the code
    # translates through a variable or an alias that xgettext does not read (mark it with
    # gettext_noop where it is written) would lose its translation at the next `make messages`.
    extracted = {(e.msgctxt, e.msgid) for e in po}
    dropped = [e.msgid for e in polib.pofile(str(PO)) if (e.msgctxt, e.msgid) not in extracted]
    assert not dropped, f"strings `make messages` would drop from the catalog: {dropped}"


def test_compiled_catalog_matches_the_source():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(entry.msgctxt or None, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get((entry.msgctxt or None, entry.msgid)) == entry.msgstr, entry.msgid


def test_chinese_is_the_default_and_english_works(client, db):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "登录" in client.get("/login/").content.decode()
    with translation.override("en"):
        assert translation.gettext("Project ledger") == "Project ledger"
    # The browser's language does not switch the interface; the language menu does.
    response = client.get("/login/", headers={"accept-language": "en"})
    assert "登录" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get("/login/").content.decode()
