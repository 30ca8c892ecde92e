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
outward: ``.flow_paths`` (corner → centre, between plates) and ``.bile_paths``
(the reverse) are polylines for particles.  ``.corners`` are the triad positions.
"""
from __future__ import annotations

import functools
from functools import partial

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry, merge
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, sub, transform_of
from ._mesh import capped_tube, hollow_tube

BILE = "#6E9B4A"
CENTRAL_VEIN_RADIUS = 25.0
FLOOR = "#4A1418"      # blood in the depths of the sinusoids (dark, desaturated RBC red)


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
    pos, quat, lines = [], [], []
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
        lines.append(xy)
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
    return pos, quat, scale, color, spokes, lines


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


def _lobule_nodes(name, tr, plates, parts: dict) -> list:
    """The hepatocyte plates (impostors) and the vessel meshes of one lobule or a field of
    them; ``parts`` maps a part name to its geometry, the material follows the name."""
    pos, quat, scale, color = plates
    vessel = dict(roughness=0.3, rim=0.35, rim_color=rgb("#FFE2D6"), wrap=0.4)
    materials = {
        "central_vein": Material(color=rgb("venous_indigo"), **vessel),
        "central_veins": Material(color=rgb("venous_indigo"), **vessel),
        "portal_venules": Material(color=rgb("venous_indigo"), **vessel),
        "arterioles": Material(color=rgb("arterial_red"), **vessel),
        "bile_ductules": Material(color=rgb(BILE), **vessel),
        "outline": Material(color=rgb("scar_ivory"), opacity=0.35, roughness=0.7)}
    plate_node = InstancedNode(name, shape="sphere", transform=tr,
                               instances=Instances(pos, orientation=quat, scale=scale,
                                                   color=color),
                               material=Material(color=rgb("hepatocyte_rose"), roughness=0.55,
                                                 rim=0.3, wrap=0.5), params={"nucleus": 0.25})
    return [plate_node] + [MeshNode(sub(name, part), geometry=geo, material=materials[part],
                                    parent=name) for part, geo in parts.items()]



@dataclass
class Lobule(Model):
    """A lobule with the paths particles follow (world frame, µm)."""
    flow_paths: list = None
    bile_paths: list = None
    corners: np.ndarray = None
    central_vein_radius: float = None

def lobule(name: str = "lobule", seed: int = 0, radius: float = 700.0, height: float = 250.0,
           transform=None, position=None) -> Model:
    """A hexagonal lobule (µm), circumradius ``radius``.  Nodes: ``{name}`` (hepatocyte
    plates, instanced), ``{name}_central_vein``, ``{name}_portal_venules``,
    ``{name}_arterioles``, ``{name}_bile_ductules``, ``{name}_outline``."""
    tr = transform_of(transform, position)
    pos, quat, scale, color, spokes, _ = _plates(float(radius), float(height), seed)
    cv, ven, art, duct, walls = _vessel_geometries(float(radius), float(height))
    nodes = _lobule_nodes(name, tr, (pos, quat, scale, color),
                          {"central_vein": cv, "portal_venules": ven, "arterioles": art,
                           "bile_ductules": duct, "outline": walls})
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
    return Lobule(name, nodes, center=tr.position.copy(), radius=float(radius) * 1.05,
                 units="um",
                 flow_paths=flows,
                  bile_paths=[f[::-1].copy() for f in flows],
                  corners=np.column_stack([corners(radius), np.zeros(6)]) @ m[:3, :3].T
                       + m[:3, 3],
                  central_vein_radius=CENTRAL_VEIN_RADIUS)


# --- a field of lobules (film acts 2 and 8) ---------------------------------------------------
def lobule_centers(radius: float, rings: int = 1) -> np.ndarray:
    """Centres (N×2) of a hexagonal tiling of lobules (corners on the x axis) within
    ``rings`` of the middle one; the middle lobule comes first."""
    out = [(0.0, 0.0)]
    d = radius * np.sqrt(3.0)
    dirs = [np.array([np.cos(a), np.sin(a)]) for a in np.pi / 6 + np.arange(6) * np.pi / 3]
    for ring in range(1, rings + 1):
        p = dirs[4] * d * ring
        for k in range(6):
            for _ in range(ring):
                out.append(tuple(p))
                p = p + dirs[k] * d
    return np.array(out)


def _hex_rim(angle, R):
    """Distance from the centre to the hexagon's edge along ``angle`` (corners at 0°, 60°…)."""
    apothem = R * np.sqrt(3) / 2
    th = np.mod(angle - np.pi / 6, np.pi / 3) - np.pi / 6
    return apothem / np.cos(th)


