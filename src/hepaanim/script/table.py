"""The script table: every word a film puts on screen, one CSV row per line.

Why CSV: it opens in any spreadsheet (a copywriter or translator edits it without reading
Python), and it is one row per text line, so a diff of two versions shows exactly which
on-screen line changed.  The file is UTF-8 with a header row; columns:

``id``        unique line id, e.g. ``organ.title`` or ``survival.value`` (a card's parts are
              rows of their own, named ``<card>.<part>``, so a card's figures live here too)
``act``       the act that places the line
``in, out``   the line's time window, in seconds relative to the act's start
``style``     a compositor style (``STYLES``): ``lower_third``, ``title``, ``label``,
              ``card`` (a drawn card; its text is the card's text alternative, what the
              subtitles say) and a card's parts ``card_kicker``, ``card_title``,
              ``card_value``, ``card_text``, ``card_axis`` (scale marks) and
              ``card_source`` (the card's footnote), and ``description`` (never shown:
              the audio description, what is on screen that the narration does not say,
              spoken in the narration's pauses with ``--described`` and written to
              ``<name>.descriptions.vtt``; no act places it, its window is when what it
              describes is on screen)
``position``  where the style puts it: ``bottom``, ``center``, ``right``, ``top_right`` …
``fade``      optional: seconds of fade in and out (empty: the engine's default)
``note``      optional: a remark for writers and reviewers (never shown)
``voice``     optional: ``yes`` (the line is narrated: spoken by the voice-over, its caption
              timed to the take), ``no`` (shown only), or empty: the style decides, narrated
              for ``lower_third`` and ``title`` (what a narrator says), shown only for
              labels and cards (their words are on screen as figures and scale marks).
              One decision for every language: a line narrated in English is narrated in
              each translation (its take: ``voice/<id>.<lang>.flac`` or ``.wav``
              recorded, else the shipped scratch ``.opus``)
``claims``    space-separated claim ids from the claims ledger the line rests on, or ``-``
              for a line that states no fact (a title word, a scale label, a source line)
``en``        the English text; further columns named by a language code (``fr``,
              ``de``, ``ja``, ``pt-BR`` …) are its translations
``reading_<lang>``  optional: how the scratch voice says a line in that language, where a
              synthetic voice cannot read the text itself (``reading_ja``: the Japanese
              line in kana, as a voice talent's script carries its yomigana; espeak-ng
              reads kana, not kanji).  Never shown; a take made from it goes stale when
              either the text or its reading changes

A line break inside a text is written ``\\n`` (two characters) so that every row stays one
line of the file; the loader turns it into a real line break.  Any mistake raises
``ScriptError`` with one line naming ``file:row:column`` (row 1 is the header).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

STYLES = ("lower_third", "title", "label", "card", "card_kicker", "card_title",
          "card_value", "card_text", "card_axis", "card_source", "description")
NARRATED_STYLES = ("lower_third", "title")     # narrated when the voice column is empty
REQUIRED = ("id", "act", "in", "out", "style", "position", "claims", "en")
OPTIONAL = ("fade", "note", "voice")
READING = "reading_"                            # reading_<lang>: how a voice says a line
NO_FACT = "-"
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class ScriptError(ValueError):
    """A malformed script, claims or references file; str() is one line, file:row:column."""


@dataclass(frozen=True)
class Line:
    """One on-screen line: where it sits in its act, how it looks, what it says and rests on."""
    id: str
    act: str
    start: float                       # act-relative seconds (the ``in`` column)
    end: float                         # act-relative seconds (the ``out`` column)
    style: str
    position: str
    claims: tuple[str, ...]            # () when the line states no fact (``-``)
    text: dict[str, str]               # language code -> text ("en" always present)
    fade: float | None = None
    row: int = 0                       # the row in the file (header = 1)
    file: str = ""
    voice: bool | None = None          # the ``voice`` column: True/False, None = by style
    readings: dict = field(default_factory=dict)   # lang -> the ``reading_<lang>`` column

    @property
    def narrated(self) -> bool:
        """Spoken by the voice-over (``voice`` column, else the style: module docstring)."""
        if self.style == "description":
            return False
        return self.voice if self.voice is not None else self.style in NARRATED_STYLES

    @property
    def states_fact(self) -> bool:
        return bool(self.claims)

    @property
    def card(self) -> str | None:
        """The card a line belongs to (``survival`` for ``survival.value``), None if not a
        card's."""
        return self.id.split(".", 1)[0] if self.style.startswith("card") else None

    def where(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass(frozen=True)
class Script:
    """The table, rows in file order, with lookup by id."""
    path: str
    lines: tuple[Line, ...]
    languages: tuple[str, ...]
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._by_id.update({ln.id: ln for ln in self.lines})

    def __getitem__(self, line_id: str) -> Line:
        return self._by_id[line_id]

    def __contains__(self, line_id: str) -> bool:
        return line_id in self._by_id

    def __iter__(self):
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def for_act(self, act: str) -> tuple[Line, ...]:
        return tuple(ln for ln in self.lines if ln.act == act)


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = (),
              extra=None) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (row number, {column: cell}) of a UTF-8 CSV table, checked for shape.

    ``extra(column) -> bool`` says which columns beyond required and optional are allowed."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise ScriptError(f"{name}: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = raw[:e.start].count(b"\n") + 1
        raise ScriptError(f"{name}:{row}: not UTF-8 text (byte {e.start})") from None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    rows, last = [], 0
    try:
        for cells in reader:                # a row's number is the file line it starts on
            rows.append((last + 1, cells))
            last = reader.line_num
    except csv.Error as e:
        raise ScriptError(f"{name}:{reader.line_num}: {e}") from None
    if not rows:
        raise ScriptError(f"{name}:1: empty file: the first row names the columns "
                          f"({', '.join(required)})")
    header = [h.strip() for h in rows[0][1]]
    for k, h in enumerate(header):
        if h in header[:k]:
            raise ScriptError(f"{name}:1:{h}: column named twice")
        if h not in required and h not in optional and not (extra and extra(h)):
            raise ScriptError(f"{name}:1:{h or k + 1}: unknown column (expected "
                              f"{', '.join(required + optional)})")
    for h in required:
        if h not in header:
            raise ScriptError(f"{name}:1:{h}: missing column")
    out = []
    for num, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ScriptError(f"{name}:{num}: {len(cells)} cells, the header has "
                              f"{len(header)} (a comma in a text needs the text in quotes)")
        for h, c in zip(header, cells):
            if "\n" in c or "\r" in c:
                raise ScriptError(f"{name}:{num}:{h}: line break inside a cell (write \\n "
                                  "so each row stays one line)")
        out.append((num, dict(zip(header, cells))))
    return header, out


