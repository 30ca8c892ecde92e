"""Subtitle files from the same caption data the frames show: SRT and WebVTT for the
captions, and a WebVTT of the cards' text alternatives.

Why two tracks: a card (a data infographic) stays on screen while captions come and go
beside it, so written into the caption track its text overlaps a caption cue, and players
then stack or drop cues.  The caption track (``<video>.srt``, ``<video>.vtt``) holds what
is read as a sentence: lower thirds and the title; the cards' text alternatives go to
``<video>.cards.vtt``, a WebVTT meant for ``<track kind="descriptions">`` (read out or
shown by an assistive player, never on top of the captions).  Corner labels such as
"Molecules enlarged" are in neither: they qualify the picture, they are not spoken.

A title is drawn as a name over a subtitle ("Acme" / "How an ... may work"); as a cue
it reads as one sentence, the two joined the way the language joins a name to its
description ("Acme: how an ... may work"; French puts a no-break space before the
colon, Japanese a full-width colon; German keeps the capital, which may start a noun).

Times are shifted to the rendered range, so a render of one act has subtitles that start
at 0.
"""
from __future__ import annotations

from pathlib import Path

from . import atomic

SUBTITLED_STYLES = ("lower_third", "title")     # the caption track
CARD_STYLES = ("card",)                           # the cards' track (text alternatives)

# How a title's name is joined to its description, per language: (separator, lowercase
# the description's first letter?).
_TITLE_JOIN = {"en": (": ", True), "fr": ("\u00a0: ", True), "de": (": ", False),
               "ja": ("\uff1a", False)}


def title_sentence(text: str, lang: str = "en") -> str:
    """A title's lines as one sentence: "Acme\\nHow it may work" -> "Acme: how it
    may work" (module doc).  A word in capitals (an acronym such as "MRI") keeps them."""
    lines = [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2:
        return " ".join(lines)
    sep, lower = _TITLE_JOIN.get(lang.split("-")[0], (": ", True))
    rest = " ".join(lines[1:])
    word = rest.split(" ")[0]
    if lower and not (len(word) > 1 and word[1].isupper()):
        rest = rest[0].lower() + rest[1:]
    return lines[0] + sep + rest


def _text(c, lang: str) -> str:
    text = c.text_in(lang)
    return title_sentence(text, lang) if c.style == "title" else " ".join(text.split())


def caption_cues(captions, start: float = 0.0, end: float = float("inf"), lang: str = "en",
                 styles=SUBTITLED_STYLES) -> list[tuple[float, float, str, object]]:
    """(start, end, text, caption) of each cue of the captions of ``styles`` in ``lang``,
    shifted to the range [start, end).

    A caption leaves when its voice in ``lang`` has ended (``Caption.end_in``).  Its text
    is laid out in the subtitle guide's lines for ``lang`` (``access.subtitles.wrap_cue``,
    written with explicit line breaks, as a subtitler delivers them); a caption longer
    than the guide's two lines becomes consecutive cues (``split_cue``).  Other styles
    (the cards' text alternatives, read by an assistive player) are written whole."""
    out = []
    for c in sorted(captions, key=lambda c: c.start):
        c_end = c.end_in(lang)
        if c.style not in styles or c_end <= start or c.start >= end:
            continue
        a, b = max(c.start, start) - start, min(c_end, end) - start
        text = _text(c, lang)
        parts = split_cue(a, b, text, lang) if styles == SUBTITLED_STYLES else [(a, b, text)]
        out += [(x, y, t, c) for x, y, t in parts]
    return out


def cues(captions, start: float = 0.0, end: float = float("inf"), lang: str = "en",
         styles=SUBTITLED_STYLES) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue (``caption_cues`` without the captions)."""
    return [(a, b, text) for a, b, text, _ in caption_cues(captions, start, end, lang, styles)]


# Between the cues a long caption is split into: 2 frames at 24 fps, so at least the
# guide's 2 frames at any delivery rate from 24 to 60 fps.
SPLIT_GAP_S = 2 / 24
# Where a caption may be split, best first: after a sentence, then a clause.
_BREAKS = ((". ", "? ", "! ", "\u3002", "\uff01", "\uff1f"), ("; ", ": ", "\uff1b", "\uff1a"),
           (", ", "\u3001", " \u2013 ", " \u2014 "))


def split_cue(a: float, b: float, text: str, lang: str = "en") -> list[tuple[float, float, str]]:
    """One caption's cue, or consecutive cues when its text needs more lines than the
    guide allows: split after a sentence if one fits, else after a clause, else at the
    space (Japanese: the phrase boundary) nearest the middle; the time is shared by
    characters (each part read at the same speed), with ``SPLIT_GAP_S`` between them; a
    part never gets less than the guide's shortest time on screen (if it would, the
    caption is left whole, and the gate reports it)."""
    from ..access.subtitles import char_count, limits, wrap_cue
    lim = limits(lang)
    lines = wrap_cue(text, lang)
    if len(lines) <= lim.lines:
        return [(a, b, "\n".join(lines))]
    cuts: dict[int, int] = {}                  # cut -> rank (lower is better)
    pos = 0
    for ln in lines[:-1]:                      # the boundaries of the guide's own lines
        pos = text.index(ln, pos) + len(ln)
        cuts[pos] = len(_BREAKS)
    for rank, marks in enumerate(_BREAKS):
        for m in marks:
            i = text.find(m)
            while i >= 0:
                cut = i + len(m.rstrip())
                cuts[cut] = min(rank, cuts.get(cut, rank))
                i = text.find(m, i + 1)
    whole, best = char_count(text, lang), None
    for cut, rank in cuts.items():
        head, tail = text[:cut].strip(), text[cut:].strip()
        if not head or not tail:
            continue
        share = char_count(head, lang) / whole
        if min(share, 1 - share) * (b - a - SPLIT_GAP_S) < lim.min_s:
            continue
        fits = len(wrap_cue(head, lang)) <= lim.lines and len(wrap_cue(tail, lang)) <= lim.lines
        key = (not fits, rank, abs(share - 0.5))
        if best is None or key < best[0]:
            best = (key, head, tail, share)
    if best is None:
        return [(a, b, "\n".join(lines))]
    _, head, tail, share = best
    mid = a + share * (b - a - SPLIT_GAP_S)
    return split_cue(a, mid, head, lang) + split_cue(mid + SPLIT_GAP_S, b, tail, lang)


def card_cues(captions, start: float = 0.0, end: float = float("inf"),
              lang: str = "en") -> list[tuple[float, float, str]]:
    """The cards' text alternatives as cues (for ``<video>.cards.vtt``)."""
    return cues(captions, start, end, lang, CARD_STYLES)


