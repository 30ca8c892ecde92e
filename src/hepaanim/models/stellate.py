"""Hepatic stellate cell, quiescent → activated myofibroblast (units: micrometres).

``state`` 0: quiescent — a ~10 µm body with long thin processes that wrap the sinusoid in
the space of Disse, full of gold vitamin-A (retinoid) droplets 1–2 µm across.
``state`` 1: activated — the droplets are shed and gone, the processes retract into the
cell and the cell flattens and spreads into a thin (~1 µm), irregular, many-lobed sheet
that hugs the sinusoid (a contractile myofibroblast), its nucleus a low bump; the colour
turns Myofibroblast Rust (brief §2.5).

How it is built: the cell is described *flat* — x along the sinusoid, y the arc length
around it, z the height above the wrap radius — as one star-shaped surface (a thin sheet
with a lobed outline, unioned with the nuclear bump) plus tube processes, and then bent
onto the cylinder of radius ``wrap_radius`` (fully when activated, so the sheet lies in
the space of Disse; only partly when quiescent, where the rounder body sits on top).

The cell's local frame: the sinusoid it wraps runs along x through the origin; the body
sits on top (+z).  Pass ``wrap_radius=None`` for a free, flat cell in the xy plane.
Nodes: ``{name}`` (body + processes mesh, quantised morph) and ``{name}_droplets``
(parented); both carry ``state``.
"""
from __future__ import annotations

import functools
from functools import partial

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, quantize, sub, transform_of
from ._mesh import capped_tube, merge, mesh, mix_color, radial_mesh, smoothstep

QUIESCENT_COLOR = "#E3CFA6"     # pale, lipid-laden (not a palette colour: a resting cell)


def _activation(state: float) -> float:
    return float(smoothstep(0.0, 1.0, state))


def _sheet(a: float):
    """Flat-frame centre height, sheet half-extents and nuclear-bump half-extents."""
    zc = 2.6 + (0.7 - 2.6) * a
    sheet = np.array([5.0 + 3.5 * a, 4.5 + 2.5 * a, 3.6 - 3.05 * a])
    bump = np.array([4.2 - 0.4 * a, 3.8 - 0.6 * a, 3.6 - 2.0 * a])
    return zc, sheet, bump


def _bend(p: np.ndarray, wrap_radius, ref: float) -> np.ndarray:
    """Flat frame (x, arc length, height) → wrapped round the sinusoid's axis (x), arc
    lengths true at height ``ref``."""
    if wrap_radius is None:
        return p
    R = float(wrap_radius)
    x, y, z = p[:, 0], p[:, 1], p[:, 2]
    ang = y / (R + ref)
    return np.stack([x, (R + z) * np.sin(ang), (R + z) * np.cos(ang)], -1)


def _outline(seed: int):
    """A seeded lobed outline: r(θ) = 1 + waves + pointed lamellipodia."""
    rng = np.random.default_rng(seed + 7)
    k = np.arange(2, 6)
    amp = rng.uniform(0.4, 1.0, len(k)) / k
    ph = rng.uniform(0, 2 * np.pi, len(k))
    lobes = (np.arange(7) + rng.uniform(-0.3, 0.3, 7)) * 2 * np.pi / 7
    size = rng.uniform(0.6, 1.3, 7)

    def r(theta, irregular):
        waves = (amp[None] * np.sin(k[None] * theta[:, None] + ph[None])).sum(1)
        gap = np.angle(np.exp(1j * (theta[:, None] - lobes[None])))
        pods = (size[None] * np.exp(-np.abs(gap / 0.16) ** 1.3)).sum(1)
        return 1.0 + irregular * (0.35 * waves + pods)
    return r


