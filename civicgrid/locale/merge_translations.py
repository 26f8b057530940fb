"""Merge Chinese translations from TSV files into civicgrid/locale/zh_Hans/LC_MESSAGES/django.po.

Each TSV line is ``english msgid<TAB>中文``; a msgid with a context is written
``context::msgid``. Plural entries take the one Chinese form (zh has a single plural form).
By default only empty or fuzzy entries are filled; ``--overwrite`` lets the files win.

    .venv/bin/python civicgrid/locale/merge_translations.py /work/notes/translations_*.tsv
    cd civicgrid && ../.venv/bin/civicgrid compilemessages
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

PO_PATH = Path(__file__).resolve().parent / "zh_Hans" / "LC_MESSAGES" / "django.po"


def read_tsv(path: Path) -> dict[str, str]:
    translations: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[1].strip():
            print(f"{path}:{number}: skipped (expected 2 tab-separated columns)", file=sys.stderr)
            continue
        translations[parts[0]] = parts[1].strip()
    return translations


def entry_key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid


def merge(po: polib.POFile, translations: dict[str, str], *, overwrite: bool) -> int:
    changed = 0
    for entry in po:
        text = translations.get(entry_key(entry))
        if text is None:
            continue
        is_empty = not (entry.msgstr or any(entry.msgstr_plural.values()))
        if not (overwrite or is_empty or entry.fuzzy):
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
        changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    po = polib.pofile(str(PO_PATH), wrapwidth=100)
    po.metadata_is_fuzzy = False
    po.header = "Simplified Chinese translation of CivicGrid (社会治理综合信息平台)."
    po.metadata["Project-Id-Version"] = "CivicGrid"
    po.metadata["Language-Team"] = "CivicGrid contributors"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    translations: dict[str, str] = {}
    for path in args.files:
        translations.update(read_tsv(path))
    changed = merge(po, translations, overwrite=args.overwrite)
    po.save()
    missing = [
        entry_key(e)
        for e in po
        if not e.obsolete and (e.fuzzy or not (e.msgstr or any(e.msgstr_plural.values())))
    ]
    print(f"{changed} entries updated; {len(missing)} without Chinese (empty or fuzzy)")
    for key in missing:
        print(f"  missing: {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
