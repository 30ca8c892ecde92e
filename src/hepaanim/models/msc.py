"""A mesenchymal stromal cell (MSC) as a therapy cell (units: micrometres).

A liver-derived mesenchymal stromal cell, ~20 µm (diameter assumed), round in suspension.
Its look is used by no other cell, so a film can make it its hero: therapy teal with a
bright white-teal Fresnel rim, a soft inner glow and a fine bumpy (microvillous) surface.

Params: ``state`` 0 round in suspension → 1 lodged in a sinusoid (squeezed into an
elongated, flattened shape that fills a ~10 µm lumen, volume kept); ``secretion`` 0..1
raises its glow while it releases paracrine factors (see ``matter.paracrine_factors``).
"""
from __future__ import annotations

import functools
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, quantize, transform_of
from ._mesh import fibonacci_sphere, radial_mesh, smoothstep

DIAMETER = 20.0
RIM = "#B8FFF5"


@functools.lru_cache(maxsize=80)
def msc_geometry(q_state: float, diameter: float = DIAMETER):
    """Lodged shape: long axis x (along the vessel), squeezed in y and z (volume kept)."""
    s = smoothstep(0.0, 1.0, q_state)
    r = diameter / 2
    across = 1.0 - 0.28 * s
    half = np.array([r / across ** 2, r * across, r * across])
    bumps = fibonacci_sphere(120)

    def radius(d):
        base = 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1))
        villi = np.exp(-(1.0 - d @ bumps.T) / 0.006).sum(axis=1)
        return base * (1.0 + 0.02 * villi)
    return radial_mesh(radius, 24, axes=half)


def msc_material(secretion: float = 0.0) -> Material:
    return Material(color=rgb("therapy_teal"), opacity=0.92, emissive=0.18 + 0.5 * secretion,
                    roughness=0.28, rim=1.3, rim_color=rgb(RIM), wrap=0.5)


def _derive(diameter, node):
    s = param(node, "state")
    sec = param(node, "secretion")
    return node.copy(geometry=msc_geometry(quantize(s), diameter),
                     material=node.material.copy(emissive=0.18 + 0.5 * sec))


def msc_cell(name: str = "msc", state: float = 0.0, secretion: float = 0.0,
                  diameter: float = DIAMETER, transform=None, position=None) -> Model:
    """One mesenchymal stromal cell (µm).  Params: ``state`` (0 suspension → 1 lodged),
    ``secretion``."""
    s = clamp01(state, f"{name} state")
    sec = clamp01(secretion, f"{name} secretion")
    tr = transform_of(transform, position)
    node = MeshNode(name, material=msc_material(sec), transform=tr,
                    params={"state": s, "secretion": sec}, derive=partial(_derive, diameter))
    return Model(name, [node.derive(node)], center=tr.position.copy(), radius=diameter,
                 units="um")


def msc_swarm(name: str, positions, radius: float = DIAMETER / 2,
                   tags: tuple = ()) -> InstancedNode:
    """Many stromal cells as teal impostors (e.g. travelling the IV route at body scale;
    there pass ``tags=("enlarged",)`` and a radius in mm that keeps them visible)."""
    pos = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    return InstancedNode(name, shape="sphere",
                         instances=Instances(pos, scale=np.full(len(pos), radius)),
                         material=msc_material(0.0), params={"nucleus": 0.35}, tags=tags)
