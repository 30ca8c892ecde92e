"""A classic hepatic lobule (units: micrometres, 1 unit = 1 µm).

A hexagonal prism ~1.4 mm across (brief: 1–2 mm) and ``height`` µm tall (z), with:

* the **central vein** (~50 µm across) along the axis;
* a **portal triad** at each of the six corners: portal venule (Venous Indigo), hepatic
  arteriole (Arterial Red) and bile ductule (bile green), running along z;
* **hepatocyte plates** one cell thick radiating from the central vein to the edge, the
  plates branching as they widen (new plates start further out), ~25 µm cells drawn as
  sphere impostors (tens of thousands of them) in Hepatocyte Rose;
* a faint boundary (the thin connective tissue between lobules).

Blood runs inward (corner → central vein) through the sinusoids between plates, bile
outward: ``data["flow_paths"]`` (corner → centre, between plates) and ``data["bile_paths"]``
(the reverse) are polylines for particles.  ``data["corners"]`` are the triad positions.
"""
from __future__ import annotations

import functools

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import merge
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, sub, transform_of
from ._mesh import capped_tube, hollow_tube

BILE = "#6E9B4A"
CENTRAL_VEIN_RADIUS = 25.0


def _inside_hexagon(p, R):
    """Points (…×2) inside a regular hexagon with circumradius R, corners on the x axis."""
    x, y = np.abs(p[..., 0]), np.abs(p[..., 1])
    return (y <= R * np.sqrt(3) / 2) & (np.sqrt(3) * x + y <= np.sqrt(3) * R)


def corners(R: float) -> np.ndarray:
    a = np.arange(6) * np.pi / 3
    return np.stack([R * np.cos(a), R * np.sin(a)], -1)


@functools.lru_cache(maxsize=4)
def _plates(R: float, height: float, seed: int, cell: float = 25.0):
    """Spoke plates: 14 start at the central vein; each doubling of the radius starts as
    many again between them (plates branch to keep sinusoids ~10 µm wide)."""
    rng = np.random.default_rng(seed)
    pitch = cell + 14.0                                   # plate + sinusoid at the rim
    spokes = []
    n0 = 14
    r_start = CENTRAL_VEIN_RADIUS + cell / 2
    level = 0
    angles = np.arange(n0) * 2 * np.pi / n0
    spokes += [(a, r_start) for a in angles]
    n = n0
    while True:
        r_new = n * pitch * 2 / (2 * np.pi)              # where the gaps reach two pitches
        if r_new > R:
            break
        new = angles + np.pi / n
        spokes += [(a, r_new) for a in new]
        angles = np.sort(np.concatenate([angles, new]))
        n *= 2
        level += 1
    pos, quat = [], []
    layers = np.arange(-height / 2 + cell / 2, height / 2, cell)
    for a, r0 in spokes:
        a = a + rng.normal(scale=0.02)
        wobble = rng.uniform(0.5, 1.5)
        rs = np.arange(r0, R * 1.05, cell * 0.96)
        ang = a + 0.06 * np.sin(rs / 140.0 * wobble + rng.uniform(0, 6.3))
        xy = np.stack([rs * np.cos(ang), rs * np.sin(ang)], -1)
        keep = _inside_hexagon(xy, R - cell * 0.4)
        xy = xy[keep]
        if not len(xy):
            continue
        half = ang[keep] / 2           # rotation about z: local x radial, y across the plate
        q = np.stack([np.zeros_like(half), np.zeros_like(half), np.sin(half), np.cos(half)], -1)
        for z in layers:
            pos.append(np.column_stack([xy, np.full(len(xy), z)]))
            quat.append(q)
    pos = np.concatenate(pos)
    quat = np.concatenate(quat)
    pos = pos + rng.normal(scale=1.0, size=pos.shape)
    scale = np.tile([cell * 0.56, cell * 0.40, cell * 0.53], (len(pos), 1))
    scale *= rng.uniform(0.9, 1.08, (len(pos), 1))
    shade = rng.uniform(0.0, 0.18, len(pos))[:, None]
    color = rgb("hepatocyte_rose") * (1 - shade) + rgb("#F3C5B6") * shade
    return pos, quat, scale, color, spokes