def _seconds(name, num, col, cell) -> float:
    try:
        v = float(cell)
    except ValueError:
        raise ScriptError(f"{name}:{num}:{col}: {cell!r} is not a number of seconds") from None
    if not v >= 0 or v == float("inf"):
        raise ScriptError(f"{name}:{num}:{col}: {cell!r} must be 0 or more seconds")
    return v


def _unescape(s: str) -> str:
    return s.replace("\\n", "\n")


def is_language(column: str) -> bool:
    return column not in REQUIRED + OPTIONAL and bool(_LANG.match(column))


def reading_of(column: str) -> str | None:
    """The language of a ``reading_<lang>`` column, else None."""
    if column.startswith(READING):
        lang = column[len(READING):]
        return lang if is_language(lang) else None
    return None


def _extra(column: str) -> bool:
    return is_language(column) or reading_of(column) is not None


def load_script(path) -> Script:
    """Read and check a script table (module docstring); raises ScriptError."""
    name = str(path)
    header, rows = read_rows(Path(path), REQUIRED, OPTIONAL, _extra)
    langs = ("en",) + tuple(h for h in header if is_language(h) and h != "en")
    readings = {h: reading_of(h) for h in header if reading_of(h)}
    for h, lang in readings.items():
        if lang not in langs:
            raise ScriptError(f"{name}:1:{h}: a reading for {lang!r}, which has no column")
    lines, seen = [], {}
    for num, r in rows:
        lid = r["id"].strip()
        if not lid or not _ID.match(lid):
            raise ScriptError(f"{name}:{num}:id: {lid!r} is not an id (letters, digits, "
                              "'_', '.', '-')")
        if lid in seen:
            raise ScriptError(f"{name}:{num}:id: {lid!r} already on row {seen[lid]}")
        seen[lid] = num
        act = r["act"].strip()
        if not act:
            raise ScriptError(f"{name}:{num}:act: empty (which act places {lid}?)")
        a, b = _seconds(name, num, "in", r["in"].strip()), _seconds(name, num, "out",
                                                                      r["out"].strip())
        if b <= a:
            raise ScriptError(f"{name}:{num}:out: {b:g} s is not after in ({a:g} s)")
        style = r["style"].strip()
        if style not in STYLES:
            raise ScriptError(f"{name}:{num}:style: {style!r} is not one of "
                              f"{', '.join(STYLES)}")
        position = r["position"].strip()
        if not position:
            raise ScriptError(f"{name}:{num}:position: empty")
        fade = None
        if r.get("fade", "").strip():
            fade = _seconds(name, num, "fade", r["fade"].strip())
        c = r["claims"].split()
        if not c:
            raise ScriptError(f"{name}:{num}:claims: empty: list the claim ids the line "
                              f"rests on, or '{NO_FACT}' if it states no fact")
        if NO_FACT in c and len(c) > 1:
            raise ScriptError(f"{name}:{num}:claims: '{NO_FACT}' (no fact) with claim ids")
        claims = () if c == [NO_FACT] else tuple(c)
        text = {}
        for lang in langs:
            s = r.get(lang, "")
            if s.strip():
                text[lang] = _unescape(s)
        if "en" not in text:
            raise ScriptError(f"{name}:{num}:en: empty text")
        voice = r.get("voice", "").strip().lower()
        if voice not in ("", "yes", "no"):
            raise ScriptError(f"{name}:{num}:voice: {voice!r}: write yes, no or leave empty")
        # a reading without its text is left for the checker, which names the missing
        # translation (a voice never says a line the caption does not show)
        said = {lang: _unescape(r[h]).strip() for h, lang in readings.items()
                if r.get(h, "").strip() and lang in text}
        lines.append(Line(lid, act, a, b, style, position, claims, text, fade, num, name,
                          {"yes": True, "no": False}.get(voice), said))
    return Script(name, tuple(lines), langs)
