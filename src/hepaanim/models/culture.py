"""A field of the culture flask's floor: stromal cells seeded, spreading, dividing until
confluent, then lifted off (units: µm; the plastic is z = 0).

Why a lineage: "they divide until they cover the surface" must look like division, not like
cells fading in.  The final confluent layer is laid out first (blue-noise positions, each cell
aligned with a smooth swirl the way fibroblast-like cells line up), then neighbours are
paired back, generation by generation, into the few seeded cells.  Read forward, that tree is
the growth: each parent divides along its long axis into the two daughters, who crawl to
their own places and spread.  Everything is a closed-form function of the params and the
seed (a frame is a pure function of t).

Params (on every node; ``CultureCells.params`` lists them):
``spread``      0 the seeded cells just attached (small, round) → 1 spread spindles;
``confluence``  0 the seeded few → 1 the covered surface (by division);
``lifted``      0 attached → 1 rounded up, detached and floating in the medium (harvest).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ..scene.transform import quat_from_axis_angle
from ._base import Model, clamp01, param, sub, transform_of
from ._mesh import mesh, radial_mesh, smoothstep
from .stromal import (CELL_COLOR, DAUGHTER_RADIUS, FLOOR_COLOR, MITOTIC_RADIUS,
                      NUCLEUS_COLOR, ROUND_RADIUS, cell_top, spindle_geometry,
                      spindle_profile)

LEVELS = 6                   # spread states drawn (one instanced node each)
MITOSIS = 0.055              # confluence span of a mitosis (rounding, then pinching)
SPREADING = 0.11             # confluence span a daughter takes to crawl out and spread
FLOAT_HEIGHT = (30.0, 160.0)  # how high lifted cells float (µm)
WIDEN = 1.1                  # width grows with length (per-cell factor × this)
CULTURE_PARAMS = ("spread", "confluence", "lifted")


@dataclass(frozen=True)
class Lineage:
    """The growth tree (M nodes: leaves are the confluent layer, roots the seeded cells)."""
    pos: np.ndarray          # M×2 own place on the plastic
    angle: np.ndarray        # M long-axis angle (rad)
    size: np.ndarray         # M length factor (young sparse cells spread larger)
    parent: np.ndarray       # M, -1 for a seeded cell
    children: np.ndarray     # M×2, -1 for a leaf
    birth: np.ndarray        # M confluence at which it is born (-inf: seeded)
    division: np.ndarray     # M confluence at which it divides (inf: never)
    lift_delay: np.ndarray   # M stagger of the harvest
    tint: np.ndarray         # M brightness of each cell (neighbours read apart)
    float_height: np.ndarray  # M

    @property
    def roots(self) -> np.ndarray:
        return np.flatnonzero(self.parent < 0)

    @property
    def leaves(self) -> np.ndarray:
        return np.flatnonzero(self.children[:, 0] < 0)


def _flow_angle(p: np.ndarray, rng_phase: np.ndarray, size) -> np.ndarray:
    """A smooth swirl of orientations (confluent stromal cells line up in streams)."""
    x, y = p[:, 0] / size[0], p[:, 1] / size[1]
    return (0.6 * np.sin(2.1 * x + rng_phase[0]) + 0.5 * np.sin(2.7 * y + rng_phase[1])
            + 0.35 * np.sin(3.3 * (x + y) + rng_phase[2]))


@functools.lru_cache(maxsize=16)
def lineage(count: int, seeded: int, size: tuple, seed: int) -> Lineage:
    rng = np.random.default_rng(seed)
    W, H = size
    p = rng.uniform((0, 0), (W, H), (count, 2))
    r0 = np.sqrt(W * H / count)
    for _ in range(40):                              # relax into blue noise
        d = p[:, None] - p[None]
        dist = np.linalg.norm(d, axis=2)
        np.fill_diagonal(dist, np.inf)
        f = np.clip(r0 - dist, 0, None) / np.maximum(dist, 1e-6)
        p = np.clip(p + 0.25 * (d * f[..., None]).sum(1), (0, 0), (W, H))
    phase = rng.uniform(0, 2 * np.pi, 3)
    pos = [*p]
    angle = list(_flow_angle(p, phase, size) + rng.normal(0, 0.12, count))
    children = [(-1, -1)] * count
    height = [0] * count
    current = list(range(count))
    while len(current) > seeded:
        P = np.array([pos[k] for k in current])
        A = np.array([angle[k] for k in current])
        # Pair along the cells' common axis (a daughter lies end to end with its sister),
        # so the two daughters spread back over their mother's footprint.
        v = P[:, None] - P[None]
        ax = np.stack([np.cos(A), np.sin(A)], -1)
        along = np.abs(np.einsum("ijk,ik->ij", v, ax))
        D = np.sqrt(along ** 2 + 9.0 * (np.linalg.norm(v, axis=2) ** 2 - along ** 2))
        iu = np.triu_indices(len(current), 1)
        order = np.argsort(D[iu], kind="stable")
        need = min(len(current) // 2, len(current) - seeded)
        used, merge = set(), []
        for o in order:
            a, b = int(iu[0][o]), int(iu[1][o])
            if a in used or b in used:
                continue
            used.update((a, b))
            merge.append((current[a], current[b]))
            if len(merge) == need:
                break
        nxt = [current[k] for k in range(len(current)) if k not in used]
        for a, b in merge:
            pos.append((pos[a] + pos[b]) / 2)
            v = pos[b] - pos[a]
            angle.append(float(np.arctan2(v[1], v[0])))     # divides along its long axis
            children.append((a, b))
            height.append(max(height[a], height[b]) + 1)
            nxt.append(len(pos) - 1)
        current = nxt
    m = len(pos)
    children = np.array(children)
    parent = -np.ones(m, int)
    for k, (a, b) in enumerate(children):
        if a >= 0:
            parent[a] = parent[b] = k
    height = np.array(height)
    # Confluent cells broaden to close the gaps; sparse young cells spread longer.
    size_f = 1.3 + 0.1 * np.minimum(height, 4) + rng.uniform(-0.1, 0.1, m)
    # Times top-down: a generation period, jittered; then scaled so every leaf is born and
    # has spread before confluence 1.
    gen = 1.0
    birth = np.full(m, -np.inf)
    division = np.full(m, np.inf)
    order = list(np.flatnonzero(parent < 0))
    for k in order:
        division[k] = rng.uniform(0.05, 0.8) * gen if children[k, 0] >= 0 else np.inf
    while order:
        k = order.pop(0)
        for c in children[k]:
            if c < 0:
                continue
            birth[c] = division[k]
            if children[c, 0] >= 0:
                division[c] = birth[c] + gen * rng.uniform(0.85, 1.15)
            order.append(c)
    last = birth[np.isfinite(birth)].max() if np.isfinite(birth).any() else 1.0
    lead = MITOSIS + 0.02                  # nothing divides before the film sees it spread
    f = (1.0 - SPREADING - 0.04 - lead) / last
    birth, division = lead + birth * f, lead + division * f
    return Lineage(np.array(pos), np.array(angle), size_f, parent, children, birth, division,
                   rng.uniform(0.0, 0.25, m), rng.uniform(0.86, 1.06, m),
                   rng.uniform(*FLOAT_HEIGHT, m))


@dataclass(frozen=True)
class Layer:
    """The cells as a frame shows them (arrays per drawn cell)."""
    pos: np.ndarray          # N×3
    angle: np.ndarray        # N
    shape: np.ndarray        # N spread state of the drawn outline (0 round .. 1 spindle)
    tint: np.ndarray         # N brightness
    length: np.ndarray       # N length factor applied to the outline
    pairs: np.ndarray        # P×3 centres of the rounded mitotic cells' two halves
    pair_radius: np.ndarray  # P
    ghosts: np.ndarray       # G×3 footprints a rounded-up cell leaves on the plastic
    ghost_angle: np.ndarray  # G
    ghost_length: np.ndarray  # G
    ghost_opacity: np.ndarray  # G


def layer(lin: Lineage, spread: float, confluence: float, lifted: float) -> Layer:
    """Closed form: which cells exist at this confluence and how each looks."""
    tau = confluence
    alive = (lin.birth <= tau) & (tau < lin.division)
    # A cell at τ == 1 that would divide exactly then still shows.
    alive |= (lin.children[:, 0] < 0) & (lin.birth <= tau)
    idx = np.flatnonzero(alive)
    b, d = lin.birth[idx], lin.division[idx]
    grow = np.where(np.isfinite(b), smoothstep(0, 1, (tau - np.where(np.isfinite(b), b, 0))
                                               / SPREADING), 1.0)
    fin = np.isfinite(d)
    dd = np.where(fin, d, 2.0)
    rounding = np.where(fin, smoothstep(dd - MITOSIS, dd - MITOSIS / 2, tau), 0.0)
    pinching = fin & (tau >= dd - MITOSIS / 2)
    lift_round = smoothstep(0.0, 0.4, lifted - lin.lift_delay[idx])
    shape = spread * grow * (1 - rounding) * (1 - lift_round)
    # Daughters crawl from where they were born to their own place.
    par = lin.parent[idx]
    own = lin.pos[idx]
    start = own.copy()
    has = par >= 0
    if has.any():
        pp = lin.pos[par[has]]
        sibs = lin.children[par[has]]
        first = sibs[:, 0] == idx[has]
        other = np.where(first, sibs[:, 1], sibs[:, 0])
        axis = own[has] - lin.pos[other]
        axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-9)
        start[has] = pp + axis * 0.95 * DAUGHTER_RADIUS
    xy = start + (own - start) * grow[:, None]
    ang = lin.angle[idx].copy()
    if has.any():                                  # turn from the division axis to own
        pa = lin.angle[par[has]]
        delta = (ang[has] - pa + np.pi / 2) % np.pi - np.pi / 2
        ang[has] = pa + delta * grow[has]
    rise = lin.float_height[idx] * smoothstep(0.35, 1.0, lifted - lin.lift_delay[idx] * 0.5)
    drift = np.stack([np.cos(lin.angle[idx] * 3.0), np.sin(lin.angle[idx] * 5.0)], -1) \
        * 25.0 * smoothstep(0.35, 1.0, lifted)[..., None]
    pos = np.column_stack([xy + drift, rise])
    draw = ~pinching
    # Rounded mitotic cells pinching in two, along the parent's long axis.
    mi = idx[pinching]
    q = np.clip((tau - (lin.division[mi] - MITOSIS / 2)) / (MITOSIS / 2), 0, 1)
    r = MITOTIC_RADIUS + (DAUGHTER_RADIUS - MITOTIC_RADIUS) * q
    sep = 0.95 * DAUGHTER_RADIUS * q
    ax = np.column_stack([np.cos(lin.angle[mi]), np.sin(lin.angle[mi])])
    c = lin.pos[mi]
    pairs = np.concatenate([np.column_stack([c - ax * sep[:, None], r]),
                            np.column_stack([c + ax * sep[:, None], r])])
    pair_r = np.concatenate([r, r])
    # Footprints: from rounding on, the plastic a mother cell held stays marked (retraction
    # fibres, then the matrix she laid down) and her daughters spread back over it.
    gi = np.flatnonzero(np.isfinite(lin.division) & (tau >= lin.division - MITOSIS))
    gop = (0.12 + 0.43 * (1 - smoothstep(lin.division[gi], lin.division[gi] + SPREADING, tau))) \
        * smoothstep(lin.division[gi] - MITOSIS, lin.division[gi] - MITOSIS / 2, tau) \
        * (1 - smoothstep(0.0, 0.4, lifted))
    ghosts = np.column_stack([lin.pos[gi], np.full(len(gi), 0.05)])
    return Layer(pos[draw], ang[draw], shape[draw], lin.tint[idx][draw], lin.size[idx][draw],
                 pairs, pair_r,
                 ghosts, lin.angle[gi], lin.size[gi], gop)


def footprint_mask(cells: Layer, size, resolution: float = 4.0, ghosts: bool = True,
                   attached_only: bool = True) -> np.ndarray:
    """Top-view raster (True = plastic covered) of the layer's outlines, the rounded mitotic
    cells and the footprints they hold; ``resolution`` µm per pixel."""
    W, H = size
    xs = np.arange(resolution / 2, W, resolution)
    ys = np.arange(resolution / 2, H, resolution)
    cover = np.zeros((len(ys), len(xs)), bool)

    def stamp(c, ang, shape, length):
        """Each outline on the pixels of its own bounding box, from the profile the mesh
        is swept from."""
        a0, _, _ = spindle_profile(np.asarray(shape, dtype=np.float64), np.zeros(1))
        a_all = a0 * (1 + (np.asarray(length) - 1) * shape)
        for k in range(len(c)):
            a = float(a_all[k])
            wide = 1 + (WIDEN * length[k] - 1) * shape[k]
            i0, i1 = np.searchsorted(xs, [c[k, 0] - a, c[k, 0] + a])
            j0, j1 = np.searchsorted(ys, [c[k, 1] - a, c[k, 1] + a])
            if i1 <= i0 or j1 <= j0:
                continue
            dx = xs[None, i0:i1] - c[k, 0]
            dy = ys[j0:j1, None] - c[k, 1]
            ca, sa = np.cos(ang[k]), np.sin(ang[k])
            lx, ly = dx * ca + dy * sa, -dx * sa + dy * ca
            _, w, bend = spindle_profile(shape[k], np.clip(lx / a, -1, 1))
            cover[j0:j1, i0:i1] |= (np.abs(lx) <= a) & (np.abs(ly - bend * wide) <= w * wide)

    keep = (cells.pos[:, 2] <= 1.0) if attached_only else np.ones(len(cells.pos), bool)
    stamp(cells.pos[keep], cells.angle[keep], cells.shape[keep], cells.length[keep])
    X, Y = np.meshgrid(xs, ys)
    for c, r in zip(cells.pairs, cells.pair_radius):
        cover |= np.hypot(X - c[0], Y - c[1]) <= r
    if ghosts:
        stamp(cells.ghosts, cells.ghost_angle, np.ones(len(cells.ghosts)), cells.ghost_length)
    return cover


# --- nodes ----------------------------------------------------------------------------------
def _quats(angle: np.ndarray) -> np.ndarray:
    if not len(angle):
        return np.zeros((0, 4))
    h = angle / 2
    return np.column_stack([np.zeros_like(h), np.zeros_like(h), np.sin(h), np.cos(h)])


_RECENT: dict = {}      # the last few layers: a frame's ten nodes share one computation


def _state(lin, node) -> Layer:
    key = (id(lin), param(node, "spread"), param(node, "confluence"), param(node, "lifted"))
    hit = _RECENT.get(key)
    if hit is None or hit[0] is not lin:
        if len(_RECENT) >= 8:
            _RECENT.pop(next(iter(_RECENT)))
        hit = _RECENT[key] = (lin, layer(lin, *key[1:]))
    return hit[1]


def _level_of(shape):
    return np.rint(np.asarray(shape) * (LEVELS - 1)).astype(int)


def _derive_level(lin, k, node):
    c = _state(lin, node)
    m = _level_of(c.shape) == k
    s = k / (LEVELS - 1)
    fx = 1 + (c.length[m] - 1) * s
    fy = 1 + (WIDEN * c.length[m] - 1) * s
    scale = np.column_stack([fx, fy, np.ones_like(fx)])
    color = np.clip(np.asarray(CELL_COLOR)[None] * c.tint[m][:, None], 0, 1)
    return node.copy(instances=Instances(c.pos[m], orientation=_quats(c.angle[m]),
                                         scale=scale, color=color))


def _derive_nuclei(lin, node):
    c = _state(lin, node)
    e = smoothstep(0.0, 1.0, c.shape)
    keep = e > 0.3
    e = e[keep]
    half = np.column_stack([3.8 + 7.2 * e, 3.8 + 2.4 * e, 3.8 - 1.9 * e])
    top = cell_top(c.shape[keep])
    p = c.pos[keep].copy()
    p[:, 2] += top - half[:, 2] * 0.7
    return node.copy(instances=Instances(p, orientation=_quats(c.angle[keep]), scale=half))


def _derive_mitotic(lin, node):
    c = _state(lin, node)
    return node.copy(instances=Instances(c.pairs, scale=c.pair_radius))


@functools.lru_cache(maxsize=2)
def _footprint_shape():
    g = spindle_geometry(1.0, 24, 12)
    return mesh(g.positions * np.array([1.0, 1.0, 0.4]), g.indices)


def _derive_ghosts(lin, node):
    c = _state(lin, node)
    scale = np.column_stack([c.ghost_length, WIDEN * c.ghost_length,
                             np.ones(len(c.ghost_length))])
    return node.copy(instances=Instances(c.ghosts, orientation=_quats(c.ghost_angle),
                                         scale=scale, opacity=c.ghost_opacity))


@functools.lru_cache(maxsize=8)
def floor_geometry(size: tuple, margin: float = 30.0, thickness: float = 6.0):
    """The flask's floor under the field: a thin slab, its top at z = 0."""
    W, H = size
    half = np.array([W / 2 + margin, H / 2 + margin, thickness / 2])

    def radius(d):
        return 1.0 / ((np.abs(d / half) ** 10).sum(axis=1)) ** 0.1
    return radial_mesh(radius, 20, center=(W / 2, H / 2, -thickness / 2), axes=half)


