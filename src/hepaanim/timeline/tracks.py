"""Tracks: how one property path changes with absolute time (three.js's KeyframeTrack).

One key holds that value from its time on.  Numbers must be finite (a NaN position makes an
object vanish without a word), so a track with a NaN or infinite key is refused when made.

A track *applies* from its start time on and holds its last value after its end, until the
end of the act that made it (an act is a clip: see timeline.py); before its start it does not
apply, so an animation scheduled for act 5 never disturbs act 2, nor act 6.  When
several tracks drive the same path, the one that started last wins (ties: added last).

Values may be floats, numpy arrays (whole per-instance arrays included), colours, booleans
or strings.  Interpolation is per track: ``step``, ``linear``, ``cubic`` (Catmull-Rom through
the keys) or ``slerp`` (quaternions, vectorised for N×4 orientation arrays).  Easing is
per segment, by name from :mod:`hepaanim.timeline.easing`.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..scene.color import rgb
from ..scene.transform import quat_slerp
from . import easing
from .errors import finite, shown

INTERPOLATIONS = ("step", "linear", "cubic", "slerp")


def as_value(path: str, v: Any):
    """Normalise a keyframe value: colours parsed, sequences as float arrays."""
    if path.endswith("color") and (isinstance(v, str) or np.ndim(v) == 1):
        return rgb(v)
    if isinstance(v, (bool, str, np.bool_)) or v is None:
        return v
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    return np.asarray(v, dtype=np.float64)


@dataclass
class KeyframeTrack:
    path: str
    times: list[float]
    values: list[Any]
    interpolation: str = "linear"
    eases: list = field(default_factory=list)   # one per segment (len(times) - 1)
    order: int = 0                               # insertion order, set by the timeline
    site: str = ""                               # the scene's file:line that made it
    act: str | None = None                       # the act that owns it (None: every act)

    def __post_init__(self):
        if len(self.times) != len(self.values) or not self.times:
            raise ValueError(f"track {self.path!r}: need as many values as times (≥ 1)")
        if not all(math.isfinite(float(x)) for x in self.times):
            raise ValueError(f"track {self.path!r}: key times must be finite: {self.times}")
        if any(b < a for a, b in zip(self.times, self.times[1:])):
            raise ValueError(f"track {self.path!r}: key times must not decrease: {self.times}")
        if self.interpolation not in INTERPOLATIONS:
            raise ValueError(f"track {self.path!r}: interpolation {self.interpolation!r}; "
                             f"use one of {', '.join(INTERPOLATIONS)}")
        self.times = [float(x) for x in self.times]
        self.values = [as_value(self.path, v) for v in self.values]
        for k, v in enumerate(self.values):
            if not finite(v):
                raise ValueError(f"{self.path!r}: value {k + 1} of {len(self.values)} is not "
                                 f"finite: {shown(v)}")
        nseg = len(self.times) - 1
        eases = self.eases if isinstance(self.eases, list) else [self.eases] * nseg
        if not eases:
            eases = ["linear"] * nseg
        if len(eases) == 1 and nseg != 1:
            eases = eases * nseg           # one easing for every segment (none: a held key)
        if len(eases) != nseg:
            raise ValueError(f"track {self.path!r}: {len(eases)} easings for {nseg} segments")
        self._ease_fns = [easing.get(e) for e in eases]
        self.eases = eases
        discrete = any(isinstance(v, (bool, str, np.bool_)) or v is None for v in self.values)
        if discrete:
            self.interpolation = "step"

    @property
    def start(self) -> float:
        return self.times[0]

    @property
    def end(self) -> float:
        return self.times[-1]

    def value(self, t: float):
        ts = self.times
        if t <= ts[0]:
            return self.values[0]
        if t >= ts[-1]:
            return self.values[-1]
        k = bisect.bisect_right(ts, t) - 1
        t0, t1 = ts[k], ts[k + 1]
        u = 0.0 if t1 <= t0 else (t - t0) / (t1 - t0)
        u = float(self._ease_fns[k](u))
        a, b = self.values[k], self.values[k + 1]
        if self.interpolation == "step":
            return b if u >= 1.0 else a
        if self.interpolation == "slerp":
            return quat_slerp(a, b, u)
        if self.interpolation == "cubic":
            p0 = self.values[k - 1] if k > 0 else a
            p3 = self.values[k + 2] if k + 2 < len(self.values) else b
            return catmull_rom(p0, a, b, p3, u)
        return a + (b - a) * u


def catmull_rom(p0, p1, p2, p3, u):
    u2, u3 = u * u, u * u * u
    return 0.5 * ((2 * p1) + (-p0 + p2) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u2
                  + (-p0 + 3 * p1 - 3 * p2 + p3) * u3)


@dataclass
class ProceduralTrack:
    """A pure function of time: value = fn(t - start), held at fn(end - start) after end.

    For motion that looks simulated (flow along a vessel, tumbling, drifting particles):
    the function must depend only on its argument and on data fixed at build time.
    """
    path: str
    fn: Callable[[float], Any]
    start: float = 0.0
    end: float = float("inf")
    order: int = 0
    site: str = ""                               # the scene's file:line that made it
    act: str | None = None                       # the act that owns it (None: every act)

    def value(self, t: float):
        return self.fn(min(t, self.end) - self.start)
