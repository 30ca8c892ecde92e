"""The organs a failing liver can take down, in a translucent body (units: millimetres, body frame).

Why: brief §2.7 — in acute-on-chronic liver failure, systemic inflammation makes organs fail
in turn: liver, kidney, brain, coagulation, circulation, lung.  The body, heart and lungs
are ``iv_route``'s own geometry (imported, one source); the liver is ``liver``'s, placed by
``liver_transform``; kidneys, brain and a blood-drop icon for coagulation are added here.

One param per organ, each 0..1 on its own node (``OrganBody.params``): 0 calm (a muted
anatomical colour), 1 failing (Inflammation Ember, glowing).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..scene.geometry import Geometry, merge, surface_of_revolution
from ..scene.material import Material
from ..scene.nodes import MeshNode
from ._base import Model, clamp01, param, sub, transform_of
from ._mesh import mesh, mix_color, radial_mesh
from .iv_route import (HEART, LUNG, SKIN, body_geometry, heart_geometry,
                       liver_transform, lung_geometry)
from .liver import liver_geometry

ORGANS = ("liver", "kidneys", "brain", "coagulation", "circulation", "lungs")
KIDNEY = "#9C4A3E"
BRAIN = "#D9A6A0"
BLOOD = "#B3262B"
KIDNEY_CENTERS = ((-68.0, 52.0, -95.0), (68.0, 52.0, -80.0))
BRAIN_CENTER = (0.0, 6.0, 478.0)
DROP_CENTER = (-250.0, -10.0, 360.0)     # an icon beside the head, on the patient's right


@functools.lru_cache(maxsize=2)
def kidney_geometry() -> Geometry:
    """Two bean shapes (a hilum dent facing the spine), ~110 mm long."""
    half = np.array([28.0, 24.0, 56.0])
    parts = []
    for c in KIDNEY_CENTERS:
        side = -np.sign(c[0])                  # the hilum faces the midline

        def radius(d, side=side):
            r = 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1))
            dent = np.exp(-((d[:, 0] - side) ** 2 + d[:, 1] ** 2) / 0.35)
            return r * (1.0 - 0.22 * dent)
        parts.append(radial_mesh(radius, 14, center=c, axes=half))
    return merge(parts)


@functools.lru_cache(maxsize=2)
def brain_geometry() -> Geometry:
    """Two hemispheres with a few gyri, inside the head."""
    half = np.array([64.0, 80.0, 56.0])
    rng = np.random.default_rng(3)
    waves = rng.normal(size=(24, 3)) * 9.0
    ph = rng.uniform(0, 2 * np.pi, 24)

    def radius(d):
        r = 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1))
        fissure = np.exp(-(d[:, 0] / 0.08) ** 2) * (d[:, 2] > -0.2)
        gyri = np.sin(d @ waves.T + ph).mean(axis=1)
        return r * (1.0 + 0.05 * gyri - 0.1 * fissure)
    return radial_mesh(radius, 20, center=BRAIN_CENTER, axes=half)


@functools.lru_cache(maxsize=2)
def drop_geometry() -> Geometry:
    """A blood drop (teardrop, point up), ~80 mm: the icon for coagulation."""
    t = np.linspace(0, np.pi, 40)
    z = -np.cos(t)                                    # -1 bottom .. 1 tip
    r = np.sin(t) * (1 - z) / 2 * 1.25
    g = surface_of_revolution(r[::-1] * 32.0, z[::-1] * 40.0, cols=32)
    m = np.eye(4)
    m[:3, 3] = DROP_CENTER
    g = g.transformed(m)
    p, i = g.positions.astype(np.float64), g.indices.astype(np.int64)
    vol = np.einsum("ij,ij->i", p[i[:, 0]], np.cross(p[i[:, 1]], p[i[:, 2]])).sum()
    return mesh(p, (i if vol >= 0 else i[:, [0, 2, 1]]).astype(np.uint32))


def _organ_material(base: str, glow: float, opacity: float) -> Material:
    return Material(color=mix_color(base, "inflammation_ember", glow),
                    opacity=min(1.0, opacity + 0.4 * glow), roughness=0.45, rim=0.6,
                    rim_color=mix_color("#FFE2D6", "#FFB199", glow), emissive=0.9 * glow)


BASES = {"liver": ("liver_maroon", 0.55), "kidneys": (KIDNEY, 0.5), "brain": (BRAIN, 0.4),
         "coagulation": (BLOOD, 0.6), "circulation": (HEART, 0.5), "lungs": (LUNG, 0.3)}


def _derive(organ, node):
    base, opacity = BASES[organ]
    return node.copy(material=_organ_material(base, param(node, organ), opacity))


@dataclass
class OrganBody(Model):
    """The organ body (mm).  ``organs``: organ name → its node's name (animate
    ``"{node}.params.{organ}"``, or ``act.animate(body, organ, ...)``)."""
    params: tuple = ORGANS
    organs: dict | None = None


def organ_body(name: str = "body", transform=None, **glow) -> OrganBody:
    """Translucent body with the organs liver failure can take down; keyword per organ (0..1):
    ``liver``, ``kidneys``, ``brain``, ``coagulation``, ``circulation``, ``lungs``."""
    unknown = set(glow) - set(ORGANS)
    if unknown:
        raise ValueError(f"{name}: unknown organ(s) {sorted(unknown)}; "
                         f"use {', '.join(ORGANS)}")
    g = {k: clamp01(glow.get(k, 0.0), f"{name} {k}") for k in ORGANS}
    tr = transform_of(transform)
    lm = liver_transform().matrix()
    geos = {"liver": liver_geometry().transformed(lm), "kidneys": kidney_geometry(),
            "brain": brain_geometry(), "coagulation": drop_geometry(),
            "circulation": heart_geometry(),
            "lungs": merge([lung_geometry("right"), lung_geometry("left")])}
    nodes = [MeshNode(name, geometry=body_geometry(), transform=tr,
                      material=Material(SKIN, opacity=0.1, roughness=0.6, rim=1.1,
                                        rim_color="#DCEBFF", wrap=0.5))]
    organs = {}
    for organ in ORGANS:
        n = MeshNode(sub(name, organ), geometry=geos[organ], parent=name,
                     params={organ: g[organ]}, derive=lambda node, o=organ: _derive(o, node),
                     material=_organ_material(BASES[organ][0], g[organ], BASES[organ][1]))
        nodes.append(n.derive(n))
        organs[organ] = n.name
    c, r = body_geometry().bounding_sphere()
    return OrganBody(name, nodes, center=tr.position + c, radius=r, units="mm", organs=organs)