@dataclass
class CultureCells(Model):
    """A field of the flask's floor with its cells (µm).  ``positions``: the confluent
    layer's cells on the plastic (N×3); ``size``: the field (x, y extent); ``floor_z``."""
    params: tuple = CULTURE_PARAMS
    lineage: Lineage | None = None
    size: tuple = (720.0, 405.0)
    floor_z: float = 0.0

    @property
    def positions(self) -> np.ndarray:
        leaves = self.lineage.leaves
        return np.column_stack([self.lineage.pos[leaves], np.zeros(len(leaves))])

    @property
    def seeded_positions(self) -> np.ndarray:
        roots = self.lineage.roots
        return np.column_stack([self.lineage.pos[roots], np.zeros(len(roots))])

    def layer(self, spread=None, confluence=None, lifted=None) -> Layer:
        """The cells at a state (defaults: the model's current params)."""
        p = self.nodes[0].params
        return layer(self.lineage, clamp01(p["spread"] if spread is None else spread),
                     clamp01(p["confluence"] if confluence is None else confluence),
                     clamp01(p["lifted"] if lifted is None else lifted))

    def covered_fraction(self, confluence: float, spread: float = 1.0,
                         resolution: float = 4.0) -> float:
        """Share of the field's plastic covered by attached cells (what confluence means)."""
        c = layer(self.lineage, clamp01(spread), clamp01(confluence), 0.0)
        return float(footprint_mask(c, self.size, resolution).mean())


