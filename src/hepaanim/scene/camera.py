"""Perspective camera with look-at, and the matrices the backends need."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass
class Camera:
    position: np.ndarray = field(default_factory=lambda: np.array([0.0, -10.0, 0.0]))
    target: np.ndarray = field(default_factory=lambda: np.zeros(3))
    up: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    fov: float = 40.0          # vertical, degrees
    near: float = 0.1
    far: float = 1000.0

    def __post_init__(self):
        for k in ("position", "target", "up"):
            setattr(self, k, np.asarray(getattr(self, k), dtype=np.float64).reshape(3))

    def copy(self, **changes) -> "Camera":
        return replace(self, **changes)

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors in world space."""
        f = self.target - self.position
        f = f / max(np.linalg.norm(f), 1e-12)
        r = np.cross(f, self.up)
        if np.linalg.norm(r) < 1e-9:          # looking along `up`: pick any right vector
            r = np.cross(f, np.array([0.0, 1.0, 0.0]) if abs(f[1]) < 0.9 else np.array([1.0, 0, 0]))
        r /= np.linalg.norm(r)
        return r, np.cross(r, f), f

    def view_matrix(self) -> np.ndarray:
        r, u, f = self.basis()
        m = np.eye(4)
        m[0, :3], m[1, :3], m[2, :3] = r, u, -f
        m[:3, 3] = -m[:3, :3] @ self.position
        return m

    def projection_matrix(self, aspect: float) -> np.ndarray:
        fy = 1.0 / np.tan(np.radians(self.fov) / 2)
        n, f = self.near, self.far
        m = np.zeros((4, 4))
        m[0, 0], m[1, 1] = fy / aspect, fy
        m[2, 2], m[2, 3] = (f + n) / (n - f), 2 * f * n / (n - f)
        m[3, 2] = -1.0
        return m
