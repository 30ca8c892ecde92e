"""Closed-form motion: things that look simulated but are pure functions of t and a seed.

``LaminarFlow`` carries cells along a vessel's centre line with a Poiseuille profile
(fast in the middle, slow at the wall), wrapping round a loop longer than the shot, and
tumbles them at a rate that grows with shear.  ``flow.at(t)`` returns positions and
orientations for any t, so frame 1116 never depends on frames 0..1115.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scene.geometry import path_frames
from ..scene.transform import quat_from_axis_angle, quat_multiply


@dataclass
class PathSampler:
    """Arc-length parametrisation of a polyline with rotation-minimising frames."""
    points: np.ndarray

    def __post_init__(self):
        self.points = np.asarray(self.points, dtype=np.float64)
        seg = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        self.s = np.concatenate([[0.0], np.cumsum(seg)])
        self.T, self.U, self.V = path_frames(self.points)

    @property
    def length(self) -> float:
        return float(self.s[-1])

    def at(self, s: np.ndarray):
        """Point, tangent, normal, binormal at arc lengths s (clamped to the path)."""
        s = np.clip(np.asarray(s, dtype=np.float64), 0.0, self.length)
        k = np.clip(np.searchsorted(self.s, s, side="right") - 1, 0, len(self.s) - 2)
        u = ((s - self.s[k]) / np.maximum(self.s[k + 1] - self.s[k], 1e-12))[..., None]

        def lerp(a):
            return a[k] * (1 - u) + a[k + 1] * u
        return lerp(self.points), lerp(self.T), lerp(self.U), lerp(self.V)


class LaminarFlow:
    """N bodies flowing along `path` inside radius `core`, with a Poiseuille profile."""

    def __init__(self, path, count: int, core: float, v_max: float, seed: int,
                 tumble: float = 1.0, radial_bias: float = 0.5):
        rng = np.random.default_rng(seed)
        self.path = PathSampler(path)
        self.count = count
        self.core = core
        # radial_bias < 1 crowds bodies toward the axis (the cell-free layer at the wall).
        self.r = core * rng.uniform(0, 1, count) ** radial_bias
        self.theta = rng.uniform(0, 2 * np.pi, count)
        self.s0 = rng.uniform(0, self.path.length, count)
        self.v = v_max * (1 - (self.r / (core * 1.15)) ** 2)
        self.q0 = _random_quats(rng, count)
        self.spin_axis = rng.normal(size=(count, 3))
        self.spin_rate = tumble * (0.3 + 0.7 * self.r / core) * rng.uniform(0.6, 1.4, count)
        self.phase = rng.uniform(0, 2 * np.pi, count)

    def positions(self, t: float) -> np.ndarray:
        s = (self.s0 + self.v * t) % self.path.length
        p, _, U, V = self.path.at(s)
        off = (np.cos(self.theta)[:, None] * U + np.sin(self.theta)[:, None] * V)
        return p + self.r[:, None] * off

    def orientations(self, t: float) -> np.ndarray:
        spin = quat_from_axis_angle(self.spin_axis, self.phase + self.spin_rate * t)
        return quat_multiply(spin, self.q0)


def _random_quats(rng, n: int) -> np.ndarray:
    """Uniformly random rotations (Shoemake)."""
    u1, u2, u3 = rng.uniform(size=(3, n))
    a, b = np.sqrt(1 - u1), np.sqrt(u1)
    return np.stack([a * np.sin(2 * np.pi * u2), a * np.cos(2 * np.pi * u2),
                     b * np.sin(2 * np.pi * u3), b * np.cos(2 * np.pi * u3)], axis=1)