def culture_cells(name: str = "culture", count: int = 140, seeded: int = 6, seed: int = 0,
                  size=(720.0, 405.0), spread: float = 1.0, confluence: float = 0.0,
                  lifted: float = 0.0, floor: bool = True, transform=None,
                  position=None) -> CultureCells:
    """Stromal cells on a field of the flask's floor (µm; the field spans [0, size] in x, y).

    ``count`` cells at confluence grown from ``seeded`` (both deterministic from ``seed``).
    Nodes: ``{name}`` (the floor slab, or an empty group with ``floor=False``),
    ``{name}_shape0..5`` (cells by spread state, instanced meshes), ``{name}_nuclei``,
    ``{name}_mitotic`` (rounded cells pinching in two), ``{name}_footprints``.
    """
    if not (isinstance(count, int) and isinstance(seeded, int) and 1 <= seeded <= count):
        raise ValueError(f"{name}: need whole numbers 1 <= seeded <= count, got "
                         f"seeded={seeded!r}, count={count!r}")
    size = (float(size[0]), float(size[1]))
    st = {k: clamp01(v, f"{name} {k}") for k, v in
          zip(CULTURE_PARAMS, (spread, confluence, lifted))}
    lin = lineage(count, seeded, size, seed)
    tr = transform_of(transform, position)
    base = MeshNode(name, geometry=floor_geometry(size) if floor else None, transform=tr,
                    params=dict(st), visible=floor,
                    material=Material(color=FLOOR_COLOR, opacity=0.92, roughness=0.25,
                                      rim=0.3, rim_color="#F6C8C0"))
    cell_mat = Material(color=CELL_COLOR, roughness=0.45, rim=0.8, rim_color="#F2FFFC",
                        wrap=0.55, emissive=0.06)
    nodes = [base]
    for k in range(LEVELS):
        nodes.append(InstancedNode(sub(name, f"shape{k}"), parent=name, params=dict(st),
                                   shape=spindle_geometry(k / (LEVELS - 1), 24, 12),
                                   material=cell_mat, derive=partial(_derive_level, lin, k)))
    nodes.append(InstancedNode(sub(name, "nuclei"), shape="sphere", parent=name,
                               params=dict(st), derive=partial(_derive_nuclei, lin),
                               material=Material(color=NUCLEUS_COLOR, roughness=0.5, rim=0.2)))
    nodes.append(InstancedNode(sub(name, "mitotic"), shape="sphere", parent=name,
                               params=dict(st), derive=partial(_derive_mitotic, lin),
                               material=cell_mat.copy(emissive=0.25, rim=1.4)))
    nodes.append(InstancedNode(sub(name, "footprints"), shape=_footprint_shape(), parent=name,
                               params=dict(st), derive=partial(_derive_ghosts, lin),
                               material=cell_mat.copy(opacity=0.5, emissive=0.0, rim=0.2)))
    nodes = [n.derive(n) if n.derive is not None else n for n in nodes]
    center = tr.position + np.array([size[0] / 2, size[1] / 2, 0.0])
    return CultureCells(name, nodes, center=center, radius=float(np.hypot(*size)) / 2,
                        units="um", lineage=lin, size=size)
