"""Reframe a camera designed for 16:9 for another aspect ratio (1:1 feeds, 9:16 phones).

An act's cameras are designed once, at the reference aspect (16:9).  For another aspect the
same shot is reframed, per frame, by two pure moves that keep the look direction:

* **widen the vertical field of view** (never narrow it: the new frame is never tighter than
  the reference vertically).  Widening rather than dollying back keeps the perspective of the
  design, keeps every depth, so near/far stay valid, and needs no knowledge of the scene
  behind the camera; the cost is a wider lens on narrow aspects, bounded by ``max_fov``.
* **truck / pedestal**: shift position and target together along the camera's right and up
  vectors, so a narrow frame can be centred on the subject instead of on the design's centre.
  Depths (and so near/far) are unchanged by such a shift.

What must stay in frame is the act's *subject*: spheres, axis-aligned boxes or points in
world units (:class:`Sphere`, :class:`Box`, an ``(M, 3)`` array, or a list of them).  The
fit is exact, not sampled: a sphere lies inside the frame when it lies on the inner side of
the four planes through the eye that bound the frame (each plane contains a camera axis, so
the test is a 2D distance in that axis' plane); a box is inside when its corners are (the
projection of a convex body in front of the eye is the hull of its corners' projections).

Three modes (``mode=``):

``"keep"``
    Keep everything the 16:9 frame covered horizontally (the horizontal field of view of the
    reference), widening the vertical fov by 16/9 ÷ aspect, and further if the subject
    needs it to fit with ``margin``.  No shift.  On 9:16 this is a 98° lens for a 40° design
    and the subject is small: use it for wide establishing shots.
``"subject"``
    Keep the subject: the tightest frame that holds it with ``margin``, but never tighter
    than the reference vertically, centred on the subject's projected centre.
``"auto"`` (default)
    ``keep`` while that costs the subject at most a factor ``room`` in size against
    ``subject``; beyond that the lens is held at ``room`` × the subject fit and the frame
    slides toward the subject, reaching full centring when the keep-width lens would have
    been ``room``² times wider.  Every quantity is continuous in the camera and the subject,
    so a moving camera reframed frame by frame does not jump when the rule changes over.

Everything is vectorised over frames (:func:`reframe_arrays`): a camera track sampled at N
instants, with the subject's spheres at each instant, is reframed in one call.  A camera
designed at the reference aspect whose subject already fits with the margin comes back
unchanged, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .camera import Camera

REFERENCE_ASPECT = 16 / 9
MODES = ("auto", "keep", "subject")
_ITER = 60                      # bisection steps: 2^-60 of the range, below float spacing


@dataclass(frozen=True)
class Sphere:
    """A bounding sphere in world units."""
    center: tuple
    radius: float


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in world units, from its lowest to its highest corner."""
    lo: tuple
    hi: tuple

    def corners(self) -> np.ndarray:
        lo, hi = np.asarray(self.lo, float), np.asarray(self.hi, float)
        k = np.array([[i, j, l] for i in (0, 1) for j in (0, 1) for l in (0, 1)], float)
        return lo + k * (hi - lo)


def aspect_ratio(aspect) -> float:
    """Width / height from ``"9:16"``-style text, a (w, h) pair or a number."""
    if isinstance(aspect, str):
        w, _, h = aspect.partition(":")
        try:
            r = float(w) / float(h)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"aspect {aspect!r}: write it as W:H, e.g. 16:9, 1:1, 9:16") from None
    elif isinstance(aspect, (tuple, list)):
        r = float(aspect[0]) / float(aspect[1])
    else:
        r = float(aspect)
    if not (np.isfinite(r) and r > 0):
        raise ValueError(f"aspect {aspect!r}: width and height must be positive")
    return r


