"""Transforms and quaternions (x, y, z, w order, as three.js) as numpy arrays.

Functions are vectorised over leading axes so that per-instance orientation arrays
(N×4) and single quaternions share one implementation.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


def quat_identity(n: int | None = None) -> np.ndarray:
    q = np.array([0.0, 0.0, 0.0, 1.0])
    return q if n is None else np.tile(q, (n, 1))


def quat_from_axis_angle(axis, angle) -> np.ndarray:
    axis = np.asarray(axis, dtype=np.float64)
    axis = axis / np.maximum(np.linalg.norm(axis, axis=-1, keepdims=True), 1e-12)
    half = np.asarray(angle, dtype=np.float64)[..., None] / 2
    return np.concatenate([axis * np.sin(half), np.cos(half)], axis=-1)


def quat_multiply(a, b) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    ax, ay, az, aw = np.moveaxis(a, -1, 0)
    bx, by, bz, bw = np.moveaxis(b, -1, 0)
    return np.stack([aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw,
                     aw * bw - ax * bx - ay * by - az * bz], axis=-1)


def quat_to_matrix(q) -> np.ndarray:
    q = np.asarray(q, dtype=np.float64)
    if q.ndim == 1:             # one rotation (a node's transform, every node every frame):
        return _quat_to_matrix_1(*q.tolist())         # plain floats, ~10x faster
    q = q / np.maximum(np.linalg.norm(q, axis=-1, keepdims=True), 1e-12)
    x, y, z, w = np.moveaxis(q, -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], axis=-2)


def _quat_to_matrix_1(x: float, y: float, z: float, w: float) -> np.ndarray:
    n = max((x * x + y * y + z * z + w * w) ** 0.5, 1e-12)
    x, y, z, w = x / n, y / n, z / n, w / n
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def quat_rotate(q, v) -> np.ndarray:
    return np.einsum("...ij,...j->...i", quat_to_matrix(q), np.asarray(v, dtype=np.float64))


def quat_slerp(a, b, u) -> np.ndarray:
    """Spherical interpolation, shortest arc, vectorised over leading axes."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    d = np.sum(a * b, axis=-1, keepdims=True)
    b = np.where(d < 0, -b, b)
    d = np.abs(d)
    theta = np.arccos(np.clip(d, -1.0, 1.0))
    s = np.sin(theta)
    small = s < 1e-6
    safe = np.where(small, 1.0, s)
    w0 = np.where(small, 1 - u, np.sin((1 - u) * theta) / safe)
    w1 = np.where(small, u, np.sin(u * theta) / safe)
    out = w0 * a + w1 * b
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def quat_look_rotation(forward, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Quaternion turning +z onto `forward` (vectorised); used to align cells with flow."""
    f = np.asarray(forward, dtype=np.float64)
    f = f / np.maximum(np.linalg.norm(f, axis=-1, keepdims=True), 1e-12)
    z = np.broadcast_to(np.array([0.0, 0.0, 1.0]), f.shape)
    axis = np.cross(z, f)
    s = np.linalg.norm(axis, axis=-1)
    c = np.sum(z * f, axis=-1)
    axis = np.where(s[..., None] < 1e-9, np.array([1.0, 0.0, 0.0]), axis)
    return quat_from_axis_angle(axis, np.arctan2(s, c))


@dataclass
class Transform:
    position: np.ndarray = field(default_factory=lambda: np.zeros(3))
    rotation: np.ndarray = field(default_factory=quat_identity)
    scale: np.ndarray = field(default_factory=lambda: np.ones(3))

    def __post_init__(self):
        self.position = np.asarray(self.position, dtype=np.float64).reshape(3)
        self.rotation = np.asarray(self.rotation, dtype=np.float64).reshape(4)
        self.scale = np.broadcast_to(np.asarray(self.scale, dtype=np.float64), (3,)).copy()

    def matrix(self) -> np.ndarray:
        m = np.eye(4)
        m[:3, :3] = quat_to_matrix(self.rotation) * self.scale[None, :]
        m[:3, 3] = self.position
        return m

    def copy(self, **changes) -> "Transform":
        return replace(self, **changes)
