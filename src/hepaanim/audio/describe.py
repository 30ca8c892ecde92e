"""Audio description: what is on screen that the narration does not say, spoken in its pauses.

WCAG 2.2 (1.2.5, audio description, prerecorded) asks that a viewer who cannot see the
film still gets what the pictures show.  The description lines are written in the script
with the window in which what they describe is on screen; each is voiced like any line,
then placed in a narration pause that begins inside that window and is long enough for it,
never over the narration.  A line that fits no pause is reported (the writer shortens it
or the edit opens a pause), not squeezed in.  The same placements give the WebVTT
``kind="descriptions"`` track, so the text and the described mix agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..output import atomic
from ..output.subtitles import vtt

GAP_S = 0.3        # silence kept between narration and a description, either side


@dataclass(frozen=True)
class Description:
    """A description line: id, text, and the film-time window [start, end) in which what
    it describes is on screen (it must begin speaking inside that window)."""
    id: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Placed:
    """A description placed at `start` for `duration` seconds of voice."""
    description: Description
    start: float
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration


def pauses(speech, a: float, b: float, min_length: float = 0.0) -> list[tuple[float, float]]:
    """The gaps in [a, b) between speech intervals (sorted (start, end) pairs), at least
    `min_length` long."""
    out, t = [], a
    for s, e in sorted(speech):
        if s > t:
            out.append((t, min(s, b)))
        t = max(t, e)
    if t < b:
        out.append((t, b))
    return [(s, e) for s, e in out if e - s >= min_length and e > s]


def place(descriptions, durations: dict[str, float], speech, a: float, b: float,
          gap: float = GAP_S) -> tuple[list[Placed], list[Description]]:
    """Place each description (voice length from `durations`, by id) in the earliest
    narration pause where it can start inside its window and end `gap` before the next
    speech; descriptions already placed use up their part of a pause.  Returns (placed,
    did_not_fit), in film-time order."""
    free = [[s + (gap if s > a else 0.0), e - (gap if e < b else 0.0)]
            for s, e in pauses(speech, a, b)]
    placed, unfit = [], []
    for d in sorted(descriptions, key=lambda d: (d.start, d.id)):
        dur = durations[d.id]
        for slot in free:
            start = max(slot[0], d.start)
            if start < d.end and start + dur <= slot[1]:
                placed.append(Placed(d, start, dur))
                slot[0] = start + dur + gap
                break
        else:
            unfit.append(d)
    return sorted(placed, key=lambda p: p.start), unfit


def cues(placed, offset: float = 0.0) -> list[tuple[float, float, str]]:
    """(start, end, text) cues, times shifted by -offset (the rendered span's start)."""
    return [(p.start - offset, p.end - offset, " ".join(p.description.text.split()))
            for p in placed]


def descriptions_vtt(placed, offset: float = 0.0) -> str:
    """A WebVTT file of the descriptions, for ``<track kind="descriptions">``: cues at the
    times the described mix speaks them (a screen reader reads them there)."""
    return vtt(cues(placed, offset))


def write_descriptions_vtt(path: Path, placed, offset: float = 0.0) -> Path:
    """Write the descriptions' WebVTT to `path` (temporary name, then renamed)."""
    path = Path(path)
    tmp = atomic.temp_path(path)
    try:
        tmp.write_text(descriptions_vtt(placed, offset), encoding="utf-8")
        atomic.commit(tmp, path)
    except BaseException:
        atomic.discard(tmp)
        raise
    return path