def overlaps(cue_list) -> list[tuple[tuple, tuple]]:
    """Pairs of cues that are on screen at the same time (a player stacks or drops them)."""
    ordered = sorted(cue_list)
    return [(a, b) for a, b in zip(ordered, ordered[1:]) if b[0] < a[1] - 1e-9]


def _stamp(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(cue_list) -> str:
    return "".join(f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{text}\n\n"
                   for i, (a, b, text) in enumerate(cue_list, 1))


def vtt(cue_list) -> str:
    return "WEBVTT\n\n" + "".join(f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{text}\n\n"
                                  for a, b, text in cue_list)


def files(video_path: Path, captions, start: float = 0.0,
          end: float = float("inf"), lang: str = "en") -> dict[Path, str]:
    """<video>.srt and <video>.vtt (captions) and <video>.cards.vtt (the cards' text
    alternatives) beside a video: path -> text."""
    cue_list = cues(captions, start, end, lang)
    video_path = Path(video_path)
    return {video_path.with_suffix(".srt"): srt(cue_list),
            video_path.with_suffix(".vtt"): vtt(cue_list),
            video_path.with_suffix(".cards.vtt"): vtt(card_cues(captions, start, end, lang))}


def write(video_path: Path, captions, start: float = 0.0, end: float = float("inf"),
          txn: atomic.Transaction | None = None, lang: str = "en") -> list[Path]:
    """Write <video>.srt, <video>.vtt and <video>.cards.vtt beside a video (``files``);
    returns their paths.

    With `txn`, the files are only written to temporaries of that transaction (committed
    with the video, or not at all); without, they are committed here, together.
    """
    own = txn is None
    txn = atomic.Transaction() if own else txn
    written = []
    try:
        for target, text in files(video_path, captions, start, end, lang).items():
            tmp = txn.temp(target)
            tmp.write_text(text, encoding="utf-8")
            written.append(target)
        if own:
            txn.commit()
    except BaseException:
        txn.discard()
        raise
    return written