def _process_paths(state: float, seed: int, wrap_radius):
    """Flat-frame centre lines and radii of the processes (long and thin → retracted into
    the sheet, their tips left as short points at its edge)."""
    rng = np.random.default_rng(seed)
    a = _activation(state)
    n = 6
    out = []
    retract = 1.0 - 0.93 * smoothstep(0.0, 0.65, state)
    zc, _, _ = _sheet(a)
    for j in range(n):
        length = rng.uniform(26.0, 40.0) * retract
        drift = rng.uniform(-0.6, 0.6)
        t = np.linspace(0.0, 1.0, 18)
        if wrap_radius is not None:
            side = 1.0 if j % 2 == 0 else -1.0
            x = drift * t * length + (j // 2 - 1) * 2.5
            y = side * (0.15 * wrap_radius + t * length)
        else:
            ang = 2 * np.pi * j / n + rng.uniform(-0.3, 0.3)
            bend = drift * 6.0 * t ** 2
            x = np.cos(ang) * t * length - np.sin(ang) * bend
            y = np.sin(ang) * t * length + np.cos(ang) * bend
        lift = (1 - smoothstep(0.0, 0.25, t)) * (2.2 - 1.6 * a)      # rises into the body
        z = 0.15 + a * (zc - 0.15) + lift * (1 - a)
        path = np.stack([x, y, z], -1)
        thick = 0.55 - 0.4 * a
        rad = thick * (1.0 - 0.65 * t) + 1.6 * (1 - a) * (1 - smoothstep(0.0, 0.2, t))
        out.append((path, rad))
    return out


@functools.lru_cache(maxsize=160)
def stellate_geometry(q_state: float, seed: int, wrap_radius):
    """Body (round → a thin lobed sheet with a nuclear bump) merge with its processes,
    built flat and bent onto the sinusoid."""
    a = _activation(q_state)
    zc, sheet, bump = _sheet(a)
    outline = _outline(seed)
    irregular = 0.15 + 0.85 * a

    def radius(d):
        theta = np.arctan2(d[:, 1] / sheet[1], d[:, 0] / sheet[0])
        o = outline(theta, irregular)
        r_s = 1.0 / np.sqrt((d[:, 0] / (sheet[0] * o)) ** 2 + (d[:, 1] / (sheet[1] * o)) ** 2
                            + (d[:, 2] / sheet[2]) ** 2)
        r_b = 1.0 / np.sqrt(((d / bump) ** 2).sum(axis=1))
        return (r_s ** 4 + r_b ** 4) ** 0.25
    flat = radial_mesh(radius, 18, center=(0.0, 0.0, zc),
                       axes=(sheet[0] * 1.2, sheet[1] * 1.2, max(sheet[2], 1.2)))
    p = flat.positions.copy()
    if wrap_radius is not None:                   # never reach round the far side
        reach = 0.8 * np.pi * (wrap_radius + zc)
        p[:, 1] = reach * np.tanh(p[:, 1] / reach)
    body = mesh(_bend(p, wrap_radius, zc), flat.indices)
    tubes = []
    for path, r in _process_paths(q_state, seed, wrap_radius):
        tubes.append(capped_tube(_bend(path, wrap_radius, 0.15), r, sides=8))
    return merge([body, *tubes])


def _droplets(state: float, seed: int, wrap_radius) -> Instances:
    """~10 retinoid droplets (1–2 µm); shed (drift out, shrink, fade) on activation."""
    rng = np.random.default_rng(seed + 101)
    n = 10
    base = rng.normal(size=(n, 3))
    base = base / np.linalg.norm(base, axis=1, keepdims=True) * np.array([3.6, 3.2, 2.2])
    r = rng.uniform(0.6, 1.0, n)
    out = smoothstep(0.0, 0.75, state)
    away = base / np.linalg.norm(base, axis=1, keepdims=True)
    flat = np.array([0.0, 0.0, 2.6]) + base + away * 7.0 * out + np.array([0, 0, 3.0]) * out
    pos = _bend(flat, wrap_radius, 2.6)
    scale = r * (1.0 - smoothstep(0.3, 0.9, state))
    keep = scale > 0.03
    return Instances(pos[keep], scale=scale[keep], opacity=np.full(int(keep.sum()),
                                                                       1.0 - 0.6 * out))


def _color(state: float):
    return mix_color(QUIESCENT_COLOR, "myofibroblast_rust", smoothstep(0.1, 0.9, state))


def _derive_cell(seed, wrap_radius, node):
    s = param(node, "state")
    return node.copy(geometry=stellate_geometry(quantize(s), seed, wrap_radius),
                     material=node.material.copy(color=_color(s),
                                                 opacity=0.7 + 0.3 * _activation(s)))


def _derive_droplets(seed, wrap_radius, node):
    return node.copy(instances=_droplets(param(node, "state"), seed, wrap_radius))



@dataclass
class StellateCell(Model):
    """A stellate cell and the radius it wraps (µm)."""
    wrap_radius: float = None

def stellate_cell(name: str = "stellate", state: float = 0.0, seed: int = 0,
                  wrap_radius: float | None = 6.0, transform=None, position=None) -> Model:
    """A hepatic stellate cell (µm).  Params on both nodes: ``state`` 0 quiescent → 1
    activated myofibroblast."""
    s = clamp01(state, f"{name} state")
    tr = transform_of(transform, position)
    cell = MeshNode(name, material=Material(color=_color(s), opacity=0.7, roughness=0.6,
                                            rim=0.5, rim_color=rgb("#FFE0C8"), wrap=0.55),
                    transform=tr, params={"state": s}, derive=partial(_derive_cell, seed,
                                                                      wrap_radius))
    drops = InstancedNode(sub(name, "droplets"), shape="sphere",
                          material=Material(color=rgb("lipid_gold"), roughness=0.2, rim=0.3,
                                            emissive=0.25),
                          parent=name, params={"state": s},
                          derive=partial(_derive_droplets, seed, wrap_radius))
    nodes = [cell.derive(cell), drops.derive(drops)]
    top = np.zeros(3) if wrap_radius is None else np.array([0.0, 0.0, wrap_radius + 2.6])
    return StellateCell(name, nodes, center=tr.position + top, radius=40.0,
                 units="um", wrap_radius=wrap_radius)