def spheres(subject) -> tuple[np.ndarray, np.ndarray]:
    """A subject as bounding spheres: (centres (M, 3), radii (M,)); points have radius 0,
    a box is its eight corners."""
    if isinstance(subject, Sphere):
        return np.asarray(subject.center, float).reshape(1, 3), np.array([float(subject.radius)])
    if isinstance(subject, Box):
        return subject.corners(), np.zeros(8)
    if isinstance(subject, (list, tuple)) and any(isinstance(s, (Sphere, Box)) for s in subject):
        parts = [spheres(s) for s in subject]
        return np.concatenate([c for c, _ in parts]), np.concatenate([r for _, r in parts])
    pts = np.asarray(subject, float)
    if pts.ndim == 1:
        pts = pts.reshape(1, 3)
    if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) == 0:
        raise ValueError(f"subject: give a Sphere, a Box or points (M, 3), got shape {pts.shape}")
    return pts, np.zeros(len(pts))


def node_box(state, names) -> Box:
    """The world-space box around the named nodes of a frame state (``timeline.evaluate(t)``):
    a mesh's vertices, instances' positions padded by their scale (times the instance
    shape's reach), each node's local box carried through its world matrix.  Invisible nodes
    count too: a subject is what should be in frame, shown or not."""
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    for name in ([names] if isinstance(names, str) else names):
        if name not in state.nodes:
            raise KeyError(f"subject node {name!r} is not in the scene at t={state.t:.2f} s")
        node = state.nodes[name]
        inst, geom = getattr(node, "instances", None), getattr(node, "geometry", None)
        if inst is not None and len(inst):
            shape = getattr(node, "shape", "sphere")
            reach = (1.0 if isinstance(shape, str)
                     else float(np.abs(shape.positions).max(initial=0.0)))
            pad = np.abs(inst.scale).max(axis=1, keepdims=True) * reach
            pts = np.r_[inst.position - pad, inst.position + pad]
        elif geom is not None and len(geom.positions):
            pts = geom.positions
        else:
            continue
        a, b = pts.min(axis=0).astype(float), pts.max(axis=0).astype(float)
        corners = Box(tuple(a), tuple(b)).corners()
        world = np.c_[corners, np.ones(8)] @ state.world_matrix(name).T
        lo, hi = np.minimum(lo, world[:, :3].min(axis=0)), np.maximum(hi, world[:, :3].max(axis=0))
    if not np.all(np.isfinite(lo)):
        raise ValueError(f"subject {names!r}: no geometry to frame at t={state.t:.2f} s")
    return Box(tuple(lo), tuple(hi))


def ndc_window(rect, width: int, height: int) -> tuple[float, float, float, float]:
    """A pixel rectangle (x0, y0, x1, y1; y down, as ``compose.layout`` gives them) as the
    normalised-device window (x0, y0, x1, y1; y up, -1..1) that :func:`reframe` takes."""
    x0, y0, x1, y1 = rect
    return (2 * x0 / width - 1, 1 - 2 * y1 / height, 2 * x1 / width - 1, 1 - 2 * y0 / height)


