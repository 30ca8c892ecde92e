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


def cues(captions, start: float = 0.0, end: float = float("inf"), lang: str = "en",
         styles=SUBTITLED_STYLES) -> list[tuple[float, float, str]]:
    """(start, end, text) of each caption of ``styles`` (default: the caption track) in
    ``lang`` (``Caption.text_in``), shifted to the range [start, end)."""
    out = []
    for c in sorted(captions, key=lambda c: c.start):
        if c.style not in styles or c.end <= start or c.start >= end:
            continue
        a, b = max(c.start, start) - start, min(c.end, end) - start
        out.append((a, b, _text(c, lang)))
    return out


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
