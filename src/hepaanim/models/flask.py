"""A T-75 culture flask and a piece of donor liver tissue (units: millimetres).

Why: the prologue's wide shots — the piece of a donated liver the cells are freed from, and
the flask they grow in — before the camera drops to the cells (``culture.culture_cells``, µm).

* ``culture_flask``: a translucent polystyrene T-flask lying flat (body ~150 × 80 × 36 mm,
  canted neck, ribbed cap), a thin layer of pink-orange medium on its floor and a frosted
  writing patch.  Param ``confluence`` 0..1 lays a faint pale film of cells over the floor
  (what the eye sees of a confluent flask).  ``floor_z`` is the inner floor's height.
* ``liver_sample``: a ~10 mm cube of liver tissue, Liver Maroon, with one cut face showing
  the lobular pattern (pale portal tracts at the corners of ~1.5 mm hexagons, a dark central
  vein in each).  Param ``freed`` 0..1 releases cells (drawn enlarged) from the cut face.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..scene.geometry import Geometry, merge, surface_of_revolution
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, sub, transform_of
from ._mesh import implicit_star_mesh, mesh, mix_color, radial_mesh, smax, smoothstep
from .stromal import CELL_COLOR

PLASTIC = "#DCE8F2"          # clear polystyrene (not a palette colour: a frame)
MEDIUM = "#F39A86"           # phenol-red culture medium, pink-orange (brief, issue 18)
CAP = "#E9EEF3"
LENGTH, WIDTH, HEIGHT = 150.0, 80.0, 36.0
WALL = 1.5
MEDIUM_DEPTH = 2.5           # ~15 mL over 75 cm²


def _body_field(p):
    """Rounded box whose end (+x) narrows into shoulders toward the neck."""
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    taper = smoothstep(LENGTH * 0.72, LENGTH, x)
    half_w = WIDTH / 2 * (1 - 0.55 * taper)
    k = 8.0
    q = np.stack([np.abs(x - LENGTH / 2) / (LENGTH / 2), np.abs(y) / half_w,
                  np.abs(z - HEIGHT / 2) / (HEIGHT / 2)], -1)
    return ((q ** k).sum(-1) ** (1 / k) - 1.0) * min(HEIGHT / 2, 30.0)


@functools.lru_cache(maxsize=2)
def flask_geometries():
    """Body shell, neck + cap, medium layer, writing patch (flask frame, floor at z=0)."""
    body = implicit_star_mesh(_body_field, 40, (LENGTH / 2, 0.0, HEIGHT / 2),
                              (LENGTH / 2, WIDTH / 2, HEIGHT / 2), reach=120.0, window=8.0)
    # Neck and cap: revolved about z, then turned to point along +x, canted up 15°.
    neck = surface_of_revolution(np.array([0.0, 13.0, 13.0, 14.5, 14.5, 0.0]),
                                 np.array([30.0, 30.0, 8.0, 6.0, -6.0, -6.0]), cols=32)
    ribs_r = 16.5 + 0.6 * (np.arange(8) % 2)
    cap = surface_of_revolution(np.concatenate([[0.0, 15.5], ribs_r, [16.5, 0.0]]),
                                np.concatenate([[52.0, 52.0], np.linspace(50.0, 30.0, 8),
                                                [28.0, 28.0]]), cols=40)
    c, s = np.cos(np.radians(75)), np.sin(np.radians(75))
    turn = np.array([[s, 0, c, LENGTH - 8.0], [0, 1, 0, 0], [-c, 0, s, HEIGHT * 0.6],
                     [0, 0, 0, 1.0]])
    neck, cap = _outward(neck.transformed(turn)), _outward(cap.transformed(turn))

    def medium_field(p):
        inner = _body_field(p) + WALL
        return smax(inner, p[..., 2] - (WALL + MEDIUM_DEPTH), 0.6)
    medium = implicit_star_mesh(medium_field, 32, (LENGTH * 0.45, 0.0, WALL + 1.2),
                                (LENGTH / 2, WIDTH / 2, 2.0), reach=120.0, window=6.0)
    half = np.array([32.0, 22.0, 0.4])

    def patch_r(d):
        return 1.0 / ((np.abs(d / half) ** 8).sum(axis=1)) ** 0.125
    patch = radial_mesh(patch_r, 10, center=(LENGTH * 0.38, 4.0, HEIGHT + 0.1), axes=half)
    film_half = np.array([LENGTH * 0.42, WIDTH / 2 - 5.0, 0.15])

    def film_r(d):
        return 1.0 / ((np.abs(d / film_half) ** 8).sum(axis=1)) ** 0.125
    film = radial_mesh(film_r, 16, center=(LENGTH * 0.44, 0.0, WALL + 0.2), axes=film_half)
    return body, merge([neck, cap]), medium, patch, film


def _outward(g: Geometry) -> Geometry:
    p = g.positions.astype(np.float64)
    i = g.indices.astype(np.int64)
    vol = np.einsum("ij,ij->i", p[i[:, 0]], np.cross(p[i[:, 1]], p[i[:, 2]])).sum()
    return mesh(p, (i if vol >= 0 else i[:, [0, 2, 1]]).astype(np.uint32))


@dataclass
class CultureFlask(Model):
    """A T-flask lying flat (mm).  ``floor_z``: the inner floor cells grow on;
    ``medium_top``: the medium's surface; ``neck_tip``: the cap's end (flask frame)."""
    params: tuple = ("confluence",)
    floor_z: float = WALL
    medium_top: float = WALL + MEDIUM_DEPTH
    neck_tip: np.ndarray | None = None


def _derive_film(node):
    c = param(node, "confluence")
    return node.copy(visible=c > 0.0, material=node.material.copy(opacity=0.3 * c + 1e-3))


def culture_flask(name: str = "flask", confluence: float = 0.0, transform=None,
                  position=None) -> CultureFlask:
    """A T-75 flask (mm): ``{name}`` (body), ``{name}_cap`` (neck and cap), ``{name}_medium``,
    ``{name}_label`` (frosted patch), ``{name}_cells`` (the cell film, param ``confluence``)."""
    c = clamp01(confluence, f"{name} confluence")
    tr = transform_of(transform, position)
    body, cap, medium, patch, film = flask_geometries()

    def node(part, geo, mat, **kw):
        return MeshNode(part, geometry=geo, material=mat, transform=tr.copy(), **kw)
    film_node = node(sub(name, "cells"), film,
                     Material(color=mix_color(CELL_COLOR, "#FFFFFF", 0.3), opacity=0.3 * c + 1e-3,
                              roughness=0.6, emissive=0.1), params={"confluence": c},
                     derive=_derive_film)
    nodes = [node(name, body, Material(PLASTIC, opacity=0.2, roughness=0.1, rim=1.4,
                                       rim_color="#F4FAFF", wrap=0.3)),
             node(sub(name, "cap"), cap, Material(CAP, roughness=0.45, rim=0.4)),
             node(sub(name, "medium"), medium, Material(MEDIUM, opacity=0.7, roughness=0.15,
                                                        rim=0.5, rim_color="#FFD8CC")),
             node(sub(name, "label"), patch, Material("#F7F9FB", opacity=0.75, roughness=0.9)),
             film_node.derive(film_node)]
    m = tr.matrix()
    tip = np.array([LENGTH + 40.0, 0.0, HEIGHT * 0.6 + 12.0])
    return CultureFlask(name, nodes, center=m[:3, :3] @ [LENGTH / 2 + 20, 0, HEIGHT / 2]
                        + m[:3, 3], radius=110.0, units="mm",
                        neck_tip=m[:3, :3] @ tip + m[:3, 3])


# --- the donor tissue piece -------------------------------------------------------------------
SAMPLE = 10.0                # mm edge
LOBULE = 1.5                 # mm across (brief §1: 1–2 mm)
CUT_COLOR = mix_color("liver_maroon", "hepatocyte_rose", 0.35)


@functools.lru_cache(maxsize=4)
def _sample_geometry(seed: int):
    rng = np.random.default_rng(seed)
    half = np.array([SAMPLE / 2, SAMPLE / 2 * 0.9, SAMPLE / 2 * 0.8])
    waves = rng.normal(size=(6, 3)) * 2.0
    ph = rng.uniform(0, 2 * np.pi, 6)

    def radius(d):
        box = 1.0 / ((np.abs(d / half) ** 6).sum(axis=1)) ** (1 / 6)
        return box * (1.0 + 0.05 * np.sin(d @ waves.T + ph).sum(1) / 3)
    body = radial_mesh(radius, 24, axes=half)
    top = float(body.positions[:, 2].max())
    face_half = np.array([half[0] * 0.86, half[1] * 0.86, 0.12])

    def face_r(d):
        return 1.0 / ((np.abs(d / face_half) ** 10).sum(axis=1)) ** 0.1
    face = radial_mesh(face_r, 14, center=(0, 0, top - 0.02), axes=face_half)
    return body, face, top


def _lobule_marks(top: float, seed: int):
    """On the cut face: central veins (centres of a jittered hex grid of ~1.5 mm lobules),
    portal tracts (its corners) and the lobule borders (its edges, as thin ellipsoids)."""
    rng = np.random.default_rng(seed + 5)
    r = LOBULE / 2
    lim = np.array([SAMPLE / 2 * 0.8, SAMPLE / 2 * 0.9 * 0.8])     # inside the cut face
    centres, edges = [], []
    for i in range(-5, 6):
        for j in range(-5, 6):
            c = np.array([i * 1.5 * r, (j + 0.5 * (i % 2)) * np.sqrt(3) * r])
            centres.append(c)
            for k in range(6):
                a0, a1 = np.pi / 3 * k, np.pi / 3 * (k + 1)
                p0 = c + r * np.array([np.cos(a0), np.sin(a0)])
                p1 = c + r * np.array([np.cos(a1), np.sin(a1)])
                edges.append((p0, p1))
    e = np.array(edges)                               # E×2×2
    ph = rng.uniform(0, 2 * np.pi, 4)
    # Shared corners move together (a smooth warp of the plane): organic, not a drawing.

    def warp(p):
        return p + 0.14 * np.stack([np.sin(2.3 * p[..., 1] + ph[0]) * np.cos(1.7 * p[..., 0] + ph[1]),
                                    np.sin(2.1 * p[..., 0] + ph[2]) * np.cos(1.9 * p[..., 1] + ph[3])],
                                   -1)
    e = warp(e)
    centres = warp(np.array(centres))
    centres = centres[(np.abs(centres) < lim - 0.3).all(axis=1)]
    key = np.round(np.sort(e.reshape(-1, 4)[:, [0, 2]], axis=1), 2)
    keyy = np.round(np.sort(e.reshape(-1, 4)[:, [1, 3]], axis=1), 2)
    _, first = np.unique(np.column_stack([key, keyy]), axis=0, return_index=True)
    e = e[np.sort(first)]
    e = e[(np.abs(e) < lim).all(axis=(1, 2))]
    corners = np.unique(np.round(e.reshape(-1, 2), 2), axis=0)
    corners = corners[rng.uniform(size=len(corners)) < 0.5]   # triads at about half of them
    z = top + 0.1
    cv = np.column_stack([centres, np.full(len(centres), top + 0.03)])
    pt = np.column_stack([corners, np.full(len(corners), z)])
    mid = e.mean(axis=1)
    d = e[:, 1] - e[:, 0]
    ang = np.arctan2(d[:, 1], d[:, 0])
    half_len = np.linalg.norm(d, axis=1) / 2
    border = np.column_stack([mid, np.full(len(mid), z - 0.02)])
    q = np.column_stack([np.zeros_like(ang), np.zeros_like(ang), np.sin(ang / 2),
                         np.cos(ang / 2)])
    scale = np.column_stack([half_len, np.full(len(mid), 0.055),
                             np.full(len(mid), 0.03)])
    return cv, pt, (border, q, scale)


def _freed_cells(top: float, seed: int, freed: float, count: int = 36) -> Instances:
    rng = np.random.default_rng(seed + 9)
    start = np.column_stack([rng.uniform(-3.5, 3.5, (count, 2)), np.full(count, top)])
    out = rng.normal(size=(count, 3)) * [4.0, 4.0, 1.0] + [0.0, 0.0, 9.0]
    delay = rng.uniform(0, 0.5, count)
    u = smoothstep(0.0, 1.0, (freed - delay) / 0.5)
    pos = start + out * u[:, None]
    return Instances(pos, scale=np.full(count, 0.22) * np.maximum(u, 0.02),
                     opacity=np.minimum(1.0, u * 4))


@dataclass
class LiverSample(Model):
    """A cube of donor liver tissue (mm).  ``cut_face_z``: the cut face's height."""
    params: tuple = ("freed",)
    cut_face_z: float = SAMPLE / 2


