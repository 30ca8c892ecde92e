"""The translators' round trip: a language of the script table out to a PO file and back.

Why PO (through polib): every translation tool a vendor uses (Poedit, Weblate, Crowdin,
memoQ, Trados, Phrase) opens it, it reads well in a diff, and polib reads and writes it
faithfully, so a vendor never edits Python or the CSV.  One entry per script line:

``msgctxt``   the line id (two lines with the same English stay two entries)
``msgid``     the English text (real line breaks where the table writes ``\\n``)
``msgstr``    the existing translation, or empty
``#.``        translator notes: the claim ids the line rests on (the statement must keep
              saying exactly that), its act and time window (how long it is on screen),
              its style (caption, card value …) and the table's note if any
``#:``        ``script.csv:<row>``, where the line lives

``import_`` writes the language column back (``l10n.write_column``: every other cell and
the row order untouched) and reports, one ``file:line`` each, an entry whose id the table
lacks, an entry with no translation, a fuzzy entry, and an entry translated from English
that has changed since the export; those entries are not imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from .l10n import write_column
from .table import ScriptError, is_language, load_script

SCRIPT = "script.csv"


@dataclass(frozen=True)
class ImportResult:
    changed: list[str]                 # line ids whose cell changed, in file order
    problems: list[str]                # "file:line: <id>: <what>", entries not imported


def _script_path(film_dir) -> Path:
    return Path(film_dir) / SCRIPT


def _check_lang(lang: str, where: str) -> None:
    if lang == "en" or not is_language(lang):
        raise ScriptError(f"{where}: {lang!r} is not a target language code (fr, de, ja, "
                          "pt-BR …; English is the source)")


def export(film_dir, lang: str, path) -> int:
    """Write ``lang``'s PO file for the film's script to ``path``; returns the entry count."""
    spath = _script_path(film_dir)
    _check_lang(lang, str(spath))
    script = load_script(spath)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": Path(film_dir).resolve().name,
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": "en",
    }
    for ln in script:
        notes = [f"claims: {' '.join(ln.claims) or '- (states no fact)'}",
                 f"act {ln.act}, {ln.start:g}-{ln.end:g} s ({ln.end - ln.start:.1f} s on "
                 f"screen), style {ln.style}, position {ln.position}"]
        note = getattr(ln, "note", "")
        if note:
            notes.append(f"note: {note}")
        po.append(polib.POEntry(msgctxt=ln.id, msgid=ln.text["en"],
                                msgstr=ln.text.get(lang, ""), comment="\n".join(notes),
                                occurrences=[(SCRIPT, str(ln.row))]))
    out = Path(path)
    tmp = out.with_name(f".{out.name}.tmp")
    po.save(str(tmp))
    tmp.replace(out)
    return len(po)


def import_(film_dir, lang: str, path) -> ImportResult:
    """Write the translations in the PO file at ``path`` into ``lang``'s column of the
    film's script (module docstring).  Raises ScriptError for a file polib cannot read or
    one made for another language."""
    spath, name = _script_path(film_dir), str(path)
    _check_lang(lang, name)
    script = load_script(spath)
    if not Path(path).is_file():                 # polib would parse the name as PO text
        raise ScriptError(f"{name}: no such PO file")
    try:
        po = polib.pofile(name, wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ScriptError(f"{name}: not a PO file polib can read: {e}") from None
    declared = po.metadata.get("Language", "").strip()
    if declared and declared.replace("_", "-") != lang:
        raise ScriptError(f"{name}:1: the file is for language {declared!r}, not {lang!r}")
    values, problems = {}, []
    for e in po:
        if e.obsolete:
            continue
        where = f"{name}:{e.linenum}"
        lid = e.msgctxt or ""
        if lid not in script:
            problems.append(f"{where}: {lid or '(no msgctxt)'}: line id not in {spath}")
        elif e.msgid != script[lid].text["en"]:
            problems.append(f"{where}: {lid}: the English has changed since this file was "
                            "exported: export again and update this entry")
        elif "fuzzy" in e.flags:
            problems.append(f"{where}: {lid}: marked fuzzy (not yet checked by the "
                            "translator)")
        elif not e.msgstr.strip():
            problems.append(f"{where}: {lid}: no translation")
        else:
            values[lid] = e.msgstr
    changed = write_column(spath, lang, values) if values else []
    return ImportResult(changed, problems)


def main(argv=None) -> int:
    """``python -m hepaanim.script.po export|import FILM_DIR LANG FILE.po``: the round trip
    from a shell.  Import prints one line per entry not imported, then ``changed=N
    problems=M``; exit 1 when there were problems.  A bad file or argument is one line on
    stderr and exit 2."""
    import argparse
    import sys
    ap = argparse.ArgumentParser(prog="python -m hepaanim.script.po",
                                 description="Export a script language to PO, or import it back.")
    ap.add_argument("action", choices=("export", "import"))
    ap.add_argument("film_dir")
    ap.add_argument("lang")
    ap.add_argument("po_file")
    a = ap.parse_args(argv)
    try:
        if a.action == "export":
            print(f"entries={export(a.film_dir, a.lang, a.po_file)}")
            return 0
        result = import_(a.film_dir, a.lang, a.po_file)
    except ScriptError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for p in result.problems:
        print(p)
    print(f"changed={len(result.changed)} problems={len(result.problems)}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
