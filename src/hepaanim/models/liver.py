"""The liver as an organ (units: millimetres, 1 unit = 1 mm).

Frame (shared by ``vessels`` and ``iv_route``): x toward the patient's **left**, y toward
the back (posterior), z up (superior).  The patient faces -y, so a camera on -y looking at
+y sees them face on with their right lobe on the left of the screen, as in an anatomy
atlas.  The origin is near the middle of the organ, just above the porta hepatis.

The shape is an implicit surface (smooth unions of ellipsoids, fissures carved with smooth
subtractions) meshed by shooting rays from a centre: smooth, watertight, ~50k triangles.
Anatomy it reproduces (brief §1): a large right lobe and a smaller, thinner left lobe split at
the falciform ligament (a shallow groove on top, the umbilical notch in the inferior border,
the fissure for the ligamentum teres underneath, in one sagittal plane); on the visceral
(under) surface the quadrate lobe in front of and the caudate lobe behind the porta hepatis,
the gallbladder in its fossa on the right with its fundus just past the inferior border; the
groove for the inferior vena cava at the back.  Size ~200 mm wide, 150 mm front to back.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry
from ..scene.material import Material
from ..scene.nodes import MeshNode
from ._base import Model, sub, transform_of
from ._mesh import (capped_tube, catmull_rom_path, implicit_star_mesh, radial_mesh,
                    sd_capsule, sd_ellipsoid, smax, smin, smoothstep)

# Landmarks (mm, liver frame), used by the vessel trees and the IV route.
FALCIFORM_X = 12.0                              # sagittal plane of the falciform/umbilical fissure
PORTA = np.array([-10.0, 10.0, -40.0])          # porta hepatis (hilum): vessels enter here
IVC_XY = np.array([-14.0, 66.0])                # the IVC runs vertically in its groove, here
IVC_RADIUS = 10.0                               # ~20 mm diameter (brief)
HEPATIC_VEIN_OUTLET_Z = 48.0                    # hepatic veins join the IVC just below the top
GALLBLADDER_AXIS = (np.array([-42.0, -58.0, -33.0]),   # fundus (at the inferior border)
                    np.array([-22.0, -6.0, -52.0]))    # neck, toward the porta

GALLBLADDER_COLOR = "#5E7D4A"    # bile green, muted (not in the palette: no other use)
LIGAMENT_COLOR = "#E8D2C4"


def _segment_distance(p, a, b):
    return sd_capsule(p, a, b, 0.0)


def _dent(f, dist, depth, width):
    """Push the surface inward by ``depth`` along a smooth valley ``width`` wide: a fissure
    with sloping walls (rays from the centre meet it cleanly, unlike a slot)."""
    return f + depth * np.exp(-(dist / width) ** 2)


def under_plane(x, y):
    """Height of the visceral (under) surface: low at the back of the right lobe, rising
    to the front (a sharp anterior inferior border) and to the left (the left lobe)."""
    return -52.0 + 0.24 * (x + 45.0) - 0.42 * y


def field(p: np.ndarray) -> np.ndarray:
    """Approximate signed distance (mm) to the liver surface: negative inside."""
    p = np.asarray(p, dtype=np.float64)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    # Right lobe: the big dome.  Left lobe: a tongue, thinner toward its tip.
    right = sd_ellipsoid(p, (-46.0, 8.0, -6.0), (72.0, 76.0, 80.0))
    taper = 1.0 - 0.6 * smoothstep(0.0, 100.0, x)
    q = p.copy()
    q[..., 2] = 22.0 + (z - 22.0) / taper
    left = sd_ellipsoid(q, (34.0, -8.0, 22.0), (66.0, 54.0, 30.0)) * taper
    middle = sd_ellipsoid(p, (-6.0, 4.0, -4.0), (58.0, 64.0, 64.0))
    f = smin(smin(right, middle, 24.0), left, 30.0)
    # Visceral surface cut; its meeting with the dome is the sharp inferior border.
    f = smax(f, under_plane(x, y) - z, 7.0)
    # Quadrate (front) and caudate (back) lobes: low bulges on the visceral surface.
    quadrate = sd_ellipsoid(p, (-9.0, -30.0, under_plane(-9.0, -30.0) + 3.0), (14.0, 20.0, 7.0))
    caudate = sd_ellipsoid(p, (-1.0, 40.0, under_plane(-1.0, 40.0) + 4.0), (11.0, 16.0, 8.0))
    f = smin(smin(f, quadrate, 9.0), caudate, 9.0)
    # Back: the spine impression and the IVC groove.
    f = _dent(f, np.abs(x - 6.0), 7.0 * smoothstep(40.0, 80.0, y), 28.0)
    ivc = np.hypot(x - IVC_XY[0], y - IVC_XY[1])
    f = _dent(f, ivc, 9.0 * smoothstep(85.0, 60.0, z), 11.0)
    # Left sagittal fissure in the falciform plane: shallow on the dome (where the ligament
    # attaches), a notch in the inferior border, a deep fissure (ligamentum teres in front,
    # ligamentum venosum behind) underneath.
    below = smoothstep(under_plane(FALCIFORM_X, y) + 30.0, under_plane(FALCIFORM_X, y) + 5.0, z)
    front = smoothstep(-40.0, -75.0, y)
    depth = 2.0 + 5.0 * below + 5.0 * front * smoothstep(20.0, -20.0, z)
    f = _dent(f, np.abs(x - FALCIFORM_X), depth, 5.0 + 3.0 * below)
    # Porta hepatis: the transverse fissure where the vessels and bile duct enter.
    porta = _segment_distance(p, (-32.0, PORTA[1], PORTA[2] - 10.0),
                              (6.0, PORTA[1] + 2.0, PORTA[2] - 8.0))
    f = _dent(f, porta, 8.0, 9.0)
    # Gallbladder fossa (right sagittal fissure, front part).
    a, b = GALLBLADDER_AXIS
    f = _dent(f, _segment_distance(p, a, b), 9.0, 13.0)
    return f


CENTER = np.array([-16.0, 4.0, 4.0])
AXES = np.array([112.0, 80.0, 64.0])


@functools.lru_cache(maxsize=4)
def liver_geometry(n: int = 64) -> Geometry:
    """The organ surface: 12·n² triangles (n=64: 49,152), closed, smooth normals."""
    return implicit_star_mesh(field, n, CENTER, AXES, reach=150.0, steps=32)


@functools.lru_cache(maxsize=4)
def gallbladder_geometry(n: int = 14) -> Geometry:
    """A pear-shaped sac along GALLBLADDER_AXIS: round fundus, tapering neck (~80×30 mm)."""
    a, b = GALLBLADDER_AXIS
    axis = b - a
    length = np.linalg.norm(axis)
    w = axis / length
    mid = a + axis * 0.5

    def radius(d):
        c = d @ w                               # -1 at the fundus end, +1 at the neck
        ax = length * 0.5
        # Ellipsoid of revolution whose cross-section narrows toward the neck.
        wide = 14.0 * (1.0 - 0.5 * smoothstep(-0.3, 1.0, c))
        sin2 = np.maximum(1 - c * c, 0.0)
        return 1.0 / np.sqrt((c / ax) ** 2 + sin2 / wide ** 2)
    return radial_mesh(radius, n, center=mid)


@functools.lru_cache(maxsize=2)
def falciform_geometry() -> Geometry:
    """The falciform ligament's line of attachment: a thin pale band in the groove from the
    umbilical notch over the front of the dome (where the ligament rises to the diaphragm)."""
    pts = []
    for z in np.linspace(-12.0, 62.0, 10):
        ys = np.linspace(-110.0, 40.0, 301)
        q = np.stack([np.full_like(ys, FALCIFORM_X), ys, np.full_like(ys, z)], -1)
        inside = np.nonzero(field(q) < 0)[0]
        if len(inside):
            pts.append(q[inside[0]] + np.array([0.0, 0.6, 0.0]))
    path = catmull_rom_path(np.array(pts), 6)
    return capped_tube(path, 1.6, sides=10)


def liver_material(translucent: bool = False) -> Material:
    """Liver Maroon, glossy (wet capsule).  ``translucent=True``: a see-through shell that
    keeps a Fresnel rim so the outline reads while the vessels inside show."""
    if translucent:
        return Material(color=rgb("liver_maroon"), opacity=0.28, roughness=0.35, rim=0.8,
                        rim_color=rgb("#F2B8A8"), wrap=0.4)
    return Material(color=rgb("liver_maroon"), opacity=1.0, roughness=0.32, rim=0.25,
                    rim_color=rgb("#F2B8A8"), wrap=0.35)



@dataclass
class Liver(Model):
    """The liver with its shape for other models (liver frame, mm)."""
    field: Callable = None
    porta: np.ndarray = None
    ivc_xy: np.ndarray = None
    material_opaque: Material = None
    material_translucent: Material = None

def liver(name: str = "liver", translucent: bool = False, transform=None,
          resolution: int = 64) -> Model:
    """The whole organ (mm).  Nodes: ``{name}`` (surface), ``{name}_gallbladder``,
    ``{name}_falciform``.  ``translucent`` picks the see-through material (animate
    ``{name}.material.opacity`` for a fade instead).  ``Liver``: ``field`` (signed distance
    function, liver frame), ``porta``, ``ivc_xy``, ``material_opaque``/``material_translucent``.
    """
    tr = transform_of(transform)
    mat = liver_material(translucent)
    gb_mat = Material(color=rgb(GALLBLADDER_COLOR), opacity=0.85 if translucent else 1.0,
                      roughness=0.3, rim=0.3)
    lig_mat = Material(color=rgb(LIGAMENT_COLOR), opacity=0.5 if translucent else 1.0,
                       roughness=0.6)
    geo = liver_geometry(resolution)
    nodes = [MeshNode(name, geometry=geo, material=mat, transform=tr),
             MeshNode(sub(name, "gallbladder"), geometry=gallbladder_geometry(), material=gb_mat,
                      transform=tr.copy()),
             MeshNode(sub(name, "falciform"), geometry=falciform_geometry(), material=lig_mat,
                      transform=tr.copy())]
    c, r = geo.bounding_sphere()
    m = tr.matrix()
    return Liver(name, nodes, center=m[:3, :3] @ c + m[:3, 3], radius=r * float(tr.scale.max()),
                 units="mm",
                 field=field,
                 porta=PORTA,
                 ivc_xy=IVC_XY,
                 material_opaque=liver_material(False),
                 material_translucent=liver_material(True))
