"""Liver-derived stromal cells in culture, the cells a cell therapy is made of (units: µm).

Why a model of its own: the film's prologue shows where the therapy cells come from — cells
freed from donor liver tissue attach to the plastic of a culture flask, spread into flat
spindles, divide until the surface is covered, and are lifted off into suspension.

* ``stromal_cell``: one cell for close-ups.  ``spread`` 0 freshly seeded (a small round cell
  sitting on the plastic) → 1 a flat spindle (~120 × 22 µm, ~5 µm high over the nucleus);
  ``divide`` 0 → 1 a mitosis readable at a glance (the cell rounds up, its chromosomes line
  up in a plate and part, a furrow pinches it into two daughters that separate and start to
  spread); ``lifted`` 0 → 1 rounds it up and lifts it off the plastic (the harvest).
* ``culture_cells``: a field of the flask's floor with many cells, instanced.  ``spread`` as
  above for the seeded few; ``confluence`` 0 → 1 grows them by division (a deterministic
  lineage built from the seed) until the surface is covered; ``lifted`` rounds every cell
  up and floats it off.  Where a cell rounds up to divide it leaves its footprint on the
  plastic (the retraction fibres that anchor a mitotic cell) and its daughters spread back
  into it, so the covered area only grows.

Frame: the plastic is the plane z = 0, cells lie on it (z up); a cell's long axis is x.
Colour: therapy teal paled toward white — the therapy cells before they are a therapy (the
hero colour itself stays the infused cells' alone, brief §5).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..scene.geometry import Geometry, surface_of_revolution
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ..scene.transform import quat_from_axis_angle
from ._base import Model, clamp01, param, quantize, sub, transform_of
from ._mesh import merge, mesh, mix_color, smoothstep

CELL_COLOR = mix_color("therapy_teal", "#EEF7F5", 0.55)    # pale teal: therapy cells-to-be
NUCLEUS_COLOR = "#4E62A0"          # a stained nucleus, dusky blue
CHROMOSOME_COLOR = "#4A1F8C"       # condensed chromosomes, deeper
FLOOR_COLOR = "#2B2236"            # culture plastic seen through pink medium, dark for contrast

ROUND_RADIUS = 9.0                 # a freshly seeded / lifted cell: ~18 µm across (brief: 15–30)
SPREAD_LENGTH = 140.0              # a spread spindle, end to end
SPREAD_WIDTH = 26.0
MITOTIC_RADIUS = 10.0              # a cell rounded up for mitosis: 20 µm across
DAUGHTER_RADIUS = MITOTIC_RADIUS * 2 ** (-1 / 3)   # half the volume each


# --- geometry -------------------------------------------------------------------------------
def _sweep(x, yc, zc, w, h_top, h_bot, cols: int = 18) -> Geometry:
    """Closed surface swept along x: at each x an (upper/lower half-) ellipse of half-width
    ``w`` and half-heights ``h_top``/``h_bot`` around (yc, zc).  The first and last rows
    must have zero size: they become welded poles (the cell's tips)."""
    n = len(x)
    ph = np.linspace(0, 2 * np.pi, cols, endpoint=False)
    s, c = np.sin(ph), np.cos(ph)
    h = np.where(s[None] >= 0, h_top[:, None], h_bot[:, None])
    pos = np.stack([np.repeat(x[:, None], cols, 1), yc[:, None] + w[:, None] * c[None],
                    zc[:, None] + h * s[None]], -1)
    ring = np.arange(1, n - 1)
    body = pos[1:-1].reshape(-1, 3)
    verts = np.concatenate([pos[0, :1], body, pos[-1, :1]])
    last = len(verts) - 1
    k = np.arange(cols)
    tris = [np.stack([np.zeros(cols, int), 1 + (k + 1) % cols, 1 + k], 1)]
    for r in range(len(ring) - 1):
        a = 1 + r * cols + k
        b = 1 + r * cols + (k + 1) % cols
        tris.append(np.stack([a, b, b + cols], 1))
        tris.append(np.stack([a, b + cols, a + cols], 1))
    base = 1 + (len(ring) - 1) * cols
    tris.append(np.stack([np.full(cols, last), base + k, base + (k + 1) % cols], 1))
    idx = np.concatenate(tris)
    p = verts
    vol = np.einsum("ij,ij->i", p[idx[:, 0]], np.cross(p[idx[:, 1]], p[idx[:, 2]])).sum()
    if vol < 0:
        idx = idx[:, [0, 2, 1]]
    return mesh(verts, idx.astype(np.uint32))


def spindle_profile(spread: float, u: np.ndarray):
    """Outline of a cell at a spread state along u ∈ [-1, 1] (tip to tip): its half-length
    ``a``, half-width ``w(u)`` and the sideways offset of its midline ``bend(u)`` (µm).  The
    mesh is swept from it and coverage is measured on it, so the two always agree."""
    e = smoothstep(0.0, 1.0, spread)          # spread may be an array broadcasting with u
    a = ROUND_RADIUS + (SPREAD_LENGTH / 2 - ROUND_RADIUS) * e
    b = ROUND_RADIUS + (SPREAD_WIDTH / 2 - ROUND_RADIUS) * e
    taper = np.sqrt(np.clip(1 - u * u, 0, 1))
    # Spread: a fusiform body that runs out into long thin processes at both ends.
    fusiform = taper * (0.8 * np.exp(-(u / 0.42) ** 2) + 0.2 * (1 - np.abs(u)))
    w = b * (taper * (1 - e) + fusiform / 0.8 * e)
    bend = 4.0 * e * np.sin(np.pi * u) * np.abs(u)                   # a gentle S
    return a, w, bend


@functools.lru_cache(maxsize=256)
def spindle_geometry(q_spread: float, rows: int = 36, cols: int = 18) -> Geometry:
    """A cell on the plastic: round (0, a dome-sitting sphere ~18 µm) → flat spindle (1):
    tapered processes at both ends, a raised oval over the nucleus, a flat underside."""
    e = float(smoothstep(0.0, 1.0, q_spread))
    ht = ROUND_RADIUS + (2.4 - ROUND_RADIUS) * e                     # half-height, top
    hb = ROUND_RADIUS + (0.5 - ROUND_RADIUS) * e                     # half-height, bottom
    zc = ROUND_RADIUS + (0.55 - ROUND_RADIUS) * e
    u = -np.cos(np.linspace(0, np.pi, rows))                         # dense at the tips
    a, w, bend = spindle_profile(q_spread, u)
    taper = np.sqrt(np.clip(1 - u * u, 0, 1))
    fusiform = taper * (0.8 * np.exp(-(u / 0.42) ** 2) + 0.2 * (1 - np.abs(u)))
    hshape = taper * (1 - e) + np.sqrt(fusiform / 0.8) * taper * e
    bump = 2.4 * e * np.exp(-(u / 0.14) ** 2)                        # nucleus hump
    return _sweep(float(a) * u, bend, np.full(rows, zc), w, ht * hshape + bump * taper,
                  hb * hshape, cols)


def cell_top(spread):
    """Height of a cell's top over its nucleus (µm) at a spread state (or an array of them)."""
    e = smoothstep(0.0, 1.0, spread)
    zc = ROUND_RADIUS + (0.55 - ROUND_RADIUS) * e
    return zc + ROUND_RADIUS + (2.4 - ROUND_RADIUS) * e + 2.4 * e


@functools.lru_cache(maxsize=128)
def dumbbell_geometry(q: float, radius: float = MITOTIC_RADIUS) -> Geometry:
    """The rounded mitotic cell pinching into two (q 0: a sphere; 1: two lobes touching at a
    point), long axis x, sitting on z = 0.  Volume is roughly kept (lobes shrink to half)."""
    r = radius + (DAUGHTER_RADIUS - radius) * q
    s = 0.95 * DAUGHTER_RADIUS * q
    x = (s + r) * -np.cos(np.linspace(0, np.pi, 64))
    ua = np.sqrt(np.clip(r * r - (x - s) ** 2, 0, None))
    ub = np.sqrt(np.clip(r * r - (x + s) ** 2, 0, None))
    lobes = (ua ** 4 + ub ** 4) ** 0.25                      # smooth union of the two lobes
    rho = lobes * (1.0 - q * np.exp(-(x / (0.5 * r)) ** 2))
    rho[0] = rho[-1] = 0.0
    g = surface_of_revolution(rho, x, cols=28)           # about z, from x[0] to x[-1]
    rot = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])   # z → x
    m = np.eye(4)
    m[:3, :3] = rot
    m[2, 3] = radius
    g = g.transformed(m)
    return _outward(g)


