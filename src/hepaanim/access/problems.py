"""One failure of the accessibility gate, and the gate's report format.

Every check (subtitles, contrast, flashing, title-safe) returns `Problem`s, so the CLI can
sort them by time and print one line each: ``t=12.30s <line id> <what> <figure>``, then
``problems=<n>``: a person reads it, a script greps it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    time: float      # seconds on the film's (or the render's) time line
    line: str        # the script line's id, or "-" for a whole-frame finding (flashing)
    what: str        # one token: over-cps, over-cpl, too-many-lines, too-short, too-long,
                     # gap, overlap, contrast, flash, red-flash, outside-title-safe
    figure: str      # the measured figure against the limit, e.g. "19.3 cps > 17"

    def __str__(self) -> str:
        return f"t={self.time:.2f}s {self.line} {self.what} {self.figure}"


def report(problems) -> str:
    """The gate's output: one line a problem (by time, then line id), then problems=<n>."""
    items = sorted(problems, key=lambda p: (p.time, p.line, p.what))
    return "".join(f"{p}\n" for p in items) + f"problems={len(items)}\n"