def liver_sample(name: str = "sample", freed: float = 0.0, seed: int = 0, transform=None,
                 position=None) -> LiverSample:
    """``{name}`` (tissue), ``{name}_face`` (cut face), ``{name}_veins``, ``{name}_tracts``,
    ``{name}_borders`` (lobular pattern), ``{name}_cells`` (freed cells, tagged "enlarged"; param ``freed``)."""
    f = clamp01(freed, f"{name} freed")
    tr = transform_of(transform, position)
    body, face, top = _sample_geometry(seed)
    cv, pt, (border, border_q, border_s) = _lobule_marks(top, seed)
    cells = InstancedNode(sub(name, "cells"), shape="sphere", parent=name, tags=("enlarged",),
                          params={"freed": f}, material=Material(CELL_COLOR, roughness=0.4,
                                                                  rim=0.9, emissive=0.1),
                          derive=lambda n: n.copy(instances=_freed_cells(top, seed,
                                                                         param(n, "freed"))))
    nodes = [MeshNode(name, geometry=body, transform=tr,
                      material=Material("liver_maroon", roughness=0.35, rim=0.2,
                                        rim_color="#E8A090")),
             MeshNode(sub(name, "face"), geometry=face, parent=name,
                      material=Material(CUT_COLOR, roughness=0.7, rim=0.1)),
             InstancedNode(sub(name, "veins"), shape="sphere", parent=name,
                           instances=Instances(cv, scale=np.tile([0.2, 0.2, 0.1],
                                                                 (len(cv), 1))),
                           material=Material("#3B1412", roughness=0.5)),
             InstancedNode(sub(name, "tracts"), shape="sphere", parent=name,
                           instances=Instances(pt, scale=np.tile([0.055, 0.055, 0.04],
                                                                 (len(pt), 1))),
                           material=Material(mix_color("scar_ivory", "hepatocyte_rose", 0.35),
                                             roughness=0.6)),
             InstancedNode(sub(name, "borders"), shape="sphere", parent=name,
                           instances=Instances(border, orientation=border_q, scale=border_s),
                           material=Material(mix_color(CUT_COLOR, "scar_ivory", 0.45),
                                             roughness=0.7)),
             cells.derive(cells)]
    return LiverSample(name, nodes, center=tr.position.copy(), radius=SAMPLE, units="mm",
                       cut_face_z=top)


