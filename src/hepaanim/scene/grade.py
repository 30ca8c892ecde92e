"""A colour grade between two looks, blended by one animatable number.

Why here and not in the renderer: a grade is a film's choice (which colours mean what), so
the engine only knows its shape.  A film puts a :class:`Grade` in ``scene.grade`` (usually
once, in its defaults) and animates ``scene.warmth`` in [0, 1]; 0 gives the ``cool`` end,
1 the ``warm`` end.  With no grade, or no warmth, the frame is ungraded.  Every backend
(the GL renderer, the preview) reads the same two functions below, so they agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Grade:
    """Two looks and how far the backdrop follows them.

    cool, warm: RGB gains applied to the whole picture (after white balance) at warmth 0
    and 1.  background_warm: (top, bottom) linear-ish RGB the backdrop gradient moves
    toward as warmth rises, by at most ``background_mix`` (None: the backdrop is never
    graded).
    """
    cool: tuple = (1.0, 1.0, 1.0)
    warm: tuple = (1.0, 1.0, 1.0)
    background_warm: tuple | None = None
    background_mix: float = 0.8


def _amount(settings) -> tuple[Grade | None, float | None]:
    g = settings.params.get("grade")
    w = settings.params.get("warmth")
    if g is None or w is None:
        return None, None
    return g, float(np.clip(w, 0, 1))


def tint(settings) -> np.ndarray:
    """The RGB gain the grade applies at the settings' warmth (ones when ungraded)."""
    g, w = _amount(settings)
    if g is None:
        return np.ones(3)
    cool, warm = np.asarray(g.cool, float), np.asarray(g.warm, float)
    return cool + (warm - cool) * w


def background(settings) -> tuple[np.ndarray, np.ndarray]:
    """The backdrop gradient (top, bottom) after the grade."""
    top = np.asarray(settings.background_top)
    bottom = np.asarray(settings.background_bottom)
    g, w = _amount(settings)
    if g is None or g.background_warm is None:
        return top, bottom
    k = w * float(g.background_mix)
    wt, wb = (np.asarray(c, float) for c in g.background_warm)
    return top + (wt - top) * k, bottom + (wb - bottom) * k
