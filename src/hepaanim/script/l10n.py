"""Language versions of a script table: writing a language column back, and reading the
figures of a translated line the way its language writes them.

Why a column writer of its own: the table is the translators' file and a diff of it is how
reviewers see what changed, so putting a language back must leave every other cell, the
row order, the quoting and the line endings exactly as they were (``csv`` re-writes a row
the way it reads it; rows we do not touch are copied as the bytes they were).

Why locale-aware figures: "2,7 %" in German and "2.7%" in English are the same figure, and
"70 000" (French), "70.000" (German) and "7万" (Japanese) are all 70000.  Babel knows
each locale's decimal and grouping symbols (CLDR), so a figure is compared as a number,
not as text; a German "2.7 %" (a grouping dot where a decimal comma belongs) reads as 27
and is caught.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.numbers import (NumberFormatError, format_decimal, format_percent, get_decimal_symbol,
                           get_group_symbol, parse_decimal)

from .table import ScriptError, is_language, read_rows

# Spaces a writer may type for the CLDR grouping space (French U+202F): the no-break space
# and the narrow one are both accepted as grouping, an ordinary space never is.
_SPACE_GROUPS = ("\u202f", "\u00a0")
# East Asian counting units written after a figure (7万 = 70000).
_UNITS = {"万": 10_000, "億": 100_000_000}


def babel_locale(lang: str) -> str:
    """The Babel locale for a table's language code (``pt-BR`` -> ``pt_BR``); raises
    ScriptError for a code CLDR does not know."""
    code = lang.replace("-", "_")
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise ScriptError(f"language {lang!r} is not a locale Babel knows") from None
    return code


def _figure_pattern(lang: str) -> re.Pattern:
    loc = babel_locale(lang)
    dec, grp = get_decimal_symbol(loc), get_group_symbol(loc)
    groups = {grp} | (set(_SPACE_GROUPS) if grp in _SPACE_GROUPS or grp.isspace() else set())
    g = "|".join(re.escape(s) for s in sorted(groups))
    units = "".join(_UNITS)
    return re.compile(rf"\d{{1,3}}(?:(?:{g})\d{{3}})+(?:{re.escape(dec)}\d+)?[{units}]?"
                      rf"|\d+(?:{re.escape(dec)}\d+)?[{units}]?")


def figures(text: str, lang: str = "en") -> list[Decimal]:
    """The figures a text shows, as numbers, in reading order, read with ``lang``'s symbols.

    A run of digits with the locale's grouping symbol between groups of three is one figure;
    the locale's decimal symbol between digits makes a fraction; anything else separates
    figures (so ranges "30–40" and "30〜40" are two).  ``万`` and ``億`` after a figure
    multiply it."""
    loc = babel_locale(lang)
    out = []
    for m in _figure_pattern(lang).finditer(text):
        s, mult = m.group(0), 1
        if s[-1] in _UNITS:
            s, mult = s[:-1], _UNITS[s[-1]]
        for sp in _SPACE_GROUPS:
            s = s.replace(sp, get_group_symbol(loc))
        try:
            v = parse_decimal(s, locale=loc)
        except (NumberFormatError, InvalidOperation):
            continue
        out.append((v * mult).normalize())
    return out


def format_figure(value, lang: str, percent: bool = False, narrow_space: bool = True) -> str:
    """A figure as ``lang`` writes it (Babel, CLDR): ``format_figure(2.7, "de", True)`` is
    "2,7 %", ``format_figure(70000, "fr")`` "70 000".  ``value`` is the figure as shown
    (30 for "30 %").  ``narrow_space=False`` writes CLDR's narrow no-break space (U+202F,
    the French grouping space) as a no-break space (U+00A0), for a font that lacks it:
    the film's Lato has no U+202F, so its French table uses U+00A0."""
    loc = babel_locale(lang)
    v = Decimal(str(value))
    s = (format_percent(v / 100, locale=loc, decimal_quantization=False) if percent
         else format_decimal(v, locale=loc, decimal_quantization=False))
    return s if narrow_space else s.replace("\u202f", "\u00a0")


def names_any(text: str, names) -> bool:
    """Does the text name one of ``names``, as a whole Latin word?  Unlike a ``\\b`` test
    this accepts a name run into Japanese text (``Acme社``), which ``\\w`` would
    count as part of the word."""
    low = text.casefold()
    return any(re.search(rf"(?<![A-Za-z]){re.escape(n.casefold())}(?![A-Za-z])", low)
               for n in names)


def escape(text: str) -> str:
    """A text as the table writes it (a line break as the two characters ``\\n``)."""
    return text.replace("\n", "\\n")


def write_column(path, lang: str, values: dict[str, str]) -> list[str]:
    """Set ``lang``'s cell of the rows named in ``values`` (line id -> text, real line
    breaks allowed), adding the column at the end if the table lacks it.  Every other cell,
    the row order and the untouched rows' bytes stay as they were; the file is replaced
    atomically.  Returns the ids whose cell changed.  Raises ScriptError for an id the
    table lacks or a column name that is not a language code."""
    path = Path(path)
    if not is_language(lang):
        raise ScriptError(f"{path}:1:{lang}: not a language column name (e.g. fr, de, ja, "
                          "pt-BR)")
    header, rows = read_rows(path, ("id",), extra=lambda h: True)
    ids = {r["id"].strip(): num for num, r in rows}
    for lid in values:
        if lid not in ids:
            raise ScriptError(f"{path}: line id {lid!r} is not in the table")
    raw = path.read_bytes().decode("utf-8-sig")
    bom = "\ufeff" if path.read_bytes().startswith(b"\xef\xbb\xbf") else ""
    physical = raw.splitlines(keepends=True)
    newline = "\r\n" if physical and physical[0].endswith("\r\n") else "\n"
    add = lang not in header
    col = len(header) if add else header.index(lang)
    by_row = {num: r for num, r in rows}
    changed, out = [], []

    def emit(cells):
        buf = io.StringIO()
        csv.writer(buf, lineterminator=newline).writerow(cells)
        out.append(buf.getvalue())

    reader = csv.reader(raw.splitlines(keepends=True), strict=True)
    start = 0
    for cells in reader:
        num, end = start + 1, reader.line_num
        original = "".join(physical[start:end])
        start = end
        if num == 1:
            emit(cells + [lang]) if add else out.append(original)
            continue
        r = by_row.get(num)
        lid = r["id"].strip() if r is not None else None
        if r is None:                              # a blank row: kept as it was
            out.append(original)
            continue
        new = escape(values[lid]) if lid in values else None
        old = cells[col] if col < len(cells) else ""
        if new is None or new == old:
            if add:
                emit(cells + [""])
            else:
                out.append(original)
            continue
        cells = cells + [""] if add else list(cells)
        cells[col] = new
        emit(cells)
        changed.append(lid)
    text = bom + "".join(out)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)
    return changed