# --- the vial the cells are filled into (act 6's vial, reused) --------------------------------
@dataclass
class CellVial(Model):
    """``infusion``'s vial (glass, crimp cap, fluid; mm) with suspended cells.  ``cells``
    0 empty → 1 filled: the cells appear in the fluid one by one and settle."""
    params: tuple = ("cells",)
    count: int = 40


def _vial_cells(seed: int, count: int, amount: float) -> Instances:
    rng = np.random.default_rng(seed + 13)
    from .infusion import VIAL_HEIGHT, VIAL_RADIUS
    a = rng.uniform(0, 2 * np.pi, count)
    r = (VIAL_RADIUS - 3.0) * np.sqrt(rng.uniform(0, 1, count))
    rest = np.column_stack([r * np.cos(a), r * np.sin(a),
                            rng.uniform(16.0, VIAL_HEIGHT - 6.0, count)])
    order = np.argsort(rng.uniform(size=count))
    start = (order / count) * 0.7                 # each cell's turn to pour in
    u = smoothstep(0.0, 1.0, (amount - start) / 0.3)
    pos = rest + np.array([0.0, 0.0, 5.0]) * (1 - u)[:, None]     # they settle in
    return Instances(pos, scale=np.full(count, 1.0) * np.maximum(u, 0.02),
                     opacity=np.minimum(1.0, u * 3))


