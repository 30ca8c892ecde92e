"""The intravenous route of infused therapy cells through the body (units: millimetres).

Body frame = the liver's frame turned into the whole patient: x toward the patient's left,
y posterior, z up; the origin is at the middle of the torso at the level of the lower ribs.
The patient faces -y.  The liver sits at ``LIVER_POSITION`` (its own frame otherwise
unchanged), so ``liver()`` and ``vasculature()`` placed with ``liver_transform()`` line up
with the route.

Route (brief §3): IV cannula in the left antecubital fossa → arm veins → subclavian and
brachiocephalic veins → superior vena cava → right atrium and ventricle → pulmonary artery
→ **lung capillaries** (waypoint ``lungs``, where most cells lodge) → pulmonary vein → left
atrium and ventricle → aorta → coeliac trunk → common and proper hepatic artery → a branch
of the hepatic artery inside the liver → the sinusoids (s = 1).  No "homing": it is simply
the circulation, and ``pause_points`` gives places in the lung capillary bed where cells can
stop.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry, merge
from ..scene.material import Material
from ..scene.nodes import MeshNode
from ..scene.transform import Transform
from . import vessels as _vessels
from ._base import Model, sub, transform_of
from ._mesh import (capped_tube, catmull_rom_path, implicit_star_mesh, radial_mesh,
                    sd_capsule, sd_ellipsoid, smax, smin, smoothstep)
from .liver import liver
from .path import Path, join

LIVER_POSITION = np.array([-25.0, -5.0, -25.0])   # liver frame origin in the body frame
HEART_CENTER = np.array([12.0, -22.0, 100.0])
LUNG_CENTERS = {"right": np.array([-92.0, 12.0, 160.0]), "left": np.array([92.0, 12.0, 160.0])}
CAPILLARY_CENTER = np.array([112.0, 4.0, 150.0])   # the capillary bed the route crosses
CAPILLARY_RADIUS = 24.0

SKIN = "#BFD3EA"          # cool translucent silhouette (not a palette colour: it is a frame)
LUNG = "#E49A9C"
HEART = "#A3372F"
CAPILLARY = "#8A4A93"     # where venous blue turns arterial red
CANNULA = "#E6ECF2"


def liver_transform() -> Transform:
    """Where the liver (and its vessels) sit in the body frame."""
    return Transform(position=LIVER_POSITION)


# --- body silhouette ------------------------------------------------------------------------
def _torso_field(p):
    chest = sd_ellipsoid(p, (0.0, 0.0, 120.0), (158.0, 108.0, 160.0))
    belly = sd_ellipsoid(p, (0.0, -4.0, -140.0), (148.0, 104.0, 190.0))
    pelvis = sd_ellipsoid(p, (0.0, 6.0, -360.0), (162.0, 100.0, 105.0))
    shoulders = sd_capsule(p, (-150.0, 6.0, 214.0), (150.0, 6.0, 214.0), 62.0)
    neck = sd_capsule(p, (0.0, 10.0, 240.0), (0.0, 14.0, 360.0), 50.0)
    head = sd_ellipsoid(p, (0.0, 0.0, 455.0), (78.0, 96.0, 112.0))
    f = smin(smin(chest, belly, 60.0), pelvis, 60.0)
    f = smin(f, shoulders, 70.0)
    f = smin(f, neck, 30.0)
    f = smin(f, head, 28.0)
    return smax(f, -420.0 - p[..., 2], 20.0)       # cut flat below the hips


ARM = {  # left arm control points (x > 0); the right arm mirrors it
    "path": np.array([[110.0, 6.0, 214.0], [160.0, 6.0, 214.0], [200.0, 4.0, 120.0],
                      [224.0, 0.0, -42.0], [236.0, -12.0, -170.0], [244.0, -24.0, -282.0],
                      [246.0, -30.0, -320.0]]),
    # Tiny radii at both ends: the caps hide inside the torso and the hand (no flat discs
    # showing through the translucent skin).
    "radius": np.array([8.0, 56.0, 45.0, 37.0, 36.0, 26.0, 6.0]),
}
IV_SITE = np.array([214.0, -34.0, -44.0])         # left antecubital fossa, on the skin


@functools.lru_cache(maxsize=2)
def body_geometry() -> Geometry:
    """Torso with neck and head, and both arms (closed parts, ~27k triangles)."""
    torso = implicit_star_mesh(_torso_field, 36, (0.0, 4.0, 0.0), (200.0, 120.0, 420.0),
                               reach=620.0, steps=48, window=24.0)
    parts = [torso]
    for sign in (1.0, -1.0):
        ctrl = ARM["path"] * np.array([sign, 1.0, 1.0])
        path = catmull_rom_path(ctrl, 10)
        s = np.linspace(0, 1, len(path))
        ks = np.linspace(0, 1, len(ARM["radius"]))
        ks[1], ks[-2] = 0.08, 0.92
        rad = np.interp(s, ks, ARM["radius"])
        parts.append(capped_tube(path, rad, sides=28))
        hand_c = ctrl[-2] + np.array([2.0 * sign, -8.0, -66.0])
        parts.append(radial_mesh(lambda d: 1.0 / np.sqrt((d[:, 0] / 22.0) ** 2
                                                         + (d[:, 1] / 40.0) ** 2
                                                         + (d[:, 2] / 74.0) ** 2),
                                 10, center=hand_c, axes=(22.0, 40.0, 74.0)))
    return merge(parts)


def front_shell(geometry: Geometry, facing=(0.0, -1.0, 0.0), margin: float = 0.3) -> Geometry:
    """Only the triangles of a closed translucent shell that can face a camera on the side
    ``facing`` (within ~70°).  A translucent closed mesh is drawn as two layers (back faces,
    then front faces); for shots that all look from one side the far layer is the cost of a
    second full-screen blend for almost no visible difference.  Mind concave shapes (lungs,
    heart): their cut edges show; it suits a nearly convex shell such as the skin."""
    p = geometry.positions.astype(np.float64)
    i = geometry.indices.astype(np.int64)
    n = np.cross(p[i[:, 1]] - p[i[:, 0]], p[i[:, 2]] - p[i[:, 0]])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    keep = n @ np.asarray(facing, float) > -margin
    return Geometry(geometry.positions, geometry.normals, geometry.indices[keep], geometry.param)


# --- heart and lungs ------------------------------------------------------------------------
def _heart_field(p):
    q = p - HEART_CENTER
    # Long axis from the base (up, right, back) to the apex (down, left, front).
    axis = np.array([0.55, -0.45, -0.70])
    axis /= np.linalg.norm(axis)
    along = q @ axis
    radial = np.linalg.norm(q - along[..., None] * axis, axis=-1)
    # Ventricles: a rounded cone, widest near the base and tapering to the apex.
    width = 42.0 * (1.0 - 0.55 * smoothstep(-20.0, 64.0, along))
    ventricles = np.maximum(radial - width, np.abs(along - 8.0) - 56.0)
    ventricles = smin(ventricles, sd_ellipsoid(q, axis * 36.0, (27.0, 27.0, 27.0)), 22.0)
    atria = sd_ellipsoid(q, (-20.0, 18.0, 34.0), (40.0, 28.0, 26.0))
    return smin(ventricles, atria, 22.0)


@functools.lru_cache(maxsize=2)
def heart_geometry() -> Geometry:
    return implicit_star_mesh(_heart_field, 20, HEART_CENTER + np.array([0.0, 0.0, 5.0]),
                              (70.0, 60.0, 70.0), reach=140.0, window=12.0)


def _lung_field(side: str):
    c = LUNG_CENTERS[side]
    sgn = -1.0 if side == "right" else 1.0

    def f(p):
        x, z = p[..., 0], p[..., 2]
        v = sd_ellipsoid(p, c, (70.0, 82.0, 128.0))
        v = smax(v, (sgn * 30.0 - x) * sgn, 14.0)          # flat medial side
        # Concave base resting on the diaphragm's dome.
        dome = np.linalg.norm(p - np.array([c[0] * 0.6, c[1], c[2] - 250.0]), axis=-1) - 160.0
        v = smax(v, -dome, 20.0)
        apex_taper = (z - c[2]) - 118.0 + 0.5 * np.abs(x - c[0])
        v = smax(v, apex_taper, 30.0)
        if side == "left":                          # cardiac notch
            v = smax(v, -(np.linalg.norm(p - (HEART_CENTER + np.array([12.0, -20.0, 0.0])),
                                         axis=-1) - 62.0), 16.0)
        return v
    return f


@functools.lru_cache(maxsize=4)
def lung_geometry(side: str) -> Geometry:
    c = LUNG_CENTERS[side]
    return implicit_star_mesh(_lung_field(side), 22, c + np.array([0.0, 0.0, 0.0]),
                              (70.0, 80.0, 120.0), reach=220.0, window=14.0)


@functools.lru_cache(maxsize=4)
def _capillary_bed(seed: int):
    """Fine winding tubes round CAPILLARY_CENTER (drawn ~100× their 5–8 µm size)."""
    rng = np.random.default_rng(seed)
    paths = []
    for _ in range(26):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        start = CAPILLARY_CENTER - d * CAPILLARY_RADIUS * rng.uniform(0.6, 1.0)
        end = CAPILLARY_CENTER + (d + rng.normal(scale=0.6, size=3)) * CAPILLARY_RADIUS * 0.8
        mid = (start + end) / 2 + rng.normal(scale=6.0, size=3)
        paths.append(catmull_rom_path(np.array([start, mid, end]), 8))
    geo = merge([capped_tube(p, 0.9, sides=8) for p in paths])
    return paths, geo


# --- the route ------------------------------------------------------------------------------
def _route_parts(artery_path: np.ndarray):
    L = LIVER_POSITION
    entry = _vessels.ARTERY_ENTRY + L
    coeliac = np.array([22.0, 46.0, entry[2] + 12.0])
    cr = catmull_rom_path
    return [
        ("iv_site", cr(np.array([IV_SITE, IV_SITE + [-2.0, 10.0, 0.0]]), 2)),
        ("arm_vein", cr(np.array([IV_SITE + [-2.0, 10.0, 0.0], [210.0, -20.0, 40.0],
                                  [192.0, -12.0, 130.0], [160.0, -2.0, 190.0]]), 10)),
        ("vena_cava", cr(np.array([[160.0, -2.0, 190.0], [100.0, -8.0, 226.0],
                                   [38.0, -12.0, 214.0], [-22.0, -8.0, 196.0],
                                   [-26.0, -8.0, 158.0]]), 10)),
        ("right_heart", cr(np.array([[-26.0, -8.0, 158.0], [-30.0, -14.0, 128.0],
                                     [-6.0, -46.0, 96.0], [10.0, -44.0, 142.0]]), 8)),
        ("pulmonary_artery", cr(np.array([[10.0, -44.0, 142.0], [24.0, -30.0, 172.0],
                                          [60.0, -8.0, 176.0], [92.0, 0.0, 160.0]]), 8)),
        ("lungs", cr(np.array([[92.0, 0.0, 160.0], CAPILLARY_CENTER + [-6.0, -4.0, 4.0],
                               CAPILLARY_CENTER + [8.0, 6.0, -6.0], [84.0, 22.0, 138.0]]), 8)),
        ("pulmonary_vein", cr(np.array([[84.0, 22.0, 138.0], [56.0, 30.0, 132.0],
                                        [30.0, 26.0, 126.0]]), 8)),
        ("left_heart", cr(np.array([[30.0, 26.0, 126.0], [40.0, -10.0, 82.0],
                                    [8.0, -12.0, 132.0]]), 8)),
        ("aorta", cr(np.array([[8.0, -12.0, 132.0], [0.0, -14.0, 188.0], [10.0, 12.0, 218.0],
                               [28.0, 38.0, 196.0], [28.0, 46.0, 120.0], [24.0, 48.0, 20.0],
                               coeliac]), 10)),
        ("coeliac_trunk", cr(np.array([coeliac, coeliac + [-2.0, -22.0, -4.0]]), 6)),
        ("hepatic_artery", cr(np.array([coeliac + [-2.0, -22.0, -4.0],
                                        (coeliac + [-2.0, -22.0, -4.0] + entry) / 2
                                        + [0.0, -4.0, -2.0], entry]), 8)),
        ("liver", artery_path),
    ]


VESSEL_STYLE = {   # drawn segments: (colour, radius at start, radius at end)
    "arm_vein": ("venous_indigo", 2.5, 4.5),
    "vena_cava": ("venous_indigo", 5.0, 10.0),
    "pulmonary_artery": ("venous_indigo", 12.0, 7.0),
    "pulmonary_vein": ("arterial_red", 6.0, 7.0),
    "aorta": ("arterial_red", 13.0, 10.0),
    "coeliac_trunk": ("arterial_red", 4.0, 3.5),
    "hepatic_artery": ("arterial_red", 3.0, 2.0),
}


@functools.lru_cache(maxsize=4)
def route_path(seed: int = 0) -> Path:
    """The whole route as a Path (body frame, mm) with a waypoint per stage."""
    tree = _vessels.artery_tree(seed).transformed(liver_transform().matrix())
    # The longest root-to-leaf run into the right lobe ends where cells enter sinusoids.
    leaves = tree.leaves
    right = [k for k in leaves if tree.branches[k].centerline[-1, 0] < LIVER_POSITION[0] - 30]
    pick = max(right or leaves, key=lambda k: len(tree.chain(k)))
    path = join(_route_parts(tree.path_to(pick)))
    path.waypoints["sinusoids"] = 1.0
    return path


@functools.lru_cache(maxsize=4)
def _route_geometries(seed: int):
    path = route_path(seed)
    names = list(path.waypoints)
    veins, arteries = [], []
    for k, name in enumerate(names):
        if name not in VESSEL_STYLE:
            continue
        nxt = names[k + 1]
        seg = path.segment(name, nxt)
        color, r0, r1 = VESSEL_STYLE[name]
        rad = np.linspace(r0, r1, len(seg))
        g = capped_tube(seg, rad, sides=16 if r0 > 4 else 10)
        (veins if color == "venous_indigo" else arteries).append(g)
    # The aorta continues below the coeliac trunk (not part of the route).
    c = path.at("coeliac_trunk")
    arteries.append(capped_tube(np.array([c, c + [1.0, 2.0, -160.0], c + [0.0, 4.0, -320.0]]),
                                10.0, sides=16))
    cannula = capped_tube(np.array([IV_SITE + [-1.0, 8.0, 1.0], IV_SITE + [2.0, -14.0, 10.0],
                                    IV_SITE + [10.0, -60.0, 60.0]]), 1.6, sides=10)
    return merge(veins), merge(arteries), cannula



@dataclass
class IVRoute(Model):
    """The body with the IV route (world frame, mm)."""
    path: Path = None
    waypoints: dict = None
    seed: int = None
    pause_points: Callable = None
    liver_transform: Transform = None
    capillary_center: np.ndarray = None

def iv_route(name: str = "iv", seed: int = 0, with_liver: bool = True, transform=None,
             skin: str = "full") -> IVRoute:
    """Translucent body with the IV route (mm, body frame; ``transform`` moves it all).

    Nodes: ``{name}`` (body silhouette, translucent), ``{name}_heart``, ``{name}_lung_right``,
    ``{name}_lung_left`` (translucent), ``{name}_capillaries`` (lung capillary bed, tagged
    "enlarged"), ``{name}_veins``, ``{name}_arteries`` (the route's vessels),
    ``{name}_cannula``; with ``with_liver`` also the liver (translucent) and its vessels as
    ``{name}_liver*`` and ``{name}_vessels_*``.
    ``skin="front"`` keeps only the skin's near layer (``front_shell``): for shots that all
    look from the front, the far layer is a second blend over most of the frame, for little.
    Attributes (``IVRoute``): ``path`` (Path, world frame: ``path.point(s)``,
    ``path.at("lungs")``),
    ``waypoints`` (name → s), ``pause_points(count, seed)`` (places in the lung capillary
    bed where cells lodge), ``liver_transform`` (Transform placing liver models in the body).
    """
    if skin not in ("full", "front"):
        raise ValueError(f"iv_route skin={skin!r}: choose full or front")
    tr = transform_of(transform)
    m = tr.matrix()
    veins, arteries, cannula = _route_geometries(seed)
    skin_geo = body_geometry() if skin == "full" else front_shell(body_geometry())
    beds, bed_geo = _capillary_bed(seed)

    def node(part, geo, mat, tags=()):
        return MeshNode(part, geometry=geo, material=mat, transform=tr.copy(), tags=tags)
    vessel = dict(roughness=0.3, rim=0.35, rim_color=rgb("#FFE2D6"), wrap=0.4)
    nodes = [
        node(name, skin_geo, Material(color=rgb(SKIN), opacity=0.13, roughness=0.6,
                                              rim=1.1, rim_color=rgb("#DCEBFF"), wrap=0.5)),
        node(sub(name, "heart"), heart_geometry(),
             Material(color=rgb(HEART), opacity=0.55, roughness=0.35, rim=0.6)),
        node(sub(name, "lung_right"), lung_geometry("right"),
             Material(color=rgb(LUNG), opacity=0.3, roughness=0.7, rim=0.7)),
        node(sub(name, "lung_left"), lung_geometry("left"),
             Material(color=rgb(LUNG), opacity=0.3, roughness=0.7, rim=0.7)),
        node(sub(name, "capillaries"), bed_geo, Material(color=rgb(CAPILLARY), **vessel),
             tags=("enlarged",)),
        node(sub(name, "veins"), veins, Material(color=rgb("venous_indigo"), **vessel)),
        node(sub(name, "arteries"), arteries, Material(color=rgb("arterial_red"), **vessel)),
        node(sub(name, "cannula"), cannula, Material(color=rgb(CANNULA), roughness=0.2,
                                                     rim=0.5)),
    ]
    lt = Transform(position=m[:3, :3] @ LIVER_POSITION + m[:3, 3], rotation=tr.rotation,
                   scale=tr.scale)
    if with_liver:
        from .vessels import vasculature
        nodes += liver(sub(name, "liver"), translucent=True, transform=lt).nodes
        nodes += vasculature(sub(name, "vessels"), seed=seed, transform=lt).nodes
    path = route_path(seed).transformed(m)
    beds_w = [p @ m[:3, :3].T + m[:3, 3] for p in beds]

    def pause_points(count: int, seed: int = 0) -> np.ndarray:
        """``count`` points along the lung capillaries (world frame) where cells lodge."""
        rng = np.random.default_rng(seed)
        pick = rng.integers(0, len(beds_w), count)
        s = rng.uniform(0.15, 0.85, count)
        return np.array([Path(beds_w[k]).point(u) for k, u in zip(pick, s)]).reshape(-1, 3)

    c, r = body_geometry().bounding_sphere()
    return IVRoute(name, nodes, center=m[:3, :3] @ c + m[:3, 3], radius=r * float(tr.scale.max()),
                 units="mm",
                 path=path,
                   waypoints=dict(path.waypoints),
                   seed=seed,
                   pause_points=pause_points,
                   liver_transform=lt,
                   capillary_center=m[:3, :3] @ CAPILLARY_CENTER + m[:3, 3])
