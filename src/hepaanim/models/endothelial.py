"""Liver sinusoidal endothelial cell (units: micrometres).

A very thin, flat cell (~25 × 12 µm, well under 1 µm thick away from its nucleus) whose
nucleus bulges into the lumen; in the sinusoid model the endothelium is drawn as a
continuous fenestrated wall instead, and this model is for close-ups and the gallery.
"""
from __future__ import annotations

import functools

import numpy as np

from ..scene.color import rgb
from ..scene.material import Material
from ..scene.nodes import MeshNode
from ._base import Model, transform_of
from ._mesh import radial_mesh

ENDOTHELIUM = "#DDB3BD"      # pale lilac-pink lining (not a palette colour)


@functools.lru_cache(maxsize=4)
def endothelial_geometry(length: float = 25.0, width: float = 12.0):
    half = np.array([length / 2, width / 2, 0.45])

    def radius(d):
        r = 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1))
        # Nuclear bulge on the lumen side (+z): ~3 µm high, ~8 µm across.
        bulge = np.exp(-((d[:, 0] ** 2 + d[:, 1] ** 2) / 0.002)) * (d[:, 2] > 0)
        return r + 2.6 * bulge
    return radial_mesh(radius, 16, axes=half * np.array([1, 1, 6]))


def endothelial_cell(name: str = "endothelial", transform=None, position=None) -> Model:
    """A flat endothelial cell (µm), lumen side +z."""
    tr = transform_of(transform, position)
    node = MeshNode(name, geometry=endothelial_geometry(),
                    material=Material(color=rgb(ENDOTHELIUM), opacity=0.85, roughness=0.45,
                                      rim=0.5), transform=tr)
    return Model(name, [node], center=tr.position.copy(), radius=13.0, units="um")
