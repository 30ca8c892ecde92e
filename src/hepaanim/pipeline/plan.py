"""The chunk plan: a film's frame range cut into act-aligned chunks.

The cut depends only on the film and fps, never on the number of workers, so one worker
and N workers encode the very same streams (and make byte-identical files).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..render.frames import FrameRange

CHUNK_SECONDS = 2.0          # longest chunk; acts are cut into near-equal chunks up to this


@dataclass(frozen=True)
class Chunk:
    index: int
    first: int
    stop: int          # exclusive
    act: str

    def __len__(self):
        return self.stop - self.first


def _first_frame(t: float, fps: float) -> int:
    return max(0, math.ceil(t * fps - 1e-9))


def plan_chunks(film, fps: float, frames: FrameRange,
                seconds: float = CHUNK_SECONDS) -> list[Chunk]:
    """Act-aligned chunks of at most `seconds`, clipped to `frames`.

    The cut is a function of the film and fps alone, so every render of a frame range
    (and every worker count) uses the same chunks; a range that starts or ends inside a
    chunk gets that chunk's clipped part as its own chunk.
    """
    total = film.frame_count(fps)
    longest = max(1, int(round(seconds * fps)))
    chunks: list[Chunk] = []
    for k, act in enumerate(film.acts):
        a = _first_frame(act.start, fps)
        b = total if k == len(film.acts) - 1 else min(total, _first_frame(act.end, fps))
        if b <= a:
            continue
        n = math.ceil((b - a) / longest)
        cuts = [a + round(j * (b - a) / n) for j in range(n + 1)]
        for lo, hi in zip(cuts, cuts[1:]):
            lo, hi = max(lo, frames.first), min(hi, frames.stop)
            if lo < hi:
                chunks.append(Chunk(len(chunks), lo, hi, act.name))
    return chunks