def _outward(g: Geometry) -> Geometry:
    p = g.positions.astype(np.float64)
    i = g.indices.astype(np.int64)
    vol = np.einsum("ij,ij->i", p[i[:, 0]], np.cross(p[i[:, 1]], p[i[:, 2]])).sum()
    if vol >= 0:
        return mesh(p, i.astype(np.uint32))
    return mesh(p, i[:, [0, 2, 1]].astype(np.uint32))


def _moved(g: Geometry, offset) -> Geometry:
    m = np.eye(4)
    m[:3, 3] = offset
    return g.transformed(m)


# --- one cell: spread, divide, lift -----------------------------------------------------------
# divide phases (fractions of the divide param)
ROUND_UP, PLATE, PINCH, APART = 0.25, 0.45, 0.72, 0.85


@functools.lru_cache(maxsize=256)
def cell_geometry(q_spread: float, q_divide: float, q_lifted: float) -> Geometry:
    """The hero cell's membrane at a state (quantised inputs; see ``stromal_cell``)."""
    d = q_divide
    round_up = float(smoothstep(0.0, ROUND_UP, d))
    lift_round = float(smoothstep(0.0, 0.45, q_lifted))
    rise = 40.0 * float(smoothstep(0.35, 1.0, q_lifted))
    if d < PLATE:
        s = q_spread * (1.0 - round_up) * (1.0 - lift_round)
        g = spindle_geometry(quantize(s))
        if round_up > 0.5:                        # mitotic rounding grows to 20 µm
            k = 1.0 + (MITOTIC_RADIUS / ROUND_RADIUS - 1.0) * (round_up - 0.5) * 2
            g = g.transformed(np.diag([k, k, k, 1.0]))
    elif d < PINCH:
        g = dumbbell_geometry(quantize((d - PLATE) / (PINCH - PLATE)))
    else:
        apart = float(smoothstep(PINCH, 1.0, d))
        respread = 0.45 * float(smoothstep(APART, 1.0, d)) * (1.0 - lift_round)
        sep = 0.95 * DAUGHTER_RADIUS + 30.0 * apart
        k = DAUGHTER_RADIUS / ROUND_RADIUS
        half = spindle_geometry(quantize(respread)).transformed(np.diag([k, k, k, 1.0]))
        g = merge([_moved(half, (-sep, 0.0, 0.0)), _moved(half, (sep, 0.0, 0.0))])
    return _moved(g, (0.0, 0.0, rise)) if rise > 0 else g