def cell_vial(name: str = "vial", cells: float = 1.0, seed: int = 0, count: int = 40,
              hero: bool = False, transform=None, position=None) -> CellVial:
    """The vial act 6 infuses from (``infusion.infusion_set``'s own glass, cap and fluid
    nodes, so the two shots rhyme), here on its own, neck down at the origin as it hangs in
    act 6 (its fluid is modelled for that way up).  ``hero``
    draws the cells in therapy teal (the finished product); otherwise the culture's pale
    teal.  Cells are drawn enlarged (tag "enlarged")."""
    from ..scene.transform import Transform
    from .msc import msc_material
    from .infusion import infusion_set
    amt = clamp01(cells, f"{name} cells")
    src = infusion_set(name)
    tr = transform_of(transform, position)
    parts = [src[name], src["cap"], src["fluid"]]
    nodes = [parts[0].copy(transform=tr)]
    nodes += [p.copy(transform=Transform(), parent=name) for p in parts[1:]]
    mat = msc_material(0.0) if hero else Material(CELL_COLOR, roughness=0.4, rim=0.9,
                                                        emissive=0.1)
    cells_node = InstancedNode(sub(name, "cells"), shape="sphere", parent=name,
                               tags=("enlarged",), params={"cells": amt}, material=mat,
                               derive=lambda n: n.copy(instances=_vial_cells(
                                   seed, count, param(n, "cells"))))
    nodes.append(cells_node.derive(cells_node))
    m = tr.matrix()
    return CellVial(name, nodes, center=m[:3, :3] @ [0.0, 0.0, 22.0] + m[:3, 3], radius=30.0,
                    units="mm", count=count)
