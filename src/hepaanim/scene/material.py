"""Materials are plain data; the GL backend decides how to shade them, VPython approximates.

Colours are sRGB triples in [0, 1] (hex strings and palette names are accepted and parsed).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .color import rgb


SHADINGS = ("auto", "pixel", "vertex")


@dataclass
class Material:
    color: np.ndarray = field(default_factory=lambda: rgb("#FFFFFF"))
    opacity: float = 1.0
    emissive: float = 0.0     # self-illumination, multiples of the base colour
    roughness: float = 0.5    # 0 wet and glossy .. 1 chalky
    rim: float = 0.0          # Fresnel rim strength (membranes glow at grazing angles)
    rim_color: np.ndarray | None = None
    wrap: float = 0.35        # soft wrap lighting: light bleeds past the terminator
    reveal: float = 1.0       # show only the part of the surface whose param <= reveal
    double_sided: bool = False
    # "auto": per pixel, or per vertex where the mesh's triangles are a few pixels on
    # screen (the same picture, much cheaper on a software GL); "pixel" always per pixel;
    # "vertex" always per vertex (cheap; for big smooth translucent walls).
    shading: str = "auto"

    def __post_init__(self):
        self.color = rgb(self.color)
        if self.rim_color is not None:
            self.rim_color = rgb(self.rim_color)
        if self.shading not in SHADINGS:
            raise ValueError(f"shading {self.shading!r}: use one of {', '.join(SHADINGS)}")
        if not 0.0 <= float(self.opacity) <= 1.0:
            raise ValueError(f"opacity {self.opacity} outside [0, 1]")

    def copy(self, **changes) -> "Material":
        return replace(self, **changes)

    @property
    def translucent(self) -> bool:
        return self.opacity < 0.999
