"""How act code uses the table: it places lines by id; the words and times come from here.

An act asks for a line's caption arguments (``caption_args``) and passes them to its
caption call; a card's drawing function asks for its parts' texts (``card_texts``).  After
the film is built, ``placement_problems`` compares the ids the acts placed with the table:
a line the table has and no act places, an id an act uses that the table lacks, and a line
placed by another act than its ``act`` column are build errors naming both places.
A card's parts (``<card>.<part>``) are placed with the card's own line.
"""
from __future__ import annotations

from .table import Line, Script


def caption_args(line: Line, lang: str = "en") -> dict:
    """Keyword arguments for an act's caption call: text, over (act seconds), style,
    position and, where the table sets one, fade.  Falls back to English where the line
    has no text in ``lang``."""
    args = {"text": line.text.get(lang, line.text["en"]), "over": (line.start, line.end),
            "style": line.style, "position": line.position}
    if line.fade is not None:
        args["fade"] = line.fade
    return args


def card_texts(script: Script, card: str, lang: str = "en") -> dict[str, str]:
    """A card's parts by part name: ``{"title": …, "value": …, "source": …}`` for the rows
    ``<card>.title``, ``<card>.value``, ``<card>.source`` (the card's own line is "")."""
    out = {}
    for ln in script:
        if ln.id == card or ln.id.startswith(card + "."):
            part = ln.id[len(card) + 1:] if ln.id != card else ""
            out[part] = ln.text.get(lang, ln.text["en"])
    return out


def placement_problems(script: Script, placed: dict[str, tuple[str, str]],
                       act_files: dict[str, str] | None = None) -> list[str]:
    """Build errors, one line each.  ``placed``: line id -> (act name, "file:line" of the
    act code that placed it); ``act_files``: act name -> its file (for the message)."""
    act_files = act_files or {}
    problems = []
    covered = set()
    for lid, (act, where) in placed.items():
        if lid not in script:
            problems.append(f"{where}: line id {lid!r} is not in {script.path}")
            continue
        ln = script[lid]
        if ln.act != act:
            problems.append(f"{where}: line {lid!r} placed by act {act!r}, but "
                            f"{ln.where()} gives it to act {ln.act!r}")
        covered.add(lid)
        if not ln.style.startswith("card_"):
            covered.update(x.id for x in script if x.card == lid and x.id != lid)
    for ln in script:
        if ln.id not in covered and ln.style != "description":    # spoken, never placed
            act = f" ({act_files[ln.act]})" if ln.act in act_files else ""
            problems.append(f"{ln.where()}: {ln.id}: no act places this line; act "
                            f"{ln.act!r}{act} should")
    return problems