def _nuclei(spread: float, divide: float, lifted: float) -> Instances:
    """Two nucleus instances: one (mother's) until the envelope breaks down, then the two
    daughters' nuclei reappear once the chromosomes have parted."""
    d = divide
    e = float(smoothstep(0.0, 1.0, spread * (1 - smoothstep(0.0, ROUND_UP, d))
                         * (1 - smoothstep(0.0, 0.45, lifted))))
    rise = 40.0 * float(smoothstep(0.35, 1.0, lifted))
    mother = 1.0 - float(smoothstep(0.1, 0.22, d))
    daughters = float(smoothstep(PINCH - 0.04, APART, d))
    apart = float(smoothstep(PINCH, 1.0, d))
    sep = (0.95 * DAUGHTER_RADIUS + 30.0 * apart) * daughters
    rn = np.array([3.8 + 7.2 * e, 3.8 + 2.4 * e, 3.8 - 1.8 * e])
    zc = ROUND_RADIUS + (2.1 - ROUND_RADIUS) * e
    if d >= PINCH:
        zc = DAUGHTER_RADIUS * (1 - 0.6 * float(smoothstep(APART, 1.0, d)))
    pos = np.array([[-sep, 0.0, zc + rise], [sep, 0.0, zc + rise]])
    vis = max(mother, daughters)
    scale = np.array([rn, rn]) * max(vis, 0.05) * (0.8 if d >= PINCH else 1.0)
    return Instances(pos, scale=scale, opacity=np.full(2, vis))


