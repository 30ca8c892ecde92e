"""Extracellular matter: collagen, cytokines, paracrine factors, lipid droplets (units: µm).

* ``collagen``: Scar Ivory fibres along given paths; ``amount`` 0→1 grows every fibre from
  its start (geometry ``param`` = arc length per fibre, material ``reveal`` = amount).
* ``cytokines`` (Inflammation Ember) and ``paracrine_factors`` (Resolution Blue): glowing
  (emissive) particles.  Real molecules are 3–6 nm, so they are drawn ~100× larger and
  tagged ``("enlarged",)`` for the film to label (brief: "molecules enlarged").  Params:
  ``amount`` (fraction shown) and ``t`` (seconds; drive it with a procedural track): motion
  is a closed-form function of t and the seed, never integrated, so any frame is random
  access.
* ``lipid_droplets``: free Lipid Gold droplets (e.g. shed by an activating stellate cell).
"""
from __future__ import annotations

import functools
from functools import partial

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import merge
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param
from ._mesh import arc_length, capped_tube, catmull_rom_path, fibonacci_sphere

MOLECULE_RADIUS = 0.3       # µm as drawn (a 5 nm cytokine would be 0.0025 µm)


def chicken_wire_paths(center=(0.0, 0.0, 0.0), size=(60.0, 30.0, 30.0), count: int = 24,
                       seed: int = 0) -> list[np.ndarray]:
    """Wavy fibre paths criss-crossing a box (pericellular 'chicken-wire' fibrosis)."""
    rng = np.random.default_rng(seed)
    c = np.asarray(center, float)
    half = np.asarray(size, float) / 2
    out = []
    for _ in range(count):
        a = c + rng.uniform(-1, 1, 3) * half
        b = c + rng.uniform(-1, 1, 3) * half
        mid = (a + b) / 2 + rng.normal(scale=0.15, size=3) * half
        out.append(catmull_rom_path(np.array([a, mid, b]), 10))
    return out


@functools.lru_cache(maxsize=16)
def _collagen_geometry(key, radius: float):
    paths = [np.array(p) for p in key]
    parts = []
    for p in paths:
        s = arc_length(p)
        parts.append(capped_tube(p, radius, sides=8, param=s / max(s[-1], 1e-9)))
    return merge(parts)


def _derive_collagen(node):
    return node.copy(material=node.material.copy(reveal=param(node, "amount")))



@dataclass
class Collagen(Model):
    """Collagen fibres and ``fibres``, the paths they follow (µm)."""
    fibres: list = None

def collagen(name: str = "collagen", paths=None, radius: float = 0.25, amount: float = 0.0,
             seed: int = 0) -> Model:
    """Collagen fibres (µm) along ``paths`` (list of N×3; default: a chicken-wire box).
    Param ``amount`` 0 (none) → 1 (fully laid down)."""
    if paths is None:
        paths = chicken_wire_paths(seed=seed)
    key = tuple(tuple(map(tuple, np.round(np.asarray(p, float), 4))) for p in paths)
    geo = _collagen_geometry(key, float(radius))
    a = clamp01(amount, f"{name} amount")
    node = MeshNode(name, geometry=geo, params={"amount": a}, derive=_derive_collagen,
                    material=Material(color=rgb("scar_ivory"), roughness=0.55, rim=0.3,
                                      reveal=a))
    c, r = geo.bounding_sphere()
    return Collagen(name, [node], center=c, radius=r, units="um",
                    fibres=[np.asarray(p, float) for p in paths])


@functools.lru_cache(maxsize=32)
def _particle_table(count: int, seed: int):
    rng = np.random.default_rng(seed)
    return {"u": rng.uniform(size=count), "dir": fibonacci_sphere(count)[rng.permutation(count)],
            "r": rng.uniform(size=count) ** (1 / 3), "phase": rng.uniform(0, 2 * np.pi, (count, 3, 3)),
            "freq": rng.uniform(0.15, 0.6, (count, 3, 3)), "order": rng.permutation(count)}


