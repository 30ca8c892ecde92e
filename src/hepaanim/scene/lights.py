"""Lights: a three-point rig (key, fill, rim) plus ambient, as plain data.

Directions are in camera space by default (x right, y up, z toward the viewer), the way
medical-animation rigs follow the camera so that every shot is lit the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .color import rgb


@dataclass
class Light:
    name: str
    kind: str = "directional"            # "directional" | "ambient"
    direction: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    color: np.ndarray = field(default_factory=lambda: rgb("#FFFFFF"))
    intensity: float = 1.0

    def __post_init__(self):
        if self.kind not in ("directional", "ambient"):
            raise ValueError(f"light {self.name!r}: kind must be 'directional' or 'ambient'")
        d = np.asarray(self.direction, dtype=np.float64).reshape(3)
        self.direction = d / max(np.linalg.norm(d), 1e-12)
        self.color = rgb(self.color)

    def copy(self, **changes) -> "Light":
        return replace(self, **changes)


def three_point_rig() -> dict[str, Light]:
    """Warm key from upper left, cool fill from the right, strong rim from behind."""
    return {
        "key": Light("key", direction=(-0.5, 0.6, 0.62), color="#FFF1E0", intensity=1.25),
        "fill": Light("fill", direction=(0.7, -0.1, 0.7), color="#BFD8FF", intensity=0.35),
        "rim": Light("rim", direction=(0.2, 0.5, -0.85), color="#CFE8FF", intensity=0.9),
        "ambient": Light("ambient", kind="ambient", color="#6F87B0", intensity=0.22),
    }