def _chromosomes(seed: int, divide: float, lifted: float, count: int = 16) -> Instances:
    """Condensed chromosomes: a cluster (prophase) → a plate across the division axis
    (metaphase) → two sets pulled apart (anaphase) → gone as the daughters' nuclei re-form."""
    rng = np.random.default_rng(seed + 31)
    d = divide
    show = float(smoothstep(0.12, 0.22, d)) * (1.0 - float(smoothstep(PINCH, APART, d)))
    cluster = rng.normal(size=(count, 3)) * 2.4
    plate = np.column_stack([rng.normal(0, 0.35, count), rng.uniform(-5.5, 5.5, count),
                             rng.uniform(-4.5, 4.5, count)])
    align = float(smoothstep(0.22, 0.4, d))
    part = float(smoothstep(PLATE, PINCH, d))
    side = np.where(np.arange(count) % 2 == 0, -1.0, 1.0)
    p = cluster * (1 - align) + plate * align
    p[:, 0] += side * part * 0.95 * DAUGHTER_RADIUS
    p[:, 1:] *= 1.0 - 0.45 * part
    p[:, 2] += MITOTIC_RADIUS + 40.0 * float(smoothstep(0.35, 1.0, lifted))
    ang = rng.uniform(0, np.pi, count)
    q = np.array([quat_from_axis_angle(np.array([np.cos(a), np.sin(a), 0.3]), 1.2 + a)
                  for a in ang])
    q_plate = np.array([quat_from_axis_angle((0.0, 0.0, 1.0), np.pi / 2 + 0.2 * rng.normal())
                        for _ in range(count)])
    q = np.where(align > 0.5, q_plate, q)
    scale = np.tile([2.6, 0.75, 0.75], (count, 1)) * max(show, 0.05)
    return Instances(p, orientation=q, scale=scale, opacity=np.full(count, show))


def cell_material() -> Material:
    return Material(color=CELL_COLOR, opacity=0.5, roughness=0.45, rim=1.0,
                    rim_color="#F2FFFC", wrap=0.55, emissive=0.05)


STROMAL_PARAMS = ("spread", "divide", "lifted")


@dataclass
class StromalCell(Model):
    """One cultured stromal cell (µm); ``params`` names what its nodes' derive reads."""
    params: tuple = STROMAL_PARAMS
    floor_z: float = 0.0


def _derive_cell(node):
    return node.copy(geometry=cell_geometry(quantize(param(node, "spread")),
                                            quantize(param(node, "divide")),
                                            quantize(param(node, "lifted"))))


def _derive_nuclei(node):
    return node.copy(instances=_nuclei(param(node, "spread"), param(node, "divide"),
                                       param(node, "lifted")))


def _derive_chromosomes(seed, node):
    return node.copy(instances=_chromosomes(seed, param(node, "divide"),
                                            param(node, "lifted")))


def stromal_cell(name: str = "stromal", spread: float = 1.0, divide: float = 0.0,
                 lifted: float = 0.0, seed: int = 0, transform=None,
                 position=None) -> StromalCell:
    """One adherent stromal cell on the plastic (µm).  Params on every node: ``spread``,
    ``divide`` and ``lifted``, each 0..1 (see the module doc)."""
    st = {k: clamp01(v, f"{name} {k}") for k, v in
          zip(STROMAL_PARAMS, (spread, divide, lifted))}
    tr = transform_of(transform, position)
    cell = MeshNode(name, material=cell_material(), transform=tr, params=dict(st),
                    derive=_derive_cell)
    nuc = InstancedNode(sub(name, "nuclei"), shape="sphere", parent=name, params=dict(st),
                        material=Material(color=NUCLEUS_COLOR, roughness=0.5, rim=0.3),
                        derive=_derive_nuclei)
    chrom = InstancedNode(sub(name, "chromosomes"), shape="sphere", parent=name,
                          params=dict(st), derive=partial(_derive_chromosomes, seed),
                          material=Material(color=CHROMOSOME_COLOR, roughness=0.4,
                                            emissive=0.25))
    nodes = [n.derive(n) for n in (cell, nuc, chrom)]
    return StromalCell(name, nodes, center=tr.position + [0.0, 0.0, 5.0],
                       radius=SPREAD_LENGTH / 2, units="um")