@functools.lru_cache(maxsize=4)
def _vessel_geometries(R: float, height: float):
    z = np.linspace(-height / 2, height / 2, 9)
    line = lambda x, y: np.column_stack([np.full(9, x), np.full(9, y), z])  # noqa: E731
    cv = hollow_tube(line(0.0, 0.0), CENTRAL_VEIN_RADIUS - 2.0, 4.0, sides=40)
    venules, arterioles, ducts = [], [], []
    for cx, cy in corners(R):
        d = np.array([cx, cy]) / R
        t = np.array([-d[1], d[0]])
        venules.append(capped_tube(line(cx, cy), 30.0, sides=28))
        a = np.array([cx, cy]) + t * 46.0 - d * 6.0
        b = np.array([cx, cy]) - t * 44.0 - d * 4.0
        arterioles.append(capped_tube(line(*a), 10.0, sides=16))
        ducts.append(capped_tube(line(*b), 9.0, sides=16))
    ring = np.vstack([corners(R), corners(R)[:1]])
    walls = []
    for p0, p1 in zip(ring[:-1], ring[1:]):
        walls.append(capped_tube(np.array([[*p0, -height / 2], [*p1, -height / 2]]), 2.0, 8))
        walls.append(capped_tube(np.array([[*p0, height / 2], [*p1, height / 2]]), 2.0, 8))
    return cv, merge(venules), merge(arterioles), merge(ducts), merge(walls)


def lobule(name: str = "lobule", seed: int = 0, radius: float = 700.0, height: float = 250.0,
           transform=None, position=None) -> Model:
    """A hexagonal lobule (µm), circumradius ``radius``.  Nodes: ``{name}`` (hepatocyte
    plates, instanced), ``{name}_central_vein``, ``{name}_portal_venules``,
    ``{name}_arterioles``, ``{name}_bile_ductules``, ``{name}_outline``."""
    tr = transform_of(transform, position)
    pos, quat, scale, color, spokes = _plates(float(radius), float(height), seed)
    cv, ven, art, duct, walls = _vessel_geometries(float(radius), float(height))
    vessel = dict(roughness=0.3, rim=0.35, rim_color=rgb("#FFE2D6"), wrap=0.4)
    plates = InstancedNode(name, shape="sphere", transform=tr,
                           instances=Instances(pos, orientation=quat, scale=scale, color=color),
                           material=Material(color=rgb("hepatocyte_rose"), roughness=0.55,
                                             rim=0.3, wrap=0.5), params={"nucleus": 0.25})

    def mesh(part, geo, mat):
        return MeshNode(sub(name, part), geometry=geo, material=mat, parent=name)
    nodes = [plates,
             mesh("central_vein", cv, Material(color=rgb("venous_indigo"), **vessel)),
             mesh("portal_venules", ven, Material(color=rgb("venous_indigo"), **vessel)),
             mesh("arterioles", art, Material(color=rgb("arterial_red"), **vessel)),
             mesh("bile_ductules", duct, Material(color=rgb(BILE), **vessel)),
             mesh("outline", walls, Material(color=rgb("scar_ivory"), opacity=0.35,
                                             roughness=0.7))]
    # Flow paths run down the middle of the gaps between neighbouring spokes.
    m = tr.matrix()
    angs = np.sort([a for a, _ in spokes])
    flows = []
    for cx, cy in corners(radius):
        a_c = np.arctan2(cy, cx)
        for off in (-1, 1):
            k = int(np.argmin(np.abs(np.angle(np.exp(1j * (angs - a_c))))))
            a0, a1 = angs[k], angs[(k + off) % len(angs)]
            mid = np.angle(np.exp(1j * a0) + np.exp(1j * a1))
            rs = np.linspace(radius * 0.93, CENTRAL_VEIN_RADIUS, 30)
            a = a_c + (mid - a_c) * np.clip((radius - rs) / (radius * 0.3), 0, 1)
            p = np.column_stack([rs * np.cos(a), rs * np.sin(a), np.zeros(30)])
            flows.append(p @ m[:3, :3].T + m[:3, 3])
    return Model(name, nodes, center=tr.position.copy(), radius=float(radius) * 1.05,
                 units="um",
                 data={"flow_paths": flows, "bile_paths": [f[::-1].copy() for f in flows],
                       "corners": np.column_stack([corners(radius), np.zeros(6)]) @ m[:3, :3].T
                       + m[:3, 3], "central_vein_radius": CENTRAL_VEIN_RADIUS})
