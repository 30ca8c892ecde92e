"""The liver's vessels as branching trees (units: millimetres, liver frame; see ``liver``).

* portal vein (~12 mm at the hilum, ~75% of the inflow) and hepatic artery (~4 mm), entering
  at the porta hepatis and branching together (the artery rides beside each portal branch,
  as in the portal triads);
* three hepatic veins (right, middle, left) draining into the inferior vena cava (~20 mm),
  which runs in its groove at the back of the liver.

Why territories: each branch supplies a set of points sampled inside the organ; a branch
runs toward the middle of its territory, then the territory is split in two across its
longest axis and each half gets a child.  Branches therefore fill the organ evenly and stay
inside it (centre lines are also pushed inward where a tube would break the surface).
Child radii follow Murray's law with flow proportional to territory size:
``r_child = r_parent·(n_child/n_parent)^(1/3)``, so ``r_parent³ = Σ r_child³`` exactly.

Every branch exposes its centre line (N×3, world frame) and radii; ``VesselTree.flow_path``
gives root-to-leaf (or leaf-to-IVC) polylines for cells and particles.  Geometry ``param`` is
the distance from the tree's root along the vessels, normalised to [0, 1]: animating
``material.reveal`` 0→1 lights a tree up from the hilum outward (film act 1).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field as dc_field

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry, merge
from ..scene.material import Material
from ..scene.nodes import MeshNode
from .liver import HEPATIC_VEIN_OUTLET_Z, IVC_XY, PORTA
from .liver import IVC_RADIUS as _IVC_RADIUS
from .liver import field as liver_field
from ._base import Model, sub, transform_of
from ._mesh import arc_length, capped_tube, catmull_rom_path, field_gradient, smoothstep, sphere

PORTAL_RADIUS = 6.0        # mm (~12 mm diameter, brief)
ARTERY_RADIUS = 2.0        # mm (~4 mm diameter, brief)
IVC_RADIUS = _IVC_RADIUS
HEPATIC_VEIN_RADII = {"right": 6.5, "middle": 5.5, "left": 5.0}
# Where the hepatic artery proper starts (liver frame): the common hepatic artery arrives
# here from the coeliac trunk (see ``iv_route``), left of and below the porta.
ARTERY_ENTRY = PORTA + np.array([40.0, 10.0, -34.0])


@dataclass
class Branch:
    """One vessel segment between two branch points (world frame after placement)."""
    name: str
    centerline: np.ndarray          # N×3
    radius: np.ndarray              # N (radius at each centre-line point)
    parent: int | None
    generation: int
    children: list = dc_field(default_factory=list)
    territory: int = 0              # how many sample points it supplies (Murray's flow)
    nominal: float = 0.0            # the segment's radius (Murray's law), flare/taper aside

    @property
    def r(self) -> float:
        """Nominal radius of the segment (Murray's law holds for these)."""
        return self.nominal or float(self.radius[-1])

    @property
    def length(self) -> float:
        return float(arc_length(self.centerline)[-1])


@dataclass
class VesselTree:
    """A branching vessel; ``flow`` is "out" (root→leaves) or "in" (leaves→root)."""
    kind: str
    branches: list[Branch]
    flow: str = "out"

    @property
    def leaves(self) -> list[int]:
        return [k for k, b in enumerate(self.branches) if not b.children]

    def chain(self, index: int) -> list[int]:
        """Branch indices from the root to ``index``."""
        out = []
        while index is not None:
            out.append(index)
            index = self.branches[index].parent
        return out[::-1]

    def path_to(self, index: int) -> np.ndarray:
        """Root-to-branch-end centre line as one polyline (N×3)."""
        pts = [self.branches[k].centerline for k in self.chain(index)]
        return np.concatenate([pts[0]] + [p[1:] for p in pts[1:]])

    def flow_path(self, index: int) -> np.ndarray:
        """The polyline blood follows through branch ``index`` (reversed for veins)."""
        p = self.path_to(index)
        return p if self.flow == "out" else p[::-1].copy()

    def murray_residual(self) -> float:
        """Largest |r_p³ - Σ r_c³| / r_p³ over branch points (0 for Murray's law)."""
        worst = 0.0
        for b in self.branches:
            if b.children:
                rc = sum(self.branches[c].r ** 3 for c in b.children)
                worst = max(worst, abs(b.r ** 3 - rc) / b.r ** 3)
        return worst

    def transformed(self, matrix: np.ndarray) -> "VesselTree":
        m = np.asarray(matrix, dtype=np.float64)
        scale = float(np.cbrt(abs(np.linalg.det(m[:3, :3]))))
        out = []
        for b in self.branches:
            out.append(Branch(b.name, b.centerline @ m[:3, :3].T + m[:3, 3], b.radius * scale,
                              b.parent, b.generation, list(b.children), b.territory,
                              b.r * scale))
        return VesselTree(self.kind, out, self.flow)


# --- construction (liver frame) -------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _interior_points(seed: int, count: int = 5000, margin: float = 7.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = np.array([-118.0, -70.0, -62.0])
    hi = np.array([100.0, 84.0, 74.0])
    pts = rng.uniform(lo, hi, size=(count * 4, 3))
    pts = pts[liver_field(pts) < -margin]
    return pts[:count]


def _keep_inside(path: np.ndarray, radius: np.ndarray, fixed: int = 1) -> np.ndarray:
    """Push centre-line points inward until the tube clears the surface by a margin.

    The first ``fixed`` points stay put (they join the parent branch)."""
    p = path.copy()
    need = radius + 1.5
    p = _smooth(p, fixed)
    for _ in range(4):
        f = liver_field(p[fixed:])
        bad = f > -need[fixed:]
        if not bad.any():
            break
        q = p[fixed:][bad]
        g = field_gradient(liver_field, q, 0.5)
        g /= np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-9)
        step = (f[bad] + need[fixed:][bad])[:, None]
        p[fixed:][bad] = q - g * step
        p = _smooth(p, fixed)
    return p


