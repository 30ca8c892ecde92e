"""A path a timeline can follow: polyline + s∈[0, 1] → point, with named waypoints.

Units are whatever the polyline's are (mm for the IV route, µm inside a lobule).  ``s`` is
normalised arc length, so a cell moving at constant ds/dt moves at constant speed; the
waypoints let a scene say "pause at the lungs" without knowing coordinates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._mesh import arc_length


@dataclass
class Path:
    points: np.ndarray                            # N×3 polyline
    waypoints: dict = field(default_factory=dict)  # name -> s in [0, 1]

    def __post_init__(self):
        self.points = np.asarray(self.points, dtype=np.float64).reshape(-1, 3)
        if len(self.points) < 2:
            raise ValueError("a path needs at least two points")
        s = arc_length(self.points)
        if s[-1] <= 0:
            raise ValueError("a path must have non-zero length")
        self._s = s / s[-1]
        for k, v in self.waypoints.items():
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"waypoint {k!r} at s={v} outside [0, 1]")

    @property
    def length(self) -> float:
        return float(arc_length(self.points)[-1])

    def point(self, s):
        """Point(s) at normalised arc length s (scalar → 3, array → N×3); s is clamped."""
        s_arr = np.clip(np.asarray(s, dtype=np.float64), 0.0, 1.0)
        flat = s_arr.reshape(-1)
        out = np.stack([np.interp(flat, self._s, self.points[:, k]) for k in range(3)], -1)
        return out[0] if s_arr.ndim == 0 else out.reshape(*s_arr.shape, 3)

    __call__ = point

    def tangent(self, s, ds: float = 1e-3):
        a = self.point(np.clip(np.asarray(s, dtype=np.float64) - ds, 0, 1))
        b = self.point(np.clip(np.asarray(s, dtype=np.float64) + ds, 0, 1))
        d = b - a
        return d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-12)

    def s_of(self, name: str) -> float:
        try:
            return float(self.waypoints[name])
        except KeyError:
            raise KeyError(f"no waypoint {name!r} (have: {', '.join(self.waypoints)})") from None

    def at(self, name: str) -> np.ndarray:
        """The point of a named waypoint."""
        return self.point(self.s_of(name))

    def segment(self, a, b) -> np.ndarray:
        """The polyline between two positions (s values or waypoint names)."""
        sa = self.s_of(a) if isinstance(a, str) else float(a)
        sb = self.s_of(b) if isinstance(b, str) else float(b)
        inner = self.points[(self._s > min(sa, sb)) & (self._s < max(sa, sb))]
        pts = np.concatenate([[self.point(min(sa, sb))], inner, [self.point(max(sa, sb))]])
        return pts if sa <= sb else pts[::-1].copy()

    def transformed(self, matrix) -> "Path":
        m = np.asarray(matrix, dtype=np.float64)
        return Path(self.points @ m[:3, :3].T + m[:3, 3], dict(self.waypoints))


def join(parts: list[tuple[str, np.ndarray]]) -> Path:
    """One path from named consecutive polylines; each name marks where its part begins."""
    pts = []
    marks = []
    for name, p in parts:
        p = np.asarray(p, dtype=np.float64)
        at = sum(len(q) for q in pts)
        if pts and np.linalg.norm(pts[-1][-1] - p[0]) < 1e-9:
            p = p[1:]
            at -= 1
        marks.append((name, at))
        pts.append(p)
    allp = np.concatenate(pts)
    s = arc_length(allp)
    s /= s[-1]
    return Path(allp, {name: float(s[min(i, len(s) - 1)]) for name, i in marks})
