"""Camera moves as tracks: set, move, orbit, dolly, push, fly, and paths through shots.

Each move starts from wherever the camera is at the move's start (asked of the timeline,
which is pure), so moves chain like a camera operator's without the script repeating
coordinates.
"""
from __future__ import annotations

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..scene.transform import quat_from_axis_angle, quat_rotate
from . import easing
from .errors import scripted
from .tracks import KeyframeTrack, ProceduralTrack, catmull_rom


class CameraRig:
    """An act's camera (``act.camera``).  Every time is act-local seconds within the act;
    positions and targets are 3-vectors in world units; ``ease`` names an easing of
    :mod:`hepaanim.timeline.easing` (``linear``, ``smooth``, ``in_out_sine``, ...).  Each
    move starts from wherever the camera is at the move's start, and the camera holds the
    move's last pose after it ends (until a later move)."""

    def __init__(self, act):
        self.act = act

    @property
    def _tl(self):
        return self.act.film.timeline

    def _cur(self, what: str, t: float):
        return np.asarray(self._tl.current(f"camera.{what}", t, self.act.name), dtype=np.float64)

    @scripted
    def set(self, position=None, target=None, fov=None, at: float = 0.0):
        """Cut: from act time ``at`` on, put the camera at ``position``, looking at
        ``target``, with vertical field of view ``fov`` degrees (each optional)."""
        for k, v in (("position", position), ("target", target), ("fov", fov)):
            if v is not None:
                self.act.set(f"camera.{k}", v, at)

    @scripted
    def move(self, position=None, target=None, fov=None, over=(0, 1), ease="in_out_sine"):
        """Glide over ``over=(a, b)`` from the current pose to ``position`` / ``target`` /
        ``fov`` (each optional; those not given stay as they are)."""
        for k, v in (("position", position), ("target", target), ("fov", fov)):
            if v is not None:
                self.act.animate(f"camera.{k}", to=v, over=over, ease=ease)

    @scripted
    def look_at(self, target, at: float = 0.0):
        """Cut the camera's aim to ``target`` (a point) from act time ``at`` on."""
        self.set(target=target, at=at)

    @scripted
    def orbit(self, degrees: float, over, around=None, axis=None, ease="in_out_sine"):
        """Swing the camera ``degrees`` (positive: counter-clockwise seen from the axis's
        tip) over ``over=(a, b)`` round the point ``around`` (default: its target; given, the
        camera also looks at it) about the direction ``axis`` (default: the camera's up)."""
        if not np.isfinite(degrees):
            raise ValueError(f"orbit: degrees must be a finite number, got {degrees!r}")
        a, b = self.act._over(over, "camera.orbit")
        p0 = self._cur("position", a)
        c = self._cur("target", a) if around is None else np.asarray(around, float)
        ax = self._cur("up", a) if axis is None else np.asarray(axis, float)
        f = easing.get(ease)
        rel = p0 - c
        span = max(b - a, 1e-9)

        def pos(u_t):
            ang = np.radians(degrees) * float(f(u_t / span))
            return c + quat_rotate(quat_from_axis_angle(ax, ang), rel)
        self.act._track(ProceduralTrack("camera.position", pos, a, b))
        if around is not None:
            self.act._track(KeyframeTrack("camera.target", [a], [c], "step"))

    @scripted
    def dolly(self, by, over, ease="in_out_sine"):
        """Move camera and target together by the vector ``by`` over ``over=(a, b)`` (a
        dolly or truck along the set: the view's direction does not change)."""
        a, b = self.act._over(over, "camera.dolly")
        by = np.asarray(by, float)
        for k in ("position", "target"):
            p0 = self._cur(k, a)
            self.act._track(KeyframeTrack(f"camera.{k}", [a, b], [p0, p0 + by], "linear", [ease]))

    @scripted
    def push(self, distance: float, over, ease="in_out_sine"):
        """Move the camera toward its target by ``distance`` world units over ``over=(a, b)``
        (negative pulls back); the target stays."""
        a, b = self.act._over(over, "camera.push")
        p0, c = self._cur("position", a), self._cur("target", a)
        d = (c - p0) / max(np.linalg.norm(c - p0), 1e-12)
        self.act._track(KeyframeTrack("camera.position", [a, b], [p0, p0 + d * distance],
                                   "linear", [ease]))

    @scripted
    def fly(self, points, over, look_at=None, ease="in_out_sine", lead: float = 0.04):
        """Fly through ``points`` (two or more 3-vectors, the first usually the current
        position) on a Catmull-Rom spline over ``over=(a, b)``, ``ease`` applied to the
        whole flight; look along the path (``lead``: how far ahead, as a fraction of it)
        or, with ``look_at``, at that point throughout."""
        a, b = self.act._over(over, "camera.fly")
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

        self.act._track(ProceduralTrack("camera.position",
                                     lambda x: spline(float(f(x / span))), a, b))
        if look_at is None:
            def ahead(x):
                u = float(f(x / span))
                p, q = spline(u), spline(u + lead)
                d = q - p
                if np.linalg.norm(d) < 1e-9:
                    d = spline(u) - spline(u - lead)
                return p + d / max(np.linalg.norm(d), 1e-12)
            self.act._track(ProceduralTrack("camera.target", ahead, a, b))
        else:
            self.act._track(KeyframeTrack("camera.target", [a], [np.asarray(look_at, float)], "step"))

    @scripted
    def path(self, keys: dict, ease: str = "linear"):
        """A smooth move through shots: ``keys`` = {act_time: (position, target)}, a
        Catmull-Rom curve through the keys (it may swing a little past a key: use ``glide``
        where the keys span scales)."""
        times = sorted(keys)
        self.act.keyframes("camera.position", {t: keys[t][0] for t in times}, "cubic", ease)
        self.act.keyframes("camera.target", {t: keys[t][1] for t in times}, "cubic", ease)

    @scripted
    def glide(self, keys: dict, near_fraction: float = 0.0, near_min: float = 0.05):
        """A move through ``keys`` = {act_time: (position, target)} with monotone cubic
        (PCHIP) interpolation per coordinate: C1-smooth and never overshooting a key, so it
        can sweep across scales (organ mm → cell µm) without swinging past small keys.  With
        ``near_fraction`` > 0 the near and far planes follow the distance to the target
        (near = fraction × distance, at least ``near_min``; far = 4·10⁴ × near), so depth
        precision holds at every scale of the sweep."""
        ts = np.array(sorted(keys), float)
        pos = PchipInterpolator(ts, np.array([keys[t][0] for t in ts], float), axis=0)
        tgt = PchipInterpolator(ts, np.array([keys[t][1] for t in ts], float), axis=0)
        span = (float(ts[0]), float(ts[-1]))

        def at(fn, x):
            return fn(min(max(x + span[0], span[0]), span[1]))
        self.act.procedural("camera.position", lambda x: at(pos, x), over=span)
        self.act.procedural("camera.target", lambda x: at(tgt, x), over=span)
        if near_fraction > 0:
            def near(x):
                d = float(np.linalg.norm(at(pos, x) - at(tgt, x)))
                return max(near_min, near_fraction * d)
            self.act.procedural("camera.near", near, over=span)
            self.act.procedural("camera.far", lambda x: near(x) * 4e4, over=span)