def gap_paths(R: float, height: float, seed: int, count: int, rng) -> list:
    """Blood paths between plates: from the lobule's rim to the central vein, each keeping to
    the middle of the sinusoid between its two neighbouring plates (plates branch outward, so a
    path steps sideways where a plate ends), at a random height."""
    spokes = _plates(float(R), float(height), seed)[4]
    ang = np.mod([a for a, _ in spokes], 2 * np.pi)
    r0 = np.array([r for _, r in spokes])
    first = r0.min()
    rs = np.linspace(0.94, 0.0, 48)
    out = []
    for _ in range(count):
        a = rng.uniform(0, 2 * np.pi)
        z = rng.uniform(-height / 2 + 8.0, height / 2 - 8.0)
        r_rim = _hex_rim(a, R) * 0.97
        radii = CENTRAL_VEIN_RADIUS + 4.0 + (r_rim - CENTRAL_VEIN_RADIUS - 4.0) * rs / 0.94
        angles = []
        for r in radii:
            live = np.sort(ang[r0 <= max(r, first) + 6.0])
            k = np.searchsorted(live, np.mod(a, 2 * np.pi))
            lo = live[k - 1] if k > 0 else live[-1] - 2 * np.pi
            hi = live[k] if k < len(live) else live[0] + 2 * np.pi
            a = (lo + hi) / 2
            angles.append(a)
        angles = np.convolve(np.pad(angles, 3, mode="edge"), np.ones(7) / 7, "valid")
        out.append(np.column_stack([radii * np.cos(angles), radii * np.sin(angles),
                                    np.full(len(radii), z)]))
    return out


def plate_walls(lines, z0: float, z1: float, half: float = 8.0) -> Geometry:
    """Hepatocyte plates below the top layer of cells as flat-shaded walls: the two faces
    and the ends of a ribbon per plate (xy polyline) from ``z0`` to ``z1``, ``2·half``
    thick (a few triangles per cell instead of a ray-cast cell per layer).  No top face: the
    top layer of cells covers it, and a hidden face still costs shading."""
    P, N, I = [], [], []
    base = 0
    for xy in lines:
        if len(xy) < 2:
            continue
        d = np.gradient(xy, axis=0)
        d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
        n = np.column_stack([-d[:, 1], d[:, 0]])
        m = len(xy)
        faces = []
        for sign in (1.0, -1.0):                                  # the two sides
            e = xy + sign * half * n
            faces.append((np.concatenate([np.column_stack([e, np.full(m, z0)]),
                                          np.column_stack([e, np.full(m, z1)])]),
                           np.tile(np.column_stack([sign * n, np.zeros(m)]), (2, 1)), sign))
        for pts, nrm, sign in faces:
            k = np.arange(m - 1)
            a, b, c, e = k, k + 1, k + m, k + 1 + m
            tri = np.concatenate([np.stack([a, b, e], 1), np.stack([a, e, c], 1)])
            if sign < 0:
                tri = tri[:, [0, 2, 1]]
            P.append(pts), N.append(nrm), I.append(tri + base)
            base += len(pts)
        for j, sign in ((0, -1.0), (m - 1, 1.0)):                  # end caps
            c = xy[j]
            q = np.array([[*(c + half * n[j]), z0], [*(c - half * n[j]), z0],
                          [*(c - half * n[j]), z1], [*(c + half * n[j]), z1]])
            tri = np.array([[0, 1, 2], [0, 2, 3]])
            if sign < 0:
                tri = tri[:, [0, 2, 1]]
            P.append(q), N.append(np.tile([*(sign * d[j]), 0.0], (4, 1))), I.append(tri + base)
            base += 4
    pos = np.concatenate(P).astype(np.float32)
    idx = np.concatenate(I).astype(np.uint32)
    # Keep faces outward: flip any triangle whose winding disagrees with its normal.
    nrm = np.concatenate(N).astype(np.float32)
    fn = np.cross(pos[idx[:, 1]] - pos[idx[:, 0]], pos[idx[:, 2]] - pos[idx[:, 0]])
    bad = np.einsum("ij,ij->i", fn, nrm[idx[:, 0]]) < 0
    idx[bad] = idx[bad][:, [0, 2, 1]]
    return Geometry(pos, nrm, idx)