def _cloud(count, seed, center, radius, t, amount, spread=None):
    """Closed-form drift: p(t) = base + Σ_k a_k sin(ω_k t + φ_k) (a smooth wander)."""
    tab = _particle_table(count, seed)
    reach = radius if spread is None else radius * (0.15 + 0.85 * spread)
    base = np.asarray(center, float) + tab["dir"] * (tab["r"] * reach)[:, None]
    wander = (np.sin(tab["freq"] * t + tab["phase"]) * np.array([1.0, 0.5, 0.25])[None, None, :]
              ).sum(axis=2) * radius * 0.08
    pos = base + wander
    shown = np.zeros(count)
    shown[tab["order"][: int(round(amount * count))]] = 1.0
    # Soft edge: the last tenth appears gradually rather than popping.
    frac = amount * count - int(amount * count)
    if int(amount * count) < count:
        shown[tab["order"][int(amount * count)]] = frac
    keep = shown > 0.01
    return Instances(pos[keep], scale=np.full(int(keep.sum()), MOLECULE_RADIUS),
                     opacity=shown[keep])


def _derive_cloud(count, seed, center, radius, spreads, node):
    spread = param(node, "spread") if spreads else None
    return node.copy(instances=_cloud(count, seed, center, radius, float(node.params.get("t", 0.0)),
                                      param(node, "amount"), spread))


def _particles(name, color, count, center, radius, amount, seed, spreads):
    a = clamp01(amount, f"{name} amount")
    params = {"amount": a, "t": 0.0}
    if spreads:
        params["spread"] = 0.0
    node = InstancedNode(name, shape="sphere", tags=("enlarged",), params=params,
                         derive=partial(_derive_cloud, count, seed, tuple(np.asarray(center, float)),
                                        float(radius), spreads),
                         material=Material(color=rgb(color), emissive=1.6, roughness=0.3,
                                           rim=0.4, wrap=0.8))
    node = node.derive(node)
    return Model(name, [node], center=np.asarray(center, float), radius=float(radius),
                 units="um")


def cytokines(name: str = "cytokines", count: int = 600, center=(0.0, 0.0, 0.0),
              radius: float = 25.0, amount: float = 1.0, seed: int = 0,
              spreads: bool = False) -> Model:
    """Glowing ember particles (TNF-α, IL-1β, IL-6, CCL2; enlarged) in a ball of ``radius``.
    Params: ``amount`` (fraction shown), ``t`` (seconds, for drift); with ``spreads=True``
    also ``spread`` (0 close round the releasing cell at ``center`` → 1 out to radius)."""
    return _particles(name, "inflammation_ember", count, center, radius, amount, seed, spreads)


def paracrine_factors(name: str = "factors", count: int = 400, center=(0.0, 0.0, 0.0),
                      radius: float = 30.0, amount: float = 0.0, seed: int = 0) -> Model:
    """Glowing Resolution Blue particles released by a therapy cell at ``center``
    (enlarged).  Params: ``amount``, ``t``, ``spread`` (0 near the cell → 1 out to radius)."""
    return _particles(name, "resolution_blue", count, center, radius, amount, seed, True)


def lipid_droplets(name: str = "lipid", positions=None, radii=None, count: int = 8,
                   seed: int = 0) -> InstancedNode:
    """Free lipid droplets (Lipid Gold, 1–2 µm across by default)."""
    rng = np.random.default_rng(seed)
    pos = (rng.normal(size=(count, 3)) * 4.0 if positions is None
           else np.asarray(positions, float).reshape(-1, 3))
    r = rng.uniform(0.5, 1.0, len(pos)) if radii is None else np.asarray(radii, float)
    return InstancedNode(name, shape="sphere", instances=Instances(pos, scale=r),
                         material=Material(color=rgb("lipid_gold"), roughness=0.2, rim=0.3,
                                           emissive=0.15))
