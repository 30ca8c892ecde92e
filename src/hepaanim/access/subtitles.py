"""Subtitle reading limits, per language, from Netflix's Timed Text Style Guides.

Why these figures: the film is subtitled for Europe, the US and Japan, and Netflix's
guides are the most widely used public, per-language set of limits (characters per line,
lines, reading speed, time on screen, gap between cues).

Counting (Netflix Partner Help Center, "How is reading speed measured? Do punctuation and
spaces count?"): spaces and punctuation count towards both the line length and the reading
speed; line breaks do not.  For Japanese (a character-based language) a full-width
character counts 1 and a half-width one (Latin letters, digits, ASCII punctuation) 0.5
("Japanese Timed Text Style Guide", I. Content requirements).

Line layout: a cue whose text holds line breaks is measured as given (the writer chose
them).  A cue with none is wrapped here with the guide's own characters-per-line figure,
as a subtitle writer or a player would (Latin scripts at ordinary spaces, Japanese
between BudouX phrases, the same code the captions use), and it is that layout which is
checked: "too many lines" means the text does not fit the guide's two lines at all; "over
CPL" can then only come from a given line, or a single word longer than a line.
`wrap_cue` returns that layout so a subtitle writer can write it out.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .problems import Problem

_EPS = 1e-6


@dataclass(frozen=True)
class Limits:
    cpl: float              # characters per line
    lines: int              # lines per cue
    cps: float              # reading speed, characters per second (adult programmes)
    min_s: float = 5 / 6    # shortest time on screen
    max_s: float = 7.0      # longest time on screen
    gap_frames: int = 2     # fewest frames between two cues
    source: str = ""


# "Timed Text Style Guide: General Requirements" (Netflix Partner Help Center): minimum
# duration 5/6 s per event (20 frames at 24 fps), maximum 7 s, 2 lines maximum, and a
# 2-frame minimum gap between events "regardless of frame rate".  Those are the defaults
# above; each language adds its own line length and reading speed:
LIMITS: dict[str, Limits] = {
    # "English Template Timed Text Style Guide": 42 characters per line; reading speed,
    # adult programmes, 200 words a minute / 17 characters a second.  (The "English (USA)
    # Timed Text Style Guide" allows adult programmes up to 20 cps; 17 is kept, as the
    # brief of issue 16 asks, because the film's subtitles are also the template that the
    # other languages are translated from.)
    "en": Limits(cpl=42, lines=2, cps=17, source="Netflix English Template Timed Text "
                 "Style Guide; Timed Text Style Guide: General Requirements"),
    # "French Timed Text Style Guide", 4. Character Limitation: 42 characters per line;
    # reading speed, adult programmes: up to 17 characters per second.
    "fr": Limits(cpl=42, lines=2, cps=17, source="Netflix French Timed Text Style Guide; "
                 "Timed Text Style Guide: General Requirements"),
    # "German Timed Text Style Guide", 3. Character Limitation: 42 characters per line;
    # reading speed, adult programmes: up to 17 characters per second.
    "de": Limits(cpl=42, lines=2, cps=17, source="Netflix German Timed Text Style Guide; "
                 "Timed Text Style Guide: General Requirements"),
    # "Japanese Timed Text Style Guide": horizontal subtitles, maximum 13 full-width
    # characters per line (vertical: 11); half-width characters count 0.5; reading speed
    # 4 characters per second (adult programmes).
    "ja": Limits(cpl=13, lines=2, cps=4, source="Netflix Japanese Timed Text Style Guide; "
                 "Timed Text Style Guide: General Requirements"),
}


def _base(lang: str) -> str:
    return lang.split("-")[0].split("_")[0].lower()


def limits(lang: str) -> Limits:
    """The limits for a language tag ('en', 'fr-CA', 'ja'); an unknown one is an error."""
    try:
        return LIMITS[_base(lang)]
    except KeyError:
        raise ValueError(f"subtitle limits: no Netflix figures for language {lang!r} "
                         f"(known: {', '.join(sorted(LIMITS))})") from None


def char_count(text: str, lang: str = "en") -> float:
    """Characters as the guide counts them (line breaks excluded)."""
    text = text.replace("\r", "").replace("\n", "")
    if _base(lang) != "ja":
        return float(len(text))
    return sum(1.0 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


class _Counter:
    """Stands in for a font in compose.captions.wrap: 'width' is the guide's count."""

    def __init__(self, lang: str):
        self.lang = lang

    def getlength(self, s: str) -> float:
        return char_count(s, self.lang)


def wrap_cue(text: str, lang: str = "en") -> list[str]:
    """The cue's lines: as given when it holds line breaks, else wrapped at the guide's
    characters per line (module docstring)."""
    text = text.replace("\r\n", "\n").strip()
    if "\n" in text:
        return [s.strip() for s in text.split("\n")]
    from ..compose.captions import wrap      # the captions' own breaking, Japanese included
    return [s.strip() for s in wrap(text, _Counter(lang), limits(lang).cpl, lang)]


def _num(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


def subtitle_problems(cues, lang: str, fps: float) -> list[Problem]:
    """Every reading-limit failure in ``cues``: (start, end, text, id) tuples in seconds.

    Checks, per cue: reading speed (over-cps), characters per line (over-cpl), lines
    (too-many-lines), time on screen (too-short, too-long); between neighbours in start
    order: overlap (the next cue starts before this one ends) and gap (fewer than the
    guide's frames between them, judged at ``fps``)."""
    if not fps or fps <= 0:
        raise ValueError(f"subtitle check: fps must be positive, got {fps!r}")
    lim = limits(lang)
    out: list[Problem] = []
    ordered = sorted(cues, key=lambda c: (c[0], c[1]))
    for start, end, text, cid in ordered:
        cid = str(cid)
        dur = end - start
        # a line break does not count; where it stood in a Latin text a space reads
        joiner = "" if _base(lang) == "ja" else " "
        n = char_count(joiner.join(s.strip() for s in text.splitlines()), lang)
        if dur <= 0:
            out.append(Problem(start, cid, "too-short", f"{dur:.3f} s <= 0"))
        else:
            cps = n / dur
            if cps > lim.cps + _EPS:
                out.append(Problem(start, cid, "over-cps", f"{cps:.1f} cps > {_num(lim.cps)}"))
            if dur < lim.min_s - _EPS:
                out.append(Problem(start, cid, "too-short",
                                   f"{dur:.2f} s < {lim.min_s:.2f} s"))
        if dur > lim.max_s + _EPS:
            out.append(Problem(start, cid, "too-long", f"{dur:.2f} s > {_num(lim.max_s)} s"))
        lines = wrap_cue(text, lang)
        if len(lines) > lim.lines:
            out.append(Problem(start, cid, "too-many-lines",
                               f"{len(lines)} lines > {lim.lines}"))
        widest = max((char_count(s, lang) for s in lines), default=0)
        if widest > lim.cpl + _EPS:
            out.append(Problem(start, cid, "over-cpl",
                               f"{_num(widest)} chars > {_num(lim.cpl)}"))
    for (s0, e0, _, id0), (s1, _e1, _, id1) in zip(ordered, ordered[1:]):
        gap = s1 - e0
        if gap < -_EPS:
            out.append(Problem(s1, str(id1), "overlap",
                               f"starts {-gap:.2f} s before {id0} ends"))
        elif gap * fps < lim.gap_frames - 1e-3:
            out.append(Problem(s1, str(id1), "gap",
                               f"{gap * fps:.1f} frames < {lim.gap_frames} after {id0}"))
    return out
