"""Camera moves as tracks: set, move, orbit, dolly, push and fly along a spline.

Each move starts from wherever the camera is at the move's start (asked of the timeline,
which is pure), so moves chain like a camera operator's without the script repeating
coordinates.
"""
from __future__ import annotations

import numpy as np

from ..scene.transform import quat_from_axis_angle, quat_rotate
from . import easing
from .tracks import KeyframeTrack, ProceduralTrack, catmull_rom


class CameraRig:
    def __init__(self, act):
        self.act = act

    @property
    def _tl(self):
        return self.act.film.timeline

    def _cur(self, what: str, t: float):
        return np.asarray(self._tl.current(f"camera.{what}", t), dtype=np.float64)

    def set(self, position=None, target=None, fov=None, at: float = 0.0):
        for k, v in (("position", position), ("target", target), ("fov", fov)):
            if v is not None:
                self.act.set(f"camera.{k}", v, at)

    def move(self, position=None, target=None, fov=None, over=(0, 1), ease="in_out_sine"):
        for k, v in (("position", position), ("target", target), ("fov", fov)):
            if v is not None:
                self.act.animate(f"camera.{k}", to=v, over=over, ease=ease)

    def look_at(self, target, at: float = 0.0):
        self.set(target=target, at=at)

    def orbit(self, degrees: float, over, around=None, axis=None, ease="in_out_sine"):
        """Swing the camera round `around` (default: its target) about `axis` (default: up)."""
        a, b = self.act._over(over)
        p0 = self._cur("position", a)
        c = self._cur("target", a) if around is None else np.asarray(around, float)
        ax = self._cur("up", a) if axis is None else np.asarray(axis, float)
        f = easing.get(ease)
        rel = p0 - c
        span = max(b - a, 1e-9)

        def pos(u_t):
            ang = np.radians(degrees) * float(f(u_t / span))
            return c + quat_rotate(quat_from_axis_angle(ax, ang), rel)
        self._tl.add(ProceduralTrack("camera.position", pos, a, b))
        if around is not None:
            self._tl.add(KeyframeTrack("camera.target", [a], [c], "step"))

    def dolly(self, by, over, ease="in_out_sine"):
        """Move camera and target together by a vector (a dolly/truck along the set)."""
        a, b = self.act._over(over)
        by = np.asarray(by, float)
        for k in ("position", "target"):
            p0 = self._cur(k, a)
            self._tl.add(KeyframeTrack(f"camera.{k}", [a, b], [p0, p0 + by], "linear", [ease]))

    def push(self, distance: float, over, ease="in_out_sine"):
        """Move the camera toward its target by `distance` (negative pulls back)."""
        a, b = self.act._over(over)
        p0, c = self._cur("position", a), self._cur("target", a)
        d = (c - p0) / max(np.linalg.norm(c - p0), 1e-12)
        self._tl.add(KeyframeTrack("camera.position", [a, b], [p0, p0 + d * distance],
                                   "linear", [ease]))

    def fly(self, points, over, look_at=None, ease="in_out_sine", lead: float = 0.04):
        """Fly through `points` on a Catmull-Rom spline, looking ahead or at a point."""
        a, b = self.act._over(over)
        pts = np.asarray(points, float)
        if len(pts) < 2:
            raise ValueError("fly: give at least two points")
        f = easing.get(ease)
        span = max(b - a, 1e-9)

        def spline(u):
            u = min(max(u, 0.0), 1.0) * (len(pts) - 1)
            k = min(int(u), len(pts) - 2)
            p0 = pts[k - 1] if k > 0 else pts[k]
            p3 = pts[k + 2] if k + 2 < len(pts) else pts[k + 1]
            return catmull_rom(p0, pts[k], pts[k + 1], p3, u - k)

        self._tl.add(ProceduralTrack("camera.position",
                                     lambda x: spline(float(f(x / span))), a, b))
        if look_at is None:
            def ahead(x):
                u = float(f(x / span))
                p, q = spline(u), spline(u + lead)
                d = q - p
                if np.linalg.norm(d) < 1e-9:
                    d = spline(u) - spline(u - lead)
                return p + d / max(np.linalg.norm(d), 1e-12)
            self._tl.add(ProceduralTrack("camera.target", ahead, a, b))
        else:
            self._tl.add(KeyframeTrack("camera.target", [a], [np.asarray(look_at, float)], "step"))