def _smooth(p: np.ndarray, fixed: int, rounds: int = 2) -> np.ndarray:
    """Laplacian smoothing of the free interior points (no kinks for the tube to fold on)."""
    p = p.copy()
    for _ in range(rounds):
        q = p.copy()
        q[1:-1] = 0.25 * p[:-2] + 0.5 * p[1:-1] + 0.25 * p[2:]
        p[max(fixed, 1):-1] = q[max(fixed, 1):-1]
    return p


def _curve(start, tangent, end, count: int, bend: float = 0.35) -> np.ndarray:
    """Cubic Bézier leaving ``start`` along ``tangent`` (smooth joints) and reaching ``end``."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    length = np.linalg.norm(end - start)
    d = (end - start) / max(length, 1e-9)
    t0 = np.asarray(tangent, float)
    t0 = t0 / max(np.linalg.norm(t0), 1e-9)
    p1 = start + t0 * length * bend
    p2 = end - d * length * 0.25
    u = np.linspace(0.0, 1.0, count)[:, None]
    return ((1 - u) ** 3 * start + 3 * (1 - u) ** 2 * u * p1 + 3 * (1 - u) * u * u * p2
            + u ** 3 * end)


def _split(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split a territory across its longest axis, unevenly where the cloud is uneven."""
    c = points.mean(axis=0)
    q = points - c
    _, _, vt = np.linalg.svd(q[:: max(1, len(q) // 400)], full_matrices=False)
    s = q @ vt[0]
    cut = np.median(s) * 0.5                      # between mean and median: mild asymmetry
    return points[s < cut], points[s >= cut]


def _grow(branches: list, parent: int, start, tangent, radius: float, points: np.ndarray,
          gen: int, max_gen: int, min_points: int, prefix: str, reach: float):
    """Recursive territory tree: one child per half-territory from ``start``."""
    halves = _split(points)
    total = len(points)
    for half in halves:
        if len(half) == 0:
            continue
        r = radius * (len(half) / total) ** (1.0 / 3.0)
        c = half.mean(axis=0)
        # Target: the territory point nearest its centroid (always inside the organ).
        target = half[np.argmin(np.linalg.norm(half - c, axis=1))]
        leaf = gen + 1 >= max_gen or len(half) < min_points
        end = start + (target - start) * (0.95 if leaf else reach)
        length = np.linalg.norm(end - start)
        if length < 5.0 * radius:             # a tube shorter than its girth folds on itself
            end = start + (end - start) / max(length, 1e-9) * 5.0 * radius
            length = 5.0 * radius
        count = int(np.clip(length / 3.5, 5, 16))
        path = _curve(start, tangent, end, count)
        s = np.linspace(0.0, 1.0, count)
        # Flare from the parent's radius at the joint to the child's own: a smooth crotch.
        rad = r + (radius - r) * (1.0 - smoothstep(0.0, 0.35, s))
        if leaf:
            rad = rad * (1.0 - 0.55 * smoothstep(0.3, 1.0, s))    # tips fade into the tissue
        path = _keep_inside(path, rad)
        k = len(branches)
        branches.append(Branch(f"{prefix}_{k}", path, rad, parent, gen + 1,
                               territory=len(half), nominal=r))
        branches[parent].children.append(k)
        if not leaf:
            tan = path[-1] - path[-2]
            _grow(branches, k, path[-1], tan, r, half, gen + 1, max_gen, min_points, prefix,
                  reach)


def _root(name, path, radius, territory) -> Branch:
    path = np.asarray(path, float)
    return Branch(name, path, np.full(len(path), float(radius)), None, 0, territory=territory,
                  nominal=float(radius))


@functools.lru_cache(maxsize=4)
def portal_tree(seed: int = 0, generations: int = 5) -> VesselTree:
    """Portal vein: trunk rising from behind the pancreas to the porta hepatis, then a
    right and a left branch dividing through the organ (liver frame, mm)."""
    pts = _interior_points(seed)
    porta = PORTA
    trunk = _curve(porta + np.array([34.0, 30.0, -72.0]), np.array([-0.35, -0.3, 1.0]),
                   porta + np.array([0.0, 0.0, 2.0]), 14, bend=0.4)
    branches = [_root("portal_0", trunk, PORTAL_RADIUS, len(pts))]
    _grow(branches, 0, trunk[-1], trunk[-1] - trunk[-2], PORTAL_RADIUS, pts, 0, generations,
          24, "portal", 0.62)
    return VesselTree("portal", branches, "out")


@functools.lru_cache(maxsize=4)
def artery_tree(seed: int = 0, generations: int = 5) -> VesselTree:
    """Hepatic artery: from the common hepatic artery (coeliac side, to the left) into the
    porta, then beside every portal branch (same topology, Murray radii from 2 mm)."""
    portal = portal_tree(seed, generations)
    branches: list[Branch] = []
    porta = PORTA
    offsets: dict[int, np.ndarray] = {}
    for k, b in enumerate(portal.branches):
        if b.parent is None:
            path = _curve(ARTERY_ENTRY, np.array([-0.9, -0.2, 0.4]),
                          porta + np.array([6.0, -9.0, 3.0]), 14, bend=0.45)
            branches.append(_root("artery_0", path, ARTERY_RADIUS, b.territory))
            offsets[k] = path[-1] - b.centerline[-1]
            continue
        parent_b = branches[b.parent]
        r = parent_b.r * (b.territory / portal.branches[b.parent].territory) ** (1.0 / 3.0)
        t = b.centerline[-1] - b.centerline[0]
        side = np.cross(t, [0.0, 0.0, 1.0])
        if np.linalg.norm(side) < 1e-6:
            side = np.cross(t, [1.0, 0.0, 0.0])
        side /= np.linalg.norm(side)
        own = side * (b.r + r + 0.6)
        s = np.linspace(0.0, 1.0, len(b.centerline))[:, None]
        w = smoothstep(0.0, 0.4, s)
        off = offsets[b.parent] * (1 - w) + own * w
        path = b.centerline + off
        path[0] = parent_b.centerline[-1]
        rad = r + (parent_b.r - r) * (1.0 - smoothstep(0.0, 0.35, s[:, 0]))
        if not b.children:
            rad = rad * (1.0 - 0.55 * smoothstep(0.3, 1.0, s[:, 0]))
        path = _keep_inside(path, rad)
        offsets[k] = path[-1] - b.centerline[-1]
        branches.append(Branch(f"artery_{k}", path, rad, b.parent, b.generation,
                               territory=b.territory, nominal=r))
        branches[b.parent].children.append(k)
    return VesselTree("artery", branches, "out")


@functools.lru_cache(maxsize=4)
def hepatic_vein_trees(seed: int = 0, generations: int = 4) -> tuple[VesselTree, ...]:
    """Right, middle and left hepatic veins, each draining a third of the organ into the IVC
    just below the diaphragm (flow "in": leaves → IVC)."""
    pts = _interior_points(seed + 1)
    x = pts[:, 0]
    groups = {"right": pts[x < -38.0], "middle": pts[(x >= -38.0) & (x < 6.0)],
              "left": pts[x >= 6.0]}
    ivc = np.array([IVC_XY[0], IVC_XY[1], HEPATIC_VEIN_OUTLET_Z])
    entry = {"right": np.array([-9.0, -6.0, 0.0]), "middle": np.array([2.0, -9.0, 0.0]),
             "left": np.array([8.0, -5.0, 0.0])}
    trees = []
    for side, group in groups.items():
        r0 = HEPATIC_VEIN_RADII[side]
        start = ivc + entry[side] * 0.2
        c = group.mean(axis=0)
        aim = c - start
        aim[2] = min(aim[2], -0.3 * np.linalg.norm(aim[:2]))
        first_end = start + aim / np.linalg.norm(aim) * 26.0 + entry[side]
        trunk = _curve(start, entry[side] + np.array([0, 0, -2.0]), first_end, 9, bend=0.3)
        trunk = _keep_inside(trunk, np.full(len(trunk), r0), fixed=3)
        branches = [_root(f"hv_{side}_0", trunk, r0, len(group))]
        _grow(branches, 0, trunk[-1], trunk[-1] - trunk[-2], r0, group, 0, generations, 20,
              f"hv_{side}", 0.62)
        trees.append(VesselTree(f"hepatic_vein_{side}", branches, "in"))
    return tuple(trees)


def ivc_path() -> np.ndarray:
    """Inferior vena cava centre line (liver frame): up the back of the organ toward the
    right atrium, a slight forward curve above the liver (to the heart)."""
    x, y = IVC_XY
    z = np.linspace(-110.0, 110.0, 23)
    return np.stack([x + 2.0 * np.sin(z / 90.0), y - 6.0 * smoothstep(60.0, 110.0, z), z], -1)


def _tree_geometry(tree: VesselTree, min_sides: int = 8, max_sides: int = 20,
                   joints: bool = False, density: float = 1.0) -> Geometry:
    """Capped tubes per branch (each closed); param = distance from the root, normalised.
    ``joints``: a ball at every branch point hides where the tubes' caps meet (close-ups)."""
    dist = {}
    parts = []
    total = 0.0
    for k, b in enumerate(tree.branches):
        s = arc_length(b.centerline)
        base = 0.0 if b.parent is None else dist[b.parent]
        dist[k] = base + s[-1]
        total = max(total, dist[k])
    for k, b in enumerate(tree.branches):
        s = arc_length(b.centerline)
        base = 0.0 if b.parent is None else dist[b.parent]
        sides = int(np.clip(round((5 + 2.2 * b.r) * density), min_sides, max_sides))
        parts.append(capped_tube(b.centerline, b.radius, sides=sides,
                                 param=(base + s) / total))
        if joints and b.children:
            ball = sphere(float(b.radius[-1]), 10)
            parts.append(Geometry(ball.positions + b.centerline[-1].astype(np.float32),
                                  ball.normals, ball.indices,
                                  np.full(len(ball.positions), dist[k] / total, np.float32)))
    return merge(parts)


@functools.lru_cache(maxsize=4)
def _geometries(seed: int, generations: int, detail: int = 1):
    portal = portal_tree(seed, generations)
    artery = artery_tree(seed, generations)
    hvs = hepatic_vein_trees(seed, max(1, generations - 1))
    ivc = VesselTree("ivc", [_root("ivc_0", ivc_path(), IVC_RADIUS, 0)], "in")
    d = int(detail)
    j = d > 1
    return {"portal": (portal, _tree_geometry(portal, 8 * d, 20 * d, j, d)),
            "artery": (artery, _tree_geometry(artery, 6 * d, 12 * d, j, d)),
            "hepatic_veins": (hvs, merge([_tree_geometry(t, 8 * d, 20 * d, j, d) for t in hvs])),
            "ivc": (ivc, capped_tube(ivc.branches[0].centerline, IVC_RADIUS, sides=28 * d))}


def vessel_material(kind: str) -> Material:
    """Arterial Red for arteries, Venous Indigo for the portal vein, hepatic veins and IVC."""
    color = rgb("arterial_red") if kind == "artery" else rgb("venous_indigo")
    return Material(color=color, roughness=0.3, rim=0.35, rim_color=rgb("#FFE2D6"), wrap=0.4)



@dataclass
class Vasculature(Model):
    """The liver's vessel trees (world units)."""
    trees: dict = None

def vasculature(name: str = "vessels", seed: int = 0, transform=None,
                generations: int = 5, detail: int = 1) -> Model:
    """Portal vein, hepatic artery, hepatic veins and IVC (mm, liver frame + ``transform``).

    Nodes: ``{name}_portal``, ``{name}_artery``, ``{name}_hepatic_veins``, ``{name}_ivc``.
    ``.trees``: ``{"portal": VesselTree, "artery": VesselTree, "hepatic_veins":
    (right, middle, left), "ivc": VesselTree}``, centre lines in world units (transform
    applied).  Animate ``{name}_portal.material.reveal`` 0→1 to light a tree up from the hilum.
    ``detail`` (1, 2, …) multiplies the tubes' sides and (above 1) rounds the branch points,
    for close-ups.
    """
    tr = transform_of(transform)
    m = tr.matrix()
    geos = _geometries(seed, generations, detail)
    nodes, trees = [], {}
    for key, (tree, geo) in geos.items():
        kind = "artery" if key == "artery" else "vein"
        nodes.append(MeshNode(sub(name, key), geometry=geo, material=vessel_material(kind),
                              transform=tr.copy()))
        if isinstance(tree, tuple):
            trees[key] = tuple(t.transformed(m) for t in tree)
        else:
            trees[key] = tree.transformed(m)
    center, radius = geos["portal"][1].bounding_sphere()
    return Vasculature(nodes[0].name, nodes, center=m[:3, :3] @ center + m[:3, 3],
                 radius=float(radius) * float(tr.scale.max()), units="mm",
                 trees=trees)


# --- where the portal blood comes from (film act 1) ------------------------------------------
GUT_COLOR = "#C99A8E"     # muted, see-through intestine (not a palette colour: context only)


@functools.lru_cache(maxsize=2)
def _inflow_geometries(seed: int):
    """Superior mesenteric vein with its intestinal tributaries (param 0 in the gut → 1 where
    it joins the portal trunk), and a schematic coil of small intestine below the liver."""
    rng = np.random.default_rng(seed + 29)
    root = portal_tree(seed).branches[0].centerline[0]
    bends = np.array([[0.0, 0.0, 0.0], [6.0, 5.0, -18.0], [4.0, -8.0, -52.0],
                      [-6.0, -28.0, -88.0], [-16.0, -42.0, -123.0]])
    smv = catmull_rom_path(root + bends, 8)
    s = arc_length(smv)
    total = s[-1] + 70.0
    parts = [capped_tube(smv, np.interp(s, [0, s[-1]], [5.0, 3.2]), sides=14,
                         param=1.0 - s / total)]
    rows = np.linspace(-158.0, -276.0, 6)
    loops = []
    for k, z in enumerate(rows):
        lo, hi = -58.0 + rng.uniform(-10, 10), 96.0 + rng.uniform(-12, 8)
        xs = np.linspace(lo, hi, 7)[:: 1 if k % 2 == 0 else -1]
        for x in xs:
            loops.append([x, -36.0 + 13.0 * np.sin(x / 24.0 + k * 1.7),
                          z + 6.0 * np.sin(x / 29.0 + k * 2.3)])
    gut_path = catmull_rom_path(np.array(loops), 8)
    gut = capped_tube(gut_path, 9.5, sides=14)
    # Tributaries: from points along the SMV out to the loops (blood runs gut → SMV).
    for j in range(7):
        u = 0.25 + 0.75 * j / 6
        start = np.array([np.interp(u * s[-1], s, smv[:, i]) for i in range(3)])
        end = gut_path[rng.integers(0, len(gut_path))] + [0.0, 8.0, 0.0]
        mid = (start + end) / 2 + rng.normal(scale=6.0, size=3)
        path = catmull_rom_path(np.array([end, mid, start]), 6)
        ps = arc_length(path)
        p0 = (1.0 - u * s[-1] / total)          # the SMV's param where it joins
        parts.append(capped_tube(path, np.interp(ps, [0, ps[-1]], [1.2, 2.0]), sides=8,
                                 param=np.clip(p0 - (ps[-1] - ps) / total, 0, 1)))
    return merge(parts), gut


def portal_inflow(name: str = "inflow", seed: int = 0, transform=None) -> Model:
    """Where portal blood comes from (mm, liver frame + ``transform``): the superior
    mesenteric vein and its tributaries rising from a schematic, see-through coil of small
    intestine to the start of the portal trunk.  Nodes: ``{name}`` (veins, Venous Indigo;
    geometry param runs gut 0 → portal trunk 1, so ``material.reveal`` shows blood leaving
    the gut) and ``{name}_gut``."""
    tr = transform_of(transform)
    veins, gut = _inflow_geometries(seed)
    nodes = [MeshNode(name, geometry=veins, material=vessel_material("vein"), transform=tr),
             MeshNode(sub(name, "gut"), geometry=gut, transform=tr.copy(),
                      material=Material(color=rgb(GUT_COLOR), opacity=0.3, roughness=0.5,
                                        rim=0.6, rim_color=rgb("#F3D9D0"), wrap=0.5,
                                        shading="vertex"))]
    m = tr.matrix()
    c, r = gut.bounding_sphere()
    return Model(name, nodes, center=m[:3, :3] @ c + m[:3, 3], radius=r * float(tr.scale.max()),
                 units="mm")
