"""Hepatic stellate cell, quiescent → activated myofibroblast (units: micrometres).

``state`` 0: quiescent — a ~10 µm body with long thin processes that wrap the sinusoid in
the space of Disse, full of gold vitamin-A (retinoid) droplets 1–2 µm across.
``state`` 1: activated — the processes retract and broaden, the cell flattens and spreads
(a contractile myofibroblast), the droplets are shed and gone, the colour turns
Myofibroblast Rust (brief §2.5).

The cell's local frame: the sinusoid it wraps runs along x through the origin with outer
radius ``wrap_radius``; the body sits on top (+z).  Pass ``wrap_radius=None`` for a free
star-shaped cell in the xy plane.  Nodes: ``{name}`` (body + processes mesh, quantised
morph) and ``{name}_droplets`` (parented); both carry ``state``.
"""
from __future__ import annotations

import functools
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import merge
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, quantize, sub, transform_of
from ._mesh import capped_tube, mix_color, radial_mesh, smoothstep

QUIESCENT_COLOR = "#E3CFA6"     # pale, lipid-laden (not a palette colour: a resting cell)


def _process_paths(state: float, seed: int, wrap_radius):
    """Centre lines and radii of the processes for a state (retract + broaden)."""
    rng = np.random.default_rng(seed)
    n = 6
    out = []
    retract = 1.0 - 0.7 * smoothstep(0.0, 0.8, state)
    for k in range(n):
        side = 1.0 if k % 2 == 0 else -1.0
        length = rng.uniform(26.0, 40.0) * retract
        drift = rng.uniform(-0.6, 0.6)
        count = 18
        t = np.linspace(0.0, 1.0, count)
        if wrap_radius is not None:
            R = wrap_radius
            ang = np.pi / 2 + side * (0.15 + t * length / R)       # around the sinusoid
            x = drift * t * length + (k // 2 - 1) * 2.5
            path = np.stack([x, R * np.cos(ang), R * np.sin(ang)], -1)
            path[:, 2] += (1 - smoothstep(0.0, 0.25, t)) * (2.2 - 1.6 * state)  # into the body
        else:
            a = 2 * np.pi * k / n + rng.uniform(-0.3, 0.3)
            d = np.array([np.cos(a), np.sin(a), 0.0])
            bend = np.array([-d[1], d[0], 0.0]) * drift * 6.0
            path = d[None] * (t * length)[:, None] + bend[None] * (t ** 2)[:, None]
        thick = 0.55 + 0.9 * smoothstep(0.2, 1.0, state)
        rad = thick * (1.0 - 0.65 * t) + 1.6 * (1 - 0.7 * state) * (1 - smoothstep(0.0, 0.2, t))
        out.append((path, rad))
    return out


def _body_center(wrap_radius, state: float = 0.0) -> np.ndarray:
    if wrap_radius is None:
        return np.zeros(3)
    return np.array([0.0, 0.0, wrap_radius + 2.6 - 1.2 * smoothstep(0.0, 1.0, state)])


@functools.lru_cache(maxsize=160)
def stellate_geometry(q_state: float, seed: int, wrap_radius):
    """Body (round → flat and spread) merged with its processes."""
    s = q_state
    c = _body_center(wrap_radius, s)
    half = np.array([5.0, 4.5, 3.6]) * np.array([1 + 0.9 * s, 1 + 0.7 * s, 1 - 0.55 * s])
    body = radial_mesh(lambda d: 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1)), 10, center=c,
                       axes=half)
    tubes = [capped_tube(p, r, sides=8) for p, r in _process_paths(s, seed, wrap_radius)]
    return merge([body, *tubes])


def _droplets(state: float, seed: int, wrap_radius) -> Instances:
    """~10 retinoid droplets (1–2 µm); shed (drift out, shrink, fade) on activation."""
    rng = np.random.default_rng(seed + 101)
    c = _body_center(wrap_radius, 0.0)
    n = 10
    base = rng.normal(size=(n, 3))
    base = base / np.linalg.norm(base, axis=1, keepdims=True) * np.array([4.6, 4.1, 3.3])
    r = rng.uniform(0.6, 1.0, n)
    out = smoothstep(0.0, 0.75, state)
    away = base / np.maximum(np.linalg.norm(base, axis=1, keepdims=True), 1e-9)
    pos = c + base + away * 7.0 * out + np.array([0, 0, 2.0]) * out
    scale = r * (1.0 - smoothstep(0.3, 0.9, state))
    keep = scale > 0.03
    return Instances(pos[keep], scale=scale[keep], opacity=np.full(int(keep.sum()),
                                                                       1.0 - 0.6 * out))


def _color(state: float):
    return mix_color(QUIESCENT_COLOR, "myofibroblast_rust", smoothstep(0.1, 0.9, state))


def _derive_cell(seed, wrap_radius, node):
    s = param(node, "state")
    return node.copy(geometry=stellate_geometry(quantize(s), seed, wrap_radius),
                     material=node.material.copy(color=_color(s)))


def _derive_droplets(seed, wrap_radius, node):
    return node.copy(instances=_droplets(param(node, "state"), seed, wrap_radius))


def stellate_cell(name: str = "stellate", state: float = 0.0, seed: int = 0,
                  wrap_radius: float | None = 6.0, transform=None, position=None) -> Model:
    """A hepatic stellate cell (µm).  Params on both nodes: ``state`` 0 quiescent → 1
    activated myofibroblast."""
    s = clamp01(state, f"{name} state")
    tr = transform_of(transform, position)
    cell = MeshNode(name, material=Material(color=_color(s), opacity=0.65, roughness=0.55,
                                            rim=0.5, wrap=0.5),
                    transform=tr, params={"state": s}, derive=partial(_derive_cell, seed,
                                                                      wrap_radius))
    drops = InstancedNode(sub(name, "droplets"), shape="sphere",
                          material=Material(color=rgb("lipid_gold"), roughness=0.2, rim=0.3,
                                            emissive=0.25),
                          parent=name, params={"state": s},
                          derive=partial(_derive_droplets, seed, wrap_radius))
    nodes = [cell.derive(cell), drops.derive(drops)]
    return Model(name, nodes, center=tr.position + _body_center(wrap_radius), radius=40.0,
                 units="um", data={"wrap_radius": wrap_radius})