def basis(position, target, up):
    """(right, up, forward) unit vectors for arrays of cameras (N, 3), as Camera.basis."""
    f = target - position
    f = f / np.maximum(np.linalg.norm(f, axis=-1, keepdims=True), 1e-12)
    r = np.cross(f, up)
    bad = np.linalg.norm(r, axis=-1) < 1e-9
    if bad.any():                          # looking along `up`: Camera.basis's fallback
        alt = np.where(np.abs(f[:, 1:2]) < 0.9, [[0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])
        r = np.where(bad[:, None], np.cross(f, alt), r)
    r = r / np.linalg.norm(r, axis=-1, keepdims=True)
    return r, np.cross(r, f), f


def _intervals(X, Z, rho, t, w0, w1):
    """Shifts s along one camera axis that put every sphere inside the window [w0, w1]
    (in units of the half frame) at tan(half fov) = t: the interval [lo, hi] per frame.
    A sphere lies inside when its distance to each bounding plane x = k z is at least its
    radius; both planes contain the other camera axis, so this is exact in 3D."""
    k1, k0 = (w1 * t)[:, None], (w0 * t)[:, None]
    lo = np.max(X - k1 * Z + rho * np.sqrt(1 + k1 * k1), axis=1)
    hi = np.min(X - k0 * Z - rho * np.sqrt(1 + k0 * k0), axis=1)
    return lo, hi


def _extent(X, Z, rho, s):
    """The subject's projected extent along one axis, as tangents (lo, hi) per frame, after
    a shift s: each sphere spans its centre's angle ± asin(radius / distance) in that
    axis' plane."""
    Xs = X - s[:, None]
    ang = np.arctan2(Xs, Z)
    half = np.arcsin(np.clip(rho / np.maximum(np.hypot(Xs, Z), 1e-300), 0, 1))
    return np.min(np.tan(ang - half), axis=1), np.max(np.tan(ang + half), axis=1)


def _centring(X, Z, rho, lo, hi, centre):
    """The shift in [lo, hi] that puts the middle of the subject's projected extent at
    ``centre`` (tangent units): bisection, the extent's middle falling as the shift grows."""
    a, b = lo.copy(), hi.copy()
    for _ in range(_ITER):
        m = (a + b) / 2
        e0, e1 = _extent(X, Z, rho, m)
        right = (e0 + e1) / 2 > centre
        a, b = np.where(right, m, a), np.where(right, b, m)
    return (a + b) / 2


def reframe_arrays(position, target, up, fov, centres, radii, aspect, *,
                   ref_aspect=REFERENCE_ASPECT, mode: str = "auto", margin: float = 0.05,
                   room: float = 1.25, window=(-1.0, -1.0, 1.0, 1.0), near=None, far=None,
                   max_fov: float = 150.0):
    """Reframe N cameras at once.

    position, target, up: (N, 3); fov: (N,) vertical degrees, designed at ``ref_aspect``;
    centres: (M, 3) or (N, M, 3) subject spheres (per frame if the subject moves); radii:
    (M,) or (N, M); aspect: the new width / height (or ``"9:16"``).  ``margin`` is the free
    border kept around the subject, as a fraction of the frame's width and height per side;
    ``window`` is the part of the frame the subject must stay in, in normalised device
    coordinates (y up; :func:`ndc_window` converts a layout's pixel rectangle), e.g. the
    picture left free by a card.  ``near``/``far`` (scalars or (N,)) only feed ``fits``.

    Returns (position (N, 3), target (N, 3), fov (N,), fits (N,) bool).  ``fits`` is False
    where the subject cannot be framed: it reaches behind the near plane or beyond far, or
    would need more than ``max_fov``.
    """
    if mode not in MODES:
        raise ValueError(f"reframe mode {mode!r}: use one of {', '.join(MODES)}")
    A, A0 = aspect_ratio(aspect), aspect_ratio(ref_aspect)
    if not (0 <= margin < 0.25) or not room >= 1 or not (0 < max_fov < 180):
        raise ValueError("reframe: margin in [0, 0.25), room >= 1, max_fov in (0, 180)")
    P = np.atleast_2d(np.asarray(position, float))
    T = np.atleast_2d(np.asarray(target, float))
    U = np.atleast_2d(np.asarray(up, float))
    n = max(len(P), len(T), len(U), np.size(fov))
    P, T, U = (np.broadcast_to(a, (n, 3)) for a in (P, T, U))
    fov = np.broadcast_to(np.asarray(fov, float), (n,))
    C = np.broadcast_to(np.asarray(centres, float), (n,) + np.shape(centres)[-2:])
    R = np.broadcast_to(np.asarray(radii, float), C.shape[:2])

    r, u, f = basis(P, T, U)
    d = C - P[:, None, :]
    X, Y, Z = (np.einsum("nmk,nk->nm", d, v) for v in (r, u, f))

    wx0, wy0, wx1, wy1 = (float(v) for v in window)
    wx0, wx1 = wx0 + 2 * margin, wx1 - 2 * margin
    wy0, wy1 = wy0 + 2 * margin, wy1 - 2 * margin
    if not (wx0 < wx1 and wy0 < wy1):
        raise ValueError(f"reframe: window {tuple(window)} leaves no room inside the margin")

    def spans(t):
        lx, hx = _intervals(X, Z, R, t * A, wx0, wx1)
        ly, hy = _intervals(Y, Z, R, t, wy0, wy1)
        return lx, hx, ly, hy

    def ok_shifted(t):
        lx, hx, ly, hy = spans(t)
        return (lx <= hx) & (ly <= hy)

    def ok_still(t):
        lx, hx, ly, hy = spans(t)
        return (lx <= 0) & (0 <= hx) & (ly <= 0) & (0 <= hy)

    t_max = np.tan(np.radians(max_fov) / 2)

    def least(ok):
        """The least t in (0, t_max] where ok holds (bisection; NaN where it never does)."""
        lo, hi = np.full(n, 1e-7), np.full(n, t_max)
        good = ok(hi)
        for _ in range(_ITER):
            mid = np.sqrt(lo * hi)
            m = ok(mid)
            hi, lo = np.where(m, mid, hi), np.where(m, lo, mid)
        return np.where(good, hi, np.nan)

    t_ref = np.tan(np.radians(fov) / 2)
    t_wide = np.maximum(t_ref, t_ref * (A0 / A))
    t1 = least(ok_shifted)                                # the subject, centred
    still = ok_still(t_wide)
    t0 = t_wide if still.all() else np.where(still, t_wide, least(ok_still))  # no shift
    t0 = np.where(np.isnan(t0), t1, t0)                   # window off centre: shift anyway
    t_keep = np.fmax(t_wide, t0)
    t_subj = np.fmax(t_ref, t1)
    if mode == "keep":
        t, lam = t_keep, np.zeros(n)
    elif mode == "subject":
        t, lam = t_subj, np.ones(n)
    else:
        t = np.fmin(t_keep, room * t_subj)
        lam = (np.clip((1 - t / t_keep) / (1 - 1 / room), 0, 1) if room > 1
               else (t < t_keep).astype(float))
    t = np.minimum(np.where(np.isnan(t), t_max, t), t_max)
    lam = np.nan_to_num(lam)

    lx, hx, ly, hy = spans(t)
    fx, fy = lx <= hx, ly <= hy
    cx = _centring(X, Z, R, np.where(fx, lx, hx), np.where(fx, hx, lx), (wx0 + wx1) / 2 * t * A)
    cy = _centring(Y, Z, R, np.where(fy, ly, hy), np.where(fy, hy, ly), (wy0 + wy1) / 2 * t)
    a = np.where(fx, np.clip(lam * cx, lx, hx), cx)
    b = np.where(fy, np.clip(lam * cy, ly, hy), cy)
    shift = a[:, None] * r + b[:, None] * u
    fov_out = np.where(t == t_ref, fov, np.degrees(2 * np.arctan(t)))

    fits = (lx <= hx) & (ly <= hy)
    depth_lo, depth_hi = np.min(Z - R, axis=1), np.max(Z + R, axis=1)
    if near is not None:
        fits &= depth_lo > np.asarray(near, float)
    else:
        fits &= depth_lo > 0
    if far is not None:
        fits &= depth_hi < np.asarray(far, float)
    return P + shift, T + shift, fov_out, fits


def reframe(camera: Camera, subject, aspect, **options) -> Camera:
    """The camera for ``aspect`` (e.g. ``"9:16"``) from one designed at 16:9, keeping
    ``subject`` (Sphere, Box, points or a list of them) in frame; options as
    :func:`reframe_arrays`.  Unchanged (the same object) when nothing needs to move."""
    c, rad = spheres(subject)
    p, t, fov, _ = reframe_arrays(camera.position[None], camera.target[None], camera.up[None],
                                  np.array([camera.fov]), c, rad, aspect,
                                  near=camera.near, far=camera.far, **options)
    if fov[0] == camera.fov and np.array_equal(p[0], camera.position) \
            and np.array_equal(t[0], camera.target):
        return camera
    return camera.copy(position=p[0], target=t[0], fov=float(fov[0]))


def subject_ndc(camera: Camera, subject, aspect) -> np.ndarray:
    """Where the subject's points (sphere centres, box corners) land in normalised device
    coordinates (M, 2), through the camera's own view and projection matrices: what a test
    or a check looks at."""
    c, _ = spheres(subject)
    h = np.c_[c, np.ones(len(c))] @ (camera.projection_matrix(aspect_ratio(aspect))
                                     @ camera.view_matrix()).T
    return h[:, :2] / h[:, 3:4]
