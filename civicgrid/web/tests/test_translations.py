"""The Chinese translation is complete and its compiled catalogue matches it.

Run ``make messages`` after adding strings; this test fails while a msgid has no Chinese.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_msgid_has_a_chinese_translation() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == []
    assert fuzzy == []
    assert len(catalogue) > 100


def test_compiled_catalogue_matches_the_po_file() -> None:
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in polib.pofile(str(LOCALE / "django.po"))
        if not entry.obsolete
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in polib.mofile(str(LOCALE / "django.mo"))
        if entry.msgid
    }
    assert compiled == source
