"""The infusion and the cells' journey for the IV-route shot (units: millimetres, body frame).

* ``infusion_set``: a glass vial of cell suspension, upside down, a clear line and the arm
  cannula of ``iv_route`` (brief §3: the use is IV, so an **arm IV line**).
* ``route_cohort``: therapy cells (``msc_swarm``'s teal impostors, drawn enlarged) carried
  along the route in closed form (a frame is a pure function of t).  Every cell is first **held in the lung
  capillaries** (brief §3, lung trapping); later a minority ``continuing`` moves on with the
  blood, through the left heart, aorta and hepatic artery, each into a different arterial
  branch of the liver.  Nothing steers them ("no homing-missile imagery"): they follow the
  circulation at blood pace, and most stay where they lodged.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import merge, surface_of_revolution
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ..scene.transform import Transform
from . import vessels as _vessels
from ._base import Model, sub
from ._mesh import capped_tube, catmull_rom_path, smoothstep
from .msc import msc_material
from .iv_route import IV_SITE, liver_transform
from .path import Path

VIAL_NECK = np.array([292.0, -138.0, 62.0])     # where the line leaves the stopper
VIAL_RADIUS, VIAL_HEIGHT = 11.0, 36.0


def _vial_geometries():
    """Upside-down vial (neck at the bottom): glass, rubber stopper + crimp, fluid."""
    r, h = VIAL_RADIUS, VIAL_HEIGHT
    # Profile from the base (top, upside down) to the neck (bottom); z up from the neck.
    prof_r = np.array([0.0, r - 1.5, r, r, r - 1.0, 6.0, 5.5, 5.5, 0.0])
    prof_z = np.array([h + 8.0, h + 8.0, h + 6.5, 14.0, 11.0, 8.0, 6.0, 2.0, 2.0])
    glass = surface_of_revolution(prof_r, prof_z, cols=40)
    crimp = surface_of_revolution(np.array([0.0, 6.6, 7.0, 7.0, 6.6, 0.0]),
                                  np.array([9.0, 9.0, 8.0, 1.0, 0.0, 0.0]), cols=32)
    fl_r = np.array([0.0, r - 2.0, r - 1.0, r - 1.0, 5.0, 4.5, 0.0])
    fl_z = np.array([h - 4.0, h - 4.0, h - 5.0, 14.0, 8.5, 6.5, 6.5])
    fluid = surface_of_revolution(fl_r, fl_z, cols=40)
    return glass, crimp, fluid


CATHETER = np.array([-6.0, 20.0, 30.0]) / np.linalg.norm([-6.0, 20.0, 30.0])  # into the vein


def _line_points() -> np.ndarray:
    """Vial neck → clear line → cannula hub (on the skin below the elbow crease) → catheter
    tip inside the arm vein, pointing up the arm toward the heart."""
    hub = IV_SITE - CATHETER * 16.0
    line = catmull_rom_path(np.array([VIAL_NECK, VIAL_NECK + [-3.0, 4.0, -40.0],
                                      [262.0, -100.0, -66.0], [238.0, -72.0, -90.0],
                                      hub - CATHETER * 16.0, hub - CATHETER * 6.0, hub]), 10)
    return np.concatenate([line, [IV_SITE + CATHETER * 2.0, IV_SITE + [-2.0, 10.0, 0.0]]])



@dataclass
class InfusionSet(Model):
    """The vial, line and cannula (body frame, mm)."""
    line: np.ndarray = None
    vial_center: np.ndarray = None
    hub: np.ndarray = None

def infusion_set(name: str = "infusion") -> Model:
    """Vial (``{name}``, glass), ``{name}_cap``, ``{name}_fluid``, ``{name}_line`` and
    ``{name}_cannula`` (body frame, mm; use instead of ``iv_route``'s plain cannula).
    ``.line``: polyline from the vial's neck to the catheter tip in the vein."""
    glass, crimp, fluid = _vial_geometries()
    at = Transform(position=VIAL_NECK)
    line = _line_points()
    hub = IV_SITE - CATHETER * 16.0
    tube = capped_tube(line[:-3], 2.5, sides=12)
    cannula = merge([capped_tube(np.array([hub - CATHETER * 12.0, hub, hub + CATHETER * 1.0]),
                                 np.array([2.0, 3.2, 3.2]), sides=16),
                     capped_tube(np.array([hub, IV_SITE, IV_SITE + CATHETER * 14.0]), 0.9,
                                 sides=10)])
    nodes = [
        MeshNode(name, geometry=glass, transform=at,
                 material=Material("#DCEBFF", opacity=0.22, roughness=0.08, rim=1.4,
                                   rim_color="#F4FAFF", wrap=0.3, shading="vertex")),
        MeshNode(sub(name, "cap"), geometry=crimp, transform=at.copy(),
                 material=Material("#9AA7B8", roughness=0.3, rim=0.4)),
        MeshNode(sub(name, "fluid"), geometry=fluid, transform=at.copy(),
                 material=Material("#CFE3F2", opacity=0.2, roughness=0.2, rim=0.6,
                                   shading="vertex")),
        MeshNode(sub(name, "line"), geometry=tube,
                 material=Material("#E8F1FA", opacity=0.3, roughness=0.15, rim=1.2,
                                   rim_color="#FFFFFF", shading="vertex")),
        MeshNode(sub(name, "cannula"), geometry=cannula,
                 material=Material("#E6ECF2", opacity=0.85, roughness=0.2, rim=0.6)),
    ]
    return InfusionSet(name, nodes, center=VIAL_NECK.copy(), radius=60.0, units="mm",
                 line=line,
                       vial_center=VIAL_NECK + [0.0, 0.0, 22.0],
                       hub=hub)


# --- the right lung ----------------------------------------------------------------------
BRANCH_S = 0.4049      # where the right pulmonary artery leaves the route's pulmonary trunk


def _mirror(g):
    """The left lung's capillary bed mirrored into the right lung."""
    from ..scene.geometry import Geometry
    flip = np.array([-1.0, 1.0, 1.0])
    return Geometry(g.positions * flip, g.normals * flip, g.indices[:, [0, 2, 1]], g.param)


def right_lung(route: Model, name: str = "iv") -> tuple[list, np.ndarray, np.ndarray]:
    """Nodes for the right pulmonary artery and the right lung's capillary bed (the route
    itself draws the left), the branch's polyline and its bed centre (body frame, mm)."""
    from .iv_route import CAPILLARY, _capillary_bed
    rp: Path = route.path
    c = route.capillary_center * [-1.0, 1.0, 1.0]
    root = rp.point(BRANCH_S)
    branch = catmull_rom_path(np.array([root, [0.0, -18.0, 184.0], [-50.0, -6.0, 176.0],
                                        [-92.0, 0.0, 160.0], c + [6.0, -4.0, 4.0]]), 8)
    tube = capped_tube(branch[:-7], np.linspace(7.0, 5.0, len(branch) - 7), sides=14)
    vessel = dict(roughness=0.3, rim=0.35, rim_color=rgb("#FFE2D6"), wrap=0.4)
    _, bed = _capillary_bed(route.seed)
    nodes = [MeshNode(sub(name, "pa_right"), geometry=tube,
                      material=Material(rgb("venous_indigo"), **vessel)),
             MeshNode(sub(name, "capillaries_right"), geometry=_mirror(bed), tags=("enlarged",),
                      material=Material(rgb(CAPILLARY), **vessel))]
    return nodes, branch, c


# --- the cells' journey ---------------------------------------------------------------------
# Seconds after a cell leaves the vial at which it passes each waypoint (blood pace, sped
# up for the film); every cell then rests where it lodged in the lung capillaries.
SCHEDULE = {"line": 0.0, "iv_site": 1.5, "vena_cava": 3.0, "right_heart": 3.7,
            "pulmonary_artery": 4.2, "lungs": 4.7}
LODGE = 0.7          # seconds from entering the lung bed to resting at the pause point
# After leaving the lungs, seconds to each waypoint for the cells that continue.
ONWARD = {"lodged": 0.0, "pulmonary_vein": 0.5, "left_heart": 0.9, "aorta": 1.3,
          "coeliac_trunk": 2.6, "hepatic_artery": 3.0, "liver": 3.4, "end": 5.2}


class RouteCohort:
    """Closed-form positions of ``count`` cells released from the vial over ``release``:
    about half lodge in each lung; ``continuing`` of the left lung's move on at ``depart``."""

    def __init__(self, route: Model, infusion: Model, count: int = 60, continuing: int = 7,
                 release=(0.6, 3.0), depart=(9.0, 10.0), seed: int = 0):
        rng = np.random.default_rng(seed)
        self.count = count
        rp: Path = route.path
        line = infusion.line
        _, branch, c_right = right_lung(route)
        start = rp.s_of("arm_vein")
        L_line = Path(line).length
        # Two journeys (left lung along the route, right lung along the right branch).
        self.paths, self.S = [], []
        for side in ("left", "right"):
            end = rp.s_of("lungs") + 0.02 if side == "left" else BRANCH_S
            pts = np.concatenate([line, rp.segment(start, end)] +
                                 ([] if side == "left" else [branch[1:]]))
            path = Path(pts)
            wp = {"line": 0.0, "iv_site": L_line / path.length}
            for k in ("vena_cava", "right_heart", "pulmonary_artery", "lungs"):
                s_r = rp.s_of(k)
                if side == "right" and k == "lungs":
                    s = 1.0 - Path(branch[-9:]).length / path.length
                else:
                    s = (L_line + (s_r - start) * rp.length) / path.length
                wp[k] = s
            self.paths.append(path)
            self.S.append(np.array([wp[k] for k in SCHEDULE]))
        self.T = np.array([SCHEDULE[k] for k in SCHEDULE])
        self.release = np.sort(rng.uniform(*release, count))
        self.release[0], self.release[-1] = release
        self.right = rng.uniform(size=count) < 0.5
        left_pause = route.pause_points(count, seed=seed + 1)
        right_pause = route.pause_points(count, seed=seed + 2) * [-1.0, 1.0, 1.0]
        self.pause = np.where(self.right[:, None], right_pause, left_pause)
        # In the vial: a loose cloud in the fluid; they sink toward the neck in turn.
        vc = infusion.vial_center
        d = rng.normal(size=(count, 3)) * [5.0, 5.0, 7.0]
        self.in_vial = vc + np.clip(d, -8.0, 8.0)
        side = rng.normal(size=(count, 3))
        side /= np.linalg.norm(side, axis=1, keepdims=True)
        self.side = side * rng.uniform(0, 1, (count, 1))
        # The minority that moves on: left-lung cells spread over the release order.
        left = np.flatnonzero(~self.right)
        self.onward = left[np.linspace(1, len(left) - 2, continuing).round().astype(int)]
        self.depart = np.linspace(*depart, continuing)
        tree = _vessels.artery_tree(route.seed).transformed(
            liver_transform().matrix())
        leaves = [k for k in tree.leaves if len(tree.chain(k)) >= 3]
        pick = rng.choice(leaves, continuing, replace=len(leaves) < continuing)
        self.onward_paths = []
        seg = rp.segment("pulmonary_vein", "liver")
        Ls = Path(seg).length
        for j, i in enumerate(self.onward):
            into = tree.path_to(int(pick[j]))
            p = Path(np.concatenate([[self.pause[i]], seg, into[1:]]))
            L0 = np.linalg.norm(seg[0] - self.pause[i])
            s_of = {"lodged": 0.0, "end": 1.0}
            for k in ("pulmonary_vein", "left_heart", "aorta", "coeliac_trunk",
                      "hepatic_artery", "liver"):
                s_of[k] = (L0 + (rp.s_of(k) - rp.s_of("pulmonary_vein")) /
                           (rp.s_of("liver") - rp.s_of("pulmonary_vein")) * Ls) / p.length
            self.onward_paths.append((p, np.array([ONWARD[k] for k in ONWARD]),
                                      np.array([s_of[k] for k in ONWARD])))
        self.ends = np.array([op[0].point(1.0) for op in self.onward_paths])

    def positions(self, t: float) -> np.ndarray:
        u = t - self.release
        p = np.empty((self.count, 3))
        tangent = np.empty((self.count, 3))
        for k, (path, S) in enumerate(zip(self.paths, self.S)):
            m = self.right == bool(k)
            s = np.interp(u[m], self.T, S)
            p[m], tangent[m] = path.point(s), path.tangent(s)
        # A little spread across the vessel while travelling (not in the line).
        spread = smoothstep(1.6, 2.4, u) * (1.0 - smoothstep(4.4, 4.8, u)) * 2.2
        off = self.side - (self.side * tangent).sum(1, keepdims=True) * tangent
        p = p + off * spread[:, None]
        w = smoothstep(self.T[-1], self.T[-1] + LODGE, u)[:, None]
        p = p * (1 - w) + self.pause * w
        # Waiting in the vial, drifting slowly, then sinking into the neck.
        wait = (u < 0)[:, None]
        drift = np.sin(0.7 * t + 7.0 * self.side) * 0.8
        vial = self.in_vial + drift
        sink = smoothstep(-0.5, 0.0, u)[:, None]
        vial = vial * (1 - sink) + self.paths[0].point(0.0) * sink
        p = np.where(wait, vial, p)
        for j, i in enumerate(self.onward):
            path, T, S = self.onward_paths[j]
            v = t - self.depart[j]
            if v > 0:
                p[i] = path.point(float(np.interp(v, T, S)))
        return p

    def node(self, name: str, radius: float = 1.2) -> InstancedNode:
        return InstancedNode(name, shape="sphere", tags=("enlarged",),
                             instances=Instances(self.positions(0.0),
                                                 scale=np.full(self.count, radius)),
                             material=msc_material(0.0), params={"nucleus": 0.35})


def route_cohort(route: Model, infusion: Model, **kw) -> RouteCohort:
    return RouteCohort(route, infusion, **kw)
