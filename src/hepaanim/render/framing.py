"""The camera of a frame drawn at another aspect than the film's 16:9 design (issue 16).

An act's cameras are designed at 16:9; a 1:1 or 9:16 version reframes them, frame by frame,
with ``scene.reframe`` so the act's subject (``act.subject(...)``) stays in the picture the
overlays leave free (``compose.layout.Layout.picture``: below a stacked card, above the
caption band).  The frame's aspect is read from the size it is drawn at, so the same
``Settings`` (the cache key) that decides the size decides the framing, in any process.

A 16:9 frame is returned untouched (the design: goldens do not move).  An act with no subject
keeps its 16:9 horizontal coverage (``mode="keep"`` around the camera's target): a wide shot
stays wide.  A per-act override (``act.subject(..., cameras={"9:16": ...})``) is applied to
the reframed camera where the rule is not enough.
"""
from __future__ import annotations

import dataclasses

from ..compose.layout import aspect_name, layout
import numpy as np

from ..scene.reframe import Sphere, ndc_window, node_box, reframe_arrays, spheres


def base_film(source):
    """The Film behind the wrappers the pipeline evaluates through (``Replay``, ``Watched``:
    each keeps the film it wraps as ``.film``)."""
    while hasattr(source, "film") and not hasattr(source, "acts"):
        source = source.film
    return source


def framed(source, state, width: int, height: int):
    """``state`` with its camera reframed for a ``width`` × ``height`` frame (the same state
    at 16:9)."""
    aspect = aspect_name(width, height)
    if aspect == "16:9":
        return state
    film = base_film(source)
    timeline = getattr(film, "timeline", None)
    name = timeline.act_at(state.t) if timeline is not None else None
    act = next((a for a in getattr(film, "acts", ()) if a.name == name), None)
    spec = getattr(act, "framing", None)
    cam = state.camera
    card = any(c.style == "card" for c, _ in state.captions_in())
    window = ndc_window(layout(width, height).picture(card=card), width, height)
    if spec is None:
        subject, mode, margin = Sphere(tuple(cam.target), 1e-6), "keep", 0.0
    else:
        subject = list(spec["shapes"])
        names = [n for n in spec["names"] if n in state.nodes]
        if names:
            subject.append(node_box(state, names))
        if not subject:                     # its nodes are all off screen at t: keep
            subject, mode, margin = [Sphere(tuple(cam.target), 1e-6)], "keep", 0.0
        else:
            mode, margin = spec["mode"], spec["margin"]
    new = _fit(cam, subject, width / height, mode, margin, window)
    if new is None and card:            # no room left beside a stacked card: the whole
        whole = ndc_window(layout(width, height).picture(card=False), width, height)
        new = _fit(cam, subject, width / height, mode, margin, whole)   # picture, under it
    if new is None:                     # the subject cannot be framed: keep the width
        new = _fit(cam, Sphere(tuple(cam.target), 1e-6), width / height, "keep", 0.0,
                   window, force=True)
    override = spec["cameras"].get(aspect) if spec is not None else None
    if callable(override):
        new = override(new, state.t)
    elif override:
        new = new.copy(**override)
    return state if new is cam else dataclasses.replace(state, camera=new)


def _fit(cam, subject, aspect: float, mode: str, margin: float, window, force=False):
    """The reframed camera, ``cam`` itself when nothing moves, or None when the subject
    cannot be framed in ``window`` (``force``: the camera anyway)."""
    c, rad = spheres(subject)
    p, t, fov, fits = reframe_arrays(cam.position[None], cam.target[None], cam.up[None],
                                     np.array([cam.fov]), c, rad, aspect, mode=mode,
                                     margin=margin, window=window, near=cam.near,
                                     far=cam.far)
    if not (fits[0] or force):
        return None
    if fov[0] == cam.fov and np.array_equal(p[0], cam.position) \
            and np.array_equal(t[0], cam.target):
        return cam
    return cam.copy(position=p[0], target=t[0], fov=float(fov[0]))