def _derive_blood(table, base, node):
    """Red cells along the gap paths: a pure function of the node's ``t`` (seconds).
    ``table``: (points P×M×3, arc lengths P×M, path per cell, start s per cell, speed)."""
    pts, arc, which, s0, speed = table
    t = float(node.params.get("t", 0.0))
    length = arc[which, -1]
    s = np.mod(s0 + speed * t, length)
    a = arc[which]
    k = np.clip((a <= s[:, None]).sum(axis=1) - 1, 0, arc.shape[1] - 2)
    rows = np.arange(len(s))
    u = ((s - a[rows, k]) / np.maximum(a[rows, k + 1] - a[rows, k], 1e-9))[:, None]
    p = pts[which, k] * (1 - u) + pts[which, k + 1] * u
    frac = s / length
    # Shrink to nothing at both ends of a path (no popping where a cell wraps round).
    grow = np.clip(np.minimum(frac, 1 - frac) / 0.06, 0, 1)[:, None]
    return node.copy(instances=Instances(p, orientation=base.orientation,
                                         scale=base.scale * grow, color=base.color))



@dataclass
class LobuleField(Model):
    """A field of lobules with its layout (world frame, µm)."""
    centers: np.ndarray = None
    corners: np.ndarray = None
    edges: list = None
    blood_paths: list = None
    height: float = None
    lobule_radius: float = None

