"""A hepatic sinusoid close-up (units: micrometres, 1 unit = 1 µm).

The lumen runs along x (``length`` µm, default 120) with radius ``lumen_radius`` (5 µm: a
10 µm lumen, brief 7–15 µm).  Around it, from the inside out (brief §1):

* the **endothelium**: a thin translucent wall without basement membrane, perforated by
  **fenestrae** 100–175 nm across, grouped in sieve plates and covering ~7% of the surface
  (dark discs that cross the wall; param ``fenestration`` 1 → 0 closes them, the
  capillarisation of fibrosis);
* the **space of Disse** (1 µm here, brief 0.2–1 µm) with hepatocyte **microvilli**;
* **hepatocyte plates** on both sides, one cell thick (``hepatocyte`` models, each with its
  own ``state``);
* **Kupffer cells** in the lumen, on the wall; a **stellate cell** in Disse whose processes
  wrap the sinusoid.

Attributes (``Sinusoid``): ``centerline`` (flow path, N×3), ``lumen_radius``,
``disse_radius``, ``disse_paths`` (fibre paths for ``matter.collagen``),
``hepatocytes``/``kupffer``/``stellate`` (the cell models, for timelines).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry, tube
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ..scene.transform import Transform, quat_look_rotation
from ._base import Model, clamp01, param, selected, sub, transform_of
from ._mesh import hollow_tube
from .endothelial import ENDOTHELIUM
from .hepatocyte import HALF, hepatocyte
from .kupffer import kupffer_cell
from .stellate import stellate_cell

WALL = 0.3            # endothelial thickness as drawn (µm)
DISSE = 1.0           # µm
PORE = "#1B1422"


@functools.lru_cache(maxsize=8)
def _pores(length: float, radius: float, seed: int):
    """Sieve plates: clusters of 0.1–0.175 µm pores, ~7% of the wall's area."""
    rng = np.random.default_rng(seed)
    area = 2 * np.pi * radius * length
    pore_r = rng.uniform(0.05, 0.0875, 40000)
    target = 0.07 * area
    n = int(np.searchsorted(np.cumsum(np.pi * pore_r ** 2), target))
    pore_r = pore_r[:n]
    plates = max(1, n // 60)
    px = rng.uniform(-length / 2 + 1, length / 2 - 1, plates)
    pa = rng.uniform(0, 2 * np.pi, plates)
    which = rng.integers(0, plates, n)
    # Pores in a plate sit ~0.35 µm apart within ~1.5 µm.
    dx = rng.normal(scale=0.6, size=n)
    da = rng.normal(scale=0.6, size=n) / radius
    x = px[which] + dx
    a = pa[which] + da
    normal = np.stack([np.zeros(n), np.cos(a), np.sin(a)], -1)
    q = quat_look_rotation(normal)
    # Each pore is a flat dark disc on both faces of the wall (seen from lumen and Disse).
    r_in, r_out = radius - WALL / 2 - 0.01, radius + WALL / 2 + 0.01
    pos = np.concatenate([np.stack([x, r * np.cos(a), r * np.sin(a)], -1) for r in (r_in, r_out)])
    scale = np.stack([pore_r, pore_r, np.full(n, 0.008)], -1)
    order = rng.permutation(n)          # closing order under defenestration
    return pos, np.concatenate([q, q]), np.concatenate([scale, scale]), order


def _pore_derive(length, radius, seed, pores):
    derive = partial(_derive_pores, length, radius, seed)
    return derive if PORES[pores] is None else partial(selected, derive, PORES[pores])


def _derive_pores(length, radius, seed, node):
    pos, q, scale, order = _pores(length, radius, seed)
    f = param(node, "fenestration", 1.0)
    n = len(order)
    keep = order[: int(round(f * n))]
    keep = np.concatenate([keep, keep + n])
    return node.copy(instances=Instances(pos[keep], orientation=q[keep], scale=scale[keep]))


@functools.lru_cache(maxsize=8)
def _microvilli(length: float, face: float, seed: int):
    rng = np.random.default_rng(seed + 7)
    per_side = int(length * 24 * 0.5)
    parts = []
    for sign in (1.0, -1.0):
        x = rng.uniform(-length / 2, length / 2, per_side)
        z = rng.uniform(-12.0, 12.0, per_side)
        h = rng.uniform(0.35, 0.5, per_side)
        y = sign * (face - h)
        parts.append((np.stack([x, np.full(per_side, 0.0) + y, z], -1), h, sign))
    pos = np.concatenate([p for p, _, _ in parts])
    q = np.concatenate([quat_look_rotation(np.tile([0.0, s, 0.0], (len(p), 1)))
                        for p, _, s in parts])
    scale = np.concatenate([np.stack([np.full(len(h), 0.05), np.full(len(h), 0.05), h], -1)
                            for _, h, _ in parts])
    return pos, q, scale


def disse_paths(length: float, radius: float, seed: int, count: int = 18) -> list:
    """Criss-crossing helical fibre paths in the space of Disse (chicken-wire collagen)."""
    rng = np.random.default_rng(seed + 13)
    out = []
    for k in range(count):
        turns = rng.uniform(0.25, 0.9) * (1 if k % 2 else -1)
        x0 = rng.uniform(-length / 2, length / 2 - 20)
        span = rng.uniform(18, 40)
        t = np.linspace(0, 1, 24)
        a = rng.uniform(0, 2 * np.pi) + 2 * np.pi * turns * t
        r = radius + rng.uniform(-0.15, 0.15)
        out.append(np.stack([np.clip(x0 + span * t, -length / 2, length / 2),
                             r * np.cos(a), r * np.sin(a)], -1))
    return out



@dataclass
class Sinusoid(Model):
    """A sinusoid piece with the parts scenes place things by (world frame, µm):
    ``centerline`` (the flow path, N×3), ``lumen_radius``, ``disse_radius`` (the space of
    Disse, where fibres lie), ``disse_paths`` (fibre paths there), and its cells as models:
    ``hepatocytes``, ``kupffer`` (lists) and ``stellate``."""
    centerline: np.ndarray = None
    lumen_radius: float = 0.0
    disse_radius: float = 0.0
    disse_paths: list = field(default_factory=list)
    hepatocytes: list = field(default_factory=list)
    kupffer: list = field(default_factory=list)
    stellate: Model = None

    def cutaway(self, keep=None, skip=("microvilli",)) -> "Sinusoid":
        """The piece as seen from outside the wall: only the hepatocytes ``keep(h)`` accepts
        (``h.center`` is a cell's place beside the lumen; default all), none of ``skip``'s
        parts (node name endings), the wall lit per vertex (a big translucent surface) and
        each pore drawn once (see ``_outer_pores``).  A new model: this one is unchanged."""
        heps = [h for h in self.hepatocytes if keep is None or keep(h)]
        kept = {id(h) for h in heps}
        dropped = {n.name for h in self.hepatocytes if id(h) not in kept for n in h.nodes}
        nodes = []
        for n in self.nodes:
            if n.name in dropped or any(n.name.endswith("_" + s) for s in skip):
                continue
            if n.name.endswith("_fenestrae"):
                n = n.copy(derive=partial(_outer_pores, n.derive))
                n = n.derive(n)
            elif n is self.node:
                n = n.copy(material=n.material.copy(shading="vertex"))
            nodes.append(n)
        return replace(self, nodes=nodes, hepatocytes=heps)

    def open_top(self, z: float = 1.5) -> "Sinusoid":
        """The piece with its wall (and fenestrae) sliced off above local height ``z``: an
        open trough that shows the lumen's contents crisply from above.  A new model."""
        nodes = []
        for n in self.nodes:
            if n is self.node:
                g = n.geometry
                cut = g.positions[g.indices][:, :, 2].max(axis=1) < z
                n = n.copy(geometry=Geometry(g.positions, g.normals, g.indices[cut], g.param),
                           material=n.material.copy(double_sided=True))
            elif n.name.endswith("_fenestrae"):
                n = n.copy(derive=partial(selected, n.derive, partial(_below, z)))
                n = n.derive(n)
            nodes.append(n)
        return replace(self, nodes=nodes)


_PORES: dict = {}


def _outer_pores(derive, node):
    """The fenestrae as seen from outside the wall: the model draws each pore on both faces
    (inner half first); seen from outside the two coincide, so keep one, and of those every
    other one (the sieve plates still read, at half the ~35 ms a 1080p frame spent on
    18,600 pore impostors).  Cached per (derive, fenestration in 1% steps): a pure
    function of them."""
    f = round(float(node.params.get("fenestration", 1.0)), 2)
    key = (derive, f)
    inst = _PORES.get(key)
    if inst is None:
        d = derive(node.copy(params={**node.params, "fenestration": f}))
        mask = np.zeros(d.count, bool)
        mask[d.count // 2::2] = True
        inst = d.instances.select(mask)
        if len(_PORES) > 8:
            _PORES.clear()
        _PORES[key] = inst
    return node.copy(instances=inst)


def _below(z: float, inst) -> np.ndarray:
    return inst.position[:, 2] < z


def _far(inst) -> np.ndarray:
    """Pores on the far side of the lumen (y > -2 µm), one in three."""
    return (inst.position[:, 1] > -2.0) & (np.arange(len(inst)) % 3 == 0)


PORES = {"all": None, "far": _far}
WALLS = ("double", "single")


def sinusoid(name: str = "sinusoid", seed: int = 0, length: float = 120.0,
             lumen_radius: float = 5.0, transform=None, position=None,
             hepatocyte_state: float = 0.0, kupffer_state: float = 0.0,
             stellate_state: float = 0.0, pores: str = "all", wall: str = "double",
             wall_opacity: float = 0.42) -> Sinusoid:
    """The sinusoid scene piece (µm).  Nodes: ``{name}`` (endothelial wall),
    ``{name}_fenestrae`` (param ``fenestration``), ``{name}_microvilli``,
    ``{name}_hep_<k>`` (+ ``_contents``), ``{name}_kupffer_<k>``, ``{name}_stellate`` (+
    ``_droplets``).  ``transform`` places the whole piece; cell nodes are children of the
    wall node, so moving ``{name}.transform`` moves everything.

    Choices for a shot: ``pores="far"`` keeps only the far side's fenestrae (one in three:
    a clear near side for shots that look through the lumen); ``wall="single"`` draws the
    wall as one surface at its outer face (half the blending of the double wall) and
    ``wall_opacity`` sets how clear it is.  ``.cutaway(...)`` and ``.open_top(z)`` return
    the piece cut for a view from outside."""
    if pores not in PORES:
        raise ValueError(f"sinusoid pores={pores!r}: choose one of {', '.join(PORES)}")
    if wall not in WALLS:
        raise ValueError(f"sinusoid wall={wall!r}: choose one of {', '.join(WALLS)}")
    tr = transform_of(transform, position)
    r_wall = lumen_radius + WALL / 2
    face = lumen_radius + WALL + DISSE
    path = np.stack([np.linspace(-length / 2, length / 2, 25), np.zeros(25), np.zeros(25)], -1)
    geo = (hollow_tube(path, r_wall, WALL, sides=48) if wall == "double"
           else tube(path, lumen_radius + WALL, sides=48))
    wall = MeshNode(name, geometry=geo,
                    material=Material(color=rgb(ENDOTHELIUM), roughness=0.45,
                                      opacity=clamp01(wall_opacity, "wall_opacity"), rim=0.8, rim_color=rgb("#FFE8F0"), wrap=0.5),
                    transform=tr)
    pores = InstancedNode(sub(name, "fenestrae"), shape="sphere", parent=name,
                          params={"fenestration": 1.0},
                          derive=_pore_derive(float(length), float(r_wall), seed, pores),
                          material=Material(color=rgb(PORE), roughness=0.9, wrap=0.1))
    mv_pos, mv_q, mv_s = _microvilli(float(length), float(face + 0.0), seed)
    villi = InstancedNode(sub(name, "microvilli"), shape="sphere", parent=name,
                          instances=Instances(mv_pos, orientation=mv_q, scale=mv_s),
                          material=Material(color=rgb("#D99A8A"), roughness=0.6))
    nodes = [wall, pores.derive(pores), villi]
    heps = []
    n_x = max(1, int(length // 25))
    xs = (np.arange(n_x) - (n_x - 1) / 2) * 25.0
    k = 0
    for side in (1.0, -1.0):
        for z in (-24.0, 0.0, 24.0):
            for x in xs:
                h = hepatocyte(sub(name, f"hep_{k}"), state=hepatocyte_state, seed=seed * 100 + k,
                               position=(x, side * (face + HALF[1]), z))
                h.nodes[0].parent = name
                heps.append(h)
                nodes += h.nodes
                k += 1
    kups = []
    for j, x in enumerate((-0.23 * length, 0.26 * length)):
        kc = kupffer_cell(sub(name, f"kupffer_{j}"), state=kupffer_state, seed=seed + 31 + j,
                          transform=Transform(position=(x, 0.6 * (j - 0.5), -lumen_radius + 2.2),
                                              scale=(1.0, 0.62, 0.42)))
        kc.nodes[0].parent = name
        kups.append(kc)
        nodes += kc.nodes
    st = stellate_cell(sub(name, "stellate"), state=stellate_state, seed=seed + 57,
                       wrap_radius=lumen_radius + WALL + DISSE * 0.5,
                       position=(0.06 * length, 0, 0))
    st.nodes[0].parent = name
    nodes += st.nodes
    m = tr.matrix()
    return Sinusoid(name, nodes, center=tr.position.copy(), radius=length / 2 + 10, units="um",
                    centerline=path @ m[:3, :3].T + m[:3, 3], lumen_radius=lumen_radius,
                    disse_radius=lumen_radius + WALL + DISSE / 2,
                    disse_paths=disse_paths(length, lumen_radius + WALL + DISSE / 2, seed),
                    hepatocytes=heps, kupffer=kups, stellate=st)
