"""Scene nodes: named, declarative, copied (never mutated) when the timeline animates them.

Two kinds cover the film:

* :class:`MeshNode` — one triangle geometry with one material (organ, vessel walls, plates).
* :class:`InstancedNode` — one node, N instances with per-instance position, orientation,
  scale, colour and opacity.  ``shape`` is ``"sphere"`` (ray-cast impostors: round and
  numerous things — cells, particles, droplets; per-axis scale makes ellipsoids),
  ``"biconcave"`` (ray-cast red blood cells) or a :class:`Geometry` drawn once per
  instance (collagen segments, anything not round).

A node may carry ``params`` (model state such as ``{"state": 0.4}``) and a pure ``derive``
function that turns those params into concrete geometry, colours and instance arrays at
evaluation time.  Models own their derive functions; the timeline only animates numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Callable

import numpy as np

from .geometry import Geometry
from .material import Material
from .transform import Transform, quat_identity

# Ray-cast shapes: ellipsoids (per-axis scale) and the biconcave red-cell disc (its local
# z axis is the disc axis; scale (3.91, 3.91, 1.25) um gives Evans & Fung's 7.8 x 2.5 um).
# "glow": additive soft sprites for molecules (cytokines, factors) that should shine.
IMPOSTOR_SHAPES = ("sphere", "biconcave", "glow")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"node name {name!r}: use letters, digits and '_' "
                         "(it becomes part of property paths such as 'name.material.opacity')")
    return name


@dataclass
class Instances:
    """Per-instance arrays; every array has the same first dimension N."""
    position: np.ndarray
    orientation: np.ndarray | None = None   # N×4 quaternions (x, y, z, w)
    scale: np.ndarray | None = None         # N×3 (or N, for uniform)
    color: np.ndarray | None = None         # N×3 sRGB; None: the material colour
    opacity: np.ndarray | None = None       # N; multiplies the material opacity

    def __post_init__(self):
        self.position = np.asarray(self.position, dtype=np.float32).reshape(-1, 3)
        n = len(self.position)
        self.orientation = (quat_identity(n) if self.orientation is None
                            else np.asarray(self.orientation, dtype=np.float32).reshape(n, 4))
        s = np.ones((n, 3)) if self.scale is None else np.asarray(self.scale, dtype=np.float32)
        if s.ndim == 0 or (s.ndim == 1 and len(s) == n and n != 3):
            s = np.broadcast_to(s.reshape(-1, 1), (n, 3))   # uniform scale per instance
        self.scale = np.broadcast_to(s, (n, 3)).astype(np.float32)
        if self.color is not None:
            self.color = np.asarray(self.color, dtype=np.float32).reshape(n, 3)
        self.opacity = (np.ones(n, np.float32) if self.opacity is None
                        else np.asarray(self.opacity, dtype=np.float32).reshape(n))

    def __len__(self) -> int:
        return len(self.position)

    def copy(self, **changes) -> "Instances":
        return replace(self, **changes)

    def select(self, mask) -> "Instances":
        """The instances ``mask`` picks (booleans, or indices), with every per-instance
        array (position, orientation, scale, colour, opacity, and any a subclass adds)
        picked alike: a hand-written filter that forgets one (say ``color``) silently
        recolours what it keeps."""
        keep = np.asarray(mask)
        picked = {f.name: getattr(self, f.name)[keep] for f in fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)
                  and len(getattr(self, f.name)) == len(self)}
        return replace(self, **picked)


@dataclass
class Node:
    name: str
    material: Material = field(default_factory=Material)
    transform: Transform = field(default_factory=Transform)
    visible: bool = True
    parent: str | None = None
    params: dict = field(default_factory=dict)
    derive: Callable[["Node"], "Node"] | None = field(default=None, repr=False)
    tags: tuple = ()            # e.g. ("enlarged",) for molecules drawn bigger than life

    def __post_init__(self):
        check_name(self.name)

    def copy(self, **changes) -> "Node":
        return replace(self, **changes)


@dataclass
class MeshNode(Node):
    geometry: Geometry | None = None

    @property
    def triangle_count(self) -> int:
        return 0 if self.geometry is None else self.geometry.triangle_count


@dataclass
class InstancedNode(Node):
    shape: str | Geometry = "sphere"
    instances: Instances | None = None

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.shape, str) and self.shape not in IMPOSTOR_SHAPES:
            raise ValueError(f"node {self.name!r}: shape must be one of {IMPOSTOR_SHAPES} "
                             f"or a Geometry, got {self.shape!r}")
        if self.instances is None:
            self.instances = Instances(np.zeros((0, 3)))

    @property
    def count(self) -> int:
        return len(self.instances)