def lobule_field(name: str = "lobules", seed: int = 0, radius: float = 700.0,
                 height: float = 250.0, rings: int = 1, transform=None, keep=None,
                 blood: int = 0, blood_speed: float = 150.0, floor: bool = True,
                 cells: str = "top") -> Model:
    """A patch of tiled lobules (µm): the middle one plus ``rings`` rings around it.

    Nodes: ``{name}`` (every lobule's hepatocyte plates, one instanced node),
    ``{name}_central_veins``, ``{name}_portal_venules``, ``{name}_arterioles``,
    ``{name}_bile_ductules`` (one triad per shared corner), ``{name}_outline``, and with
    ``blood`` > 0 ``{name}_blood``: that many red cells (7.5 µm biconcave impostors) flowing
    from the rims to the central veins between plates, param ``t`` (seconds; drive it with a
    procedural track).  ``keep(points) -> bool mask`` drops plate cells (field frame), e.g. to
    make room for a ``sinusoid`` close-up.  (``LobuleField``) ``centers`` (N×3), ``corners`` (unique
    triad positions), ``edges`` (unique portal-to-portal boundary segments, pairs of points:
    paths for septal collagen), ``blood_paths``.
    """
    tr = transform_of(transform)
    R, H = float(radius), float(height)
    rng = np.random.default_rng(seed)
    centers = lobule_centers(R, rings)
    pos, quat, scale, color, lines = [], [], [], [], []
    for k, c in enumerate(centers):
        p, q, s, col, _, ln = _plates(R, H, seed + k)
        if cells == "top":               # ray-cast cells on top, walls below (cheap)
            top = p[:, 2] > H / 2 - 25.0
            p, q, col = p[top], q[top], col[top]
            # Round cells take the renderer's fast sphere path (same volume as the ellipsoid).
            s = np.repeat(np.cbrt(s[top].prod(axis=1))[:, None], 3, axis=1)
        pos.append(p + [c[0], c[1], 0.0])
        quat.append(q), scale.append(s), color.append(col)
        lines += [xy + c for xy in ln]
    pos, quat = np.concatenate(pos), np.concatenate(quat)
    scale, color = np.concatenate(scale), np.concatenate(color)
    if keep is not None:
        m = np.asarray(keep(pos), bool)
        pos, quat, scale, color = pos[m], quat[m], scale[m], color[m]
        cut = []
        for xy in lines:          # walls: keep the runs of each plate that ``keep`` accepts
            ok = np.asarray(keep(np.column_stack([xy, np.full(len(xy), H / 2 - 12.5)])), bool)
            edges_ = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
            cut += [xy[a:b] for a, b in zip(edges_[::2], edges_[1::2]) if b - a > 1]
        lines = cut
    z = np.linspace(-H / 2, H / 2, 9)
    line = lambda x, y: np.column_stack([np.full(9, x), np.full(9, y), z])  # noqa: E731
    corner_pts, edges, seen = [], [], set()
    for c in centers:
        cs = corners(R) + c
        for a, b in zip(cs, np.roll(cs, -1, axis=0)):
            key = tuple(sorted([tuple(np.round(a)), tuple(np.round(b))]))
            if key not in seen:
                seen.add(key)
                edges.append((a, b))
        for p in cs:
            if not any(np.hypot(*(p - q)) < 1.0 for q, _ in corner_pts):
                corner_pts.append((p, (p - c) / R))
    venules, arterioles, ducts, walls = [], [], [], []
    for p, d in corner_pts:
        t = np.array([-d[1], d[0]])
        venules.append(capped_tube(line(*p), 30.0, sides=20))
        arterioles.append(capped_tube(line(*(p + t * 46.0 - d * 6.0)), 10.0, sides=12))
        ducts.append(capped_tube(line(*(p - t * 44.0 - d * 4.0)), 9.0, sides=12))
    for a, b in edges:
        for zz in (-H / 2, H / 2):
            walls.append(capped_tube(np.array([[*a, zz], [*b, zz]]), 2.0, 6))
    cv = merge([hollow_tube(line(*c), CENTRAL_VEIN_RADIUS - 2.0, 4.0, sides=32) for c in centers])
    nodes = _lobule_nodes(name, tr, (pos, quat, scale, color),
                          {"central_veins": cv, "portal_venules": merge(venules),
                           "arterioles": merge(arterioles), "bile_ductules": merge(ducts),
                           "outline": merge(walls)})

    def mesh(part, geo, mat):
        return MeshNode(sub(name, part), geometry=geo, material=mat, parent=name)
    if cells == "top":
        nodes.append(mesh("walls", plate_walls(lines, -H / 2 + 4.0, H / 2 - 14.0, 10.0),
                          Material(color=rgb("hepatocyte_rose") * 0.86, roughness=0.7, rim=0.12,
                                   rim_color=rgb("#F3C5B6"), wrap=0.65, shading="vertex")))
    if floor:      # the blood-filled depths of the sinusoids, seen between the plates
        pts = np.concatenate([np.vstack([c, corners(R * 1.002) + c]) for c in centers])
        fan = np.array([[0, 1 + (k + 1) % 6, 1 + k] for k in range(6)])[::-1][:, [0, 2, 1]]
        idx = np.concatenate([fan + 7 * j for j in range(len(centers))]).astype(np.uint32)
        pos3 = np.column_stack([pts, np.full(len(pts), -H / 2 + 6.0)])
        geo = Geometry(pos3.astype(np.float32), np.tile([0, 0, 1.0], (len(pts), 1)).astype(
            np.float32), idx)
        nodes.append(mesh("floor", geo, Material(color=rgb(FLOOR), roughness=0.85, rim=0.2,
                                                 wrap=0.6, shading="vertex")))
    paths = []
    if blood:
        per = max(1, blood // (3 * len(centers)))          # three cells follow each path
        for k, c in enumerate(centers):
            paths += [p + [c[0], c[1], 0.0] for p in gap_paths(R, H, seed + k, per, rng)]
        from ._mesh import arc_length, random_quaternions
        pts = np.stack(paths)
        arc = np.stack([arc_length(p) for p in paths])
        n = 3 * len(paths)
        which = np.repeat(np.arange(len(paths)), 3)
        s0 = (np.repeat(rng.uniform(size=len(paths)), 3) + np.tile(np.arange(3) / 3, len(paths))
              + rng.uniform(-0.05, 0.05, n)) * arc[which, -1]
        speed = np.repeat(blood_speed * rng.uniform(0.7, 1.3, len(paths)), 3)
        tint = rng.uniform(0.9, 1.0, (n, 1)) * rgb("#B0201C")[None, :]
        base = Instances(np.zeros((n, 3)), orientation=random_quaternions(rng, n),
                         scale=np.tile([3.75, 3.75, 1.0], (n, 1)), color=tint)
        node = InstancedNode(sub(name, "blood"), shape="biconcave", parent=name,
                             params={"t": 0.0}, instances=base,
                             derive=partial(_derive_blood, (pts, arc, which, s0, speed), base),
                             material=Material(color=rgb("#B0201C"), roughness=0.35, rim=0.35,
                                               rim_color=rgb("#FFC8C0")))
        nodes.append(node.derive(node))
    m = tr.matrix()
    world = lambda p: np.asarray(p) @ m[:3, :3].T + m[:3, 3]  # noqa: E731
    c3 = np.column_stack([centers, np.zeros(len(centers))])
    return LobuleField(name, nodes, center=tr.position.copy(),
                 radius=float(np.abs(centers).max() + R) * 1.05, units="um",
                 centers=world(c3),
                       corners=world(np.array([[*p, 0.0] for p, _ in corner_pts])),
                       edges=[(world([*a, 0.0]), world([*b, 0.0])) for a, b in edges],
                       blood_paths=[world(p) for p in paths],
                       height=H,
                       lobule_radius=R)
