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
PORTA = np.array([-12.0, 10.0, -50.0])          # porta hepatis (hilum): vessels enter here
IVC_XY = np.array([-14.0, 64.0])                # the IVC runs vertically in its groove, here
IVC_RADIUS = 10.0                               # ~20 mm diameter (brief)
HEPATIC_VEIN_OUTLET_Z = 52.0                    # hepatic veins join the IVC just below the top
GALLBLADDER_AXIS = (np.array([-50.0, -78.0, -60.0]),   # fundus (past the inferior border)
                    np.array([-24.0, -4.0, -52.0]))    # neck, toward the porta

GALLBLADDER_COLOR = "#5E7D4A"    # bile green, muted (not in the palette: no other use)
LIGAMENT_COLOR = "#E6C9B8"


def field(p: np.ndarray) -> np.ndarray:
    """Approximate signed distance (mm) to the liver surface: negative inside."""
    p = np.asarray(p, dtype=np.float64)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    # Right lobe: the big dome.  Left lobe: thinner toward its tip (taper the z axis).
    right = sd_ellipsoid(p, (-48.0, 6.0, 4.0), (70.0, 76.0, 68.0))
    taper = 1.0 - 0.55 * smoothstep(0.0, 95.0, x)
    q = p.copy()
    q[..., 2] = 24.0 + (z - 24.0) / taper
    left = sd_ellipsoid(q, (32.0, -6.0, 24.0), (66.0, 56.0, 32.0)) * taper
    middle = sd_ellipsoid(p, (-8.0, 4.0, 12.0), (56.0, 66.0, 50.0))
    f = smin(smin(right, middle, 24.0), left, 30.0)
    # Visceral surface: flatter underneath, sloping up to the left; a sharp-ish anterior
    # inferior border where it meets the diaphragmatic dome.
    under = (-56.0 + 0.20 * (x + 40.0) - 0.06 * y) - z
    f = smax(f, under, 10.0)
    # Posterior: spine impression and the IVC groove (the IVC half-buried in it).
    spine = -(np.hypot(x - 8.0, y - 118.0) - 52.0)
    f = smax(f, spine, 12.0)
    ivc = -(np.hypot(x - IVC_XY[0], y - IVC_XY[1]) - (IVC_RADIUS + 1.0))
    f = smax(f, np.where(z < 75, ivc, -1e3), 4.0)
    # Caudate lobe (behind the porta, left of the IVC) and quadrate lobe (in front of it,
    # between the gallbladder and the umbilical fissure): bulges on the visceral surface.
    caudate = sd_ellipsoid(p, (-4.0, 42.0, -36.0), (16.0, 20.0, 24.0))
    quadrate = sd_ellipsoid(p, (-10.0, -32.0, -40.0), (18.0, 26.0, 14.0))
    f = smin(f, caudate, 10.0)
    f = smin(f, quadrate, 10.0)
    # Porta hepatis: the transverse fissure between them, where vessels enter.
    porta = sd_capsule(p, (-36.0, 10.0, -58.0), (8.0, 12.0, -56.0), 10.0)
    f = smax(f, -porta, 6.0)
    # Falciform plane: a groove all round at x = FALCIFORM_X, shallow on the dome (where the
    # ligament attaches), deep underneath (fissure for the ligamentum teres) and at the
    # inferior border (the umbilical notch).
    depth = 2.5 + 16.0 * smoothstep(-10.0, -45.0, z) + 10.0 * smoothstep(-30.0, -70.0, y) \
        * smoothstep(10.0, -30.0, z)
    width = 2.2 + 2.0 * smoothstep(-10.0, -45.0, z)
    groove = np.maximum(np.abs(x - FALCIFORM_X - 0.05 * (z + 40)) - width, -(f + depth))
    f = smax(f, -groove, 2.0)
    # Gallbladder fossa.
    a, b = GALLBLADDER_AXIS
    fossa = sd_capsule(p, a + (b - a) * 0.08, b, 14.0)
    f = smax(f, -fossa, 5.0)
    return f


CENTER = np.array([-14.0, 4.0, -2.0])
AXES = np.array([112.0, 82.0, 62.0])


@functools.lru_cache(maxsize=4)
def liver_geometry(n: int = 62) -> Geometry:
    """The organ surface: 12·n² triangles (n=62: 46,128), closed, smooth normals."""
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
        wide = 15.5 * (1.0 - 0.45 * smoothstep(-0.2, 1.0, c))
        sin2 = np.maximum(1 - c * c, 0.0)
        return 1.0 / np.sqrt((c / ax) ** 2 + sin2 / wide ** 2)
    return radial_mesh(radius, n, center=mid)


@functools.lru_cache(maxsize=2)
def falciform_geometry() -> Geometry:
    """The falciform ligament's free edge: a thin band on the groove from the dome to the
    umbilical notch (the ligamentum teres continues it toward the navel)."""
    pts = []
    for z in np.linspace(60.0, -45.0, 8):
        # Find the anterior surface point at x = FALCIFORM_X, height z.
        ys = np.linspace(-100.0, 40.0, 281)
        q = np.stack([np.full_like(ys, FALCIFORM_X + 0.05 * (z + 40)), ys, np.full_like(ys, z)], -1)
        inside = np.nonzero(field(q) < 0)[0]
        if len(inside):
            pts.append(q[inside[0]] + np.array([0.0, -1.5, 0.0]))
    # Over the top toward the back (the ligament rises to the diaphragm).
    path = catmull_rom_path(np.array(pts[::-1]), 6)
    ext = np.array([pts[-1] + np.array([0.0, -14.0, -18.0]), pts[-1] + np.array([0.0, -22.0, -40.0])])
    path = catmull_rom_path(np.concatenate([np.array(pts[::-1]), ext]), 6)
    return capped_tube(path, 2.2, sides=10)


def liver_material(translucent: bool = False) -> Material:
    """Liver Maroon, glossy (wet capsule).  ``translucent=True``: a see-through shell that
    keeps a Fresnel rim so the outline reads while the vessels inside show."""
    if translucent:
        return Material(color=rgb("liver_maroon"), opacity=0.28, roughness=0.35, rim=0.8,
                        rim_color=rgb("#F2B8A8"), wrap=0.4)
    return Material(color=rgb("liver_maroon"), opacity=1.0, roughness=0.32, rim=0.25,
                    rim_color=rgb("#F2B8A8"), wrap=0.35)


def liver(name: str = "liver", translucent: bool = False, transform=None,
          resolution: int = 62) -> Model:
    """The whole organ (mm).  Nodes: ``{name}`` (surface), ``{name}_gallbladder``,
    ``{name}_falciform``.  ``translucent`` picks the see-through material (animate
    ``{name}.material.opacity`` for a fade instead).  ``data``: ``field`` (signed distance
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
    return Model(name, nodes, center=m[:3, :3] @ c + m[:3, 3], radius=r * float(tr.scale.max()),
                 units="mm",
                 data={"field": field, "porta": PORTA, "ivc_xy": IVC_XY,
                       "material_opaque": liver_material(False),
                       "material_translucent": liver_material(True)})
