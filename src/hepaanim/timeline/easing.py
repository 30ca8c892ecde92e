"""Rate functions: u in [0, 1] -> eased u, with f(0) = 0 and f(1) = 1 for every one.

Names follow easings.net (in_out_sine, out_cubic, ...) plus Manim's 'smooth'.
All accept numpy arrays as well as floats.
"""
from __future__ import annotations

import numpy as np


def _clip(u):
    return np.clip(u, 0.0, 1.0)


def linear(u):
    return _clip(u)


def smooth(u):
    """Smoothstep: zero velocity at both ends."""
    u = _clip(u)
    return u * u * (3 - 2 * u)


def smoother(u):
    u = _clip(u)
    return u * u * u * (u * (6 * u - 15) + 10)


def _poly(k):
    def ein(u):
        return _clip(u) ** k

    def eout(u):
        return 1 - (1 - _clip(u)) ** k

    def einout(u):
        u = _clip(u)
        return np.where(u < 0.5, 2 ** (k - 1) * u ** k, 1 - (-2 * u + 2) ** k / 2)
    return ein, eout, einout


in_quad, out_quad, in_out_quad = _poly(2)
in_cubic, out_cubic, in_out_cubic = _poly(3)
in_quart, out_quart, in_out_quart = _poly(4)


def in_sine(u):
    return 1 - np.cos(_clip(u) * np.pi / 2)


def out_sine(u):
    return np.sin(_clip(u) * np.pi / 2)


def in_out_sine(u):
    return -(np.cos(np.pi * _clip(u)) - 1) / 2


def in_expo(u):
    u = _clip(u)
    return np.where(u <= 0, 0.0, 2 ** (10 * u - 10) - (1 - u) * 2 ** -10)


def out_expo(u):
    u = _clip(u)
    return np.where(u >= 1, 1.0, 1 - 2 ** (-10 * u) + u * 2 ** -10)


def in_out_expo(u):
    u = _clip(u)
    return np.where(u < 0.5, in_expo(2 * u) / 2, 0.5 + out_expo(2 * u - 1) / 2)


def in_circ(u):
    return 1 - np.sqrt(1 - _clip(u) ** 2)


def out_circ(u):
    return np.sqrt(1 - (_clip(u) - 1) ** 2)


def in_out_circ(u):
    u = _clip(u)
    return np.where(u < 0.5, in_circ(2 * u) / 2, 0.5 + out_circ(2 * u - 1) / 2)


_C1 = 1.70158


def in_back(u):
    u = _clip(u)
    return (_C1 + 1) * u ** 3 - _C1 * u ** 2


def out_back(u):
    u = _clip(u) - 1
    return 1 + (_C1 + 1) * u ** 3 + _C1 * u ** 2


def in_out_back(u):
    u = _clip(u)
    return np.where(u < 0.5, in_back(2 * u) / 2, 0.5 + out_back(2 * u - 1) / 2)


def step(u):
    """Hold the start value until the end of the segment."""
    return np.where(_clip(u) >= 1.0, 1.0, 0.0)


in_quad.__name__, out_quad.__name__, in_out_quad.__name__ = "in_quad", "out_quad", "in_out_quad"
in_cubic.__name__, out_cubic.__name__, in_out_cubic.__name__ = "in_cubic", "out_cubic", "in_out_cubic"
in_quart.__name__, out_quart.__name__, in_out_quart.__name__ = "in_quart", "out_quart", "in_out_quart"
EASINGS = {f.__name__: f for f in (
    linear, smooth, smoother, step,
    in_quad, out_quad, in_out_quad, in_cubic, out_cubic, in_out_cubic,
    in_quart, out_quart, in_out_quart, in_sine, out_sine, in_out_sine,
    in_expo, out_expo, in_out_expo, in_circ, out_circ, in_out_circ,
    in_back, out_back, in_out_back)}


def get(ease) -> callable:
    """An easing by name (or a callable passed through)."""
    if callable(ease):
        return ease
    try:
        return EASINGS[ease]
    except KeyError:
        raise ValueError(f"unknown easing {ease!r}; known: {', '.join(sorted(EASINGS))}") from None
