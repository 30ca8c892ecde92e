"""Mirror a FrameState into VPython objects: the preview's approximation of the GL look.

* ``MeshNode`` -> one VPython compound of its triangles (decimated to a share of a
  triangle budget), whose colour, visibility and transform follow the node.  A static
  *translucent* mesh (a vessel wall, a membrane) is a cutaway instead: single triangles,
  opaque, only those facing away from the camera (the far side, seen from inside; re-chosen
  as the camera moves, which also gives ``reveal``).  A model whose geometry changes every
  frame is rebuilt at most once a second.
* ``InstancedNode`` -> a pool of spheres (``"sphere"``: per-axis scale; ``"biconcave"``:
  a flattened ellipsoid, the disc axis along local z), or compound clones for a Geometry
  shape.  Level of detail: an evenly spread, stable subset of at most
  GROUP_CAP per group within BUDGET in all (small groups keep every member); a 360-triangle
  sphere (compound clones) for a few, GlowScript's 128-triangle simple_sphere for the many.
* Budgets are set by what a software GL (SwiftShader: the browser without a GPU) draws at
  10+ frames a second in the sinusoid close-ups: pixels shaded (the page draws the picture
  at 3/4 size there, see server.py), translucent layers (cutaways) and triangles.
* Translucency is drawn as colour blended toward the background (see ``_blend``), never
  with WebGL transparency: GlowScript's depth peeling (up to nine passes) costs 2-3× the
  frame on a software GL.  A scene-wide fade cuts at half way.

Objects are made once (lazily, the first time a node is on screen) and updated in place:
per frame only the attributes that changed are sent, encoded straight into VPython's wire
format (one short string each); mesh vertices and triangles are bare commands, not Python
objects.  Nothing here imports vpython at module level.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..scene import grade as grading
from ..scene.geometry import Geometry, uv_sphere
from ..scene.nodes import InstancedNode, MeshNode
from ..scene.scene import FrameState
from ..scene.transform import quat_to_matrix

MESH_TRIANGLES = 16000       # per mesh node at most, after decimation
MESH_BUDGET = 24000          # for all meshes on screen together, shared by size
MESH_MIN = 120               # however many meshes share the budget
MESH_KEEP = 1600             # opaque meshes up to this size are never decimated
CUTAWAY_BUDGET = 9000        # translucent meshes (cutaways, about half of each drawn)
SHAPE_TRIANGLES = 160        # per instanced Geometry shape (drawn once per instance)
GROUP_CAP = 200              # instances shown per instanced group
BUDGET = 200                 # instances shown in all, shared between groups
FULL_SPHERES = 24            # groups up to this size get a smooth sphere (a compound
SMOOTH_BUDGET = 40           # clone of a SMOOTH_SPHERE uv sphere, 360 triangles; GlowScript's
SMOOTH_SPHERE = (10, 20)     # own smooth sphere has ~1,800), while fewer than this many are
                             # smooth in all; the rest GlowScript's 128-triangle
                             # simple_sphere: a software GL (SwiftShader) is bound by
                             # triangles and pixels per frame
SHAPE_CAP = 60               # instances of a Geometry shape (each a compound clone)
OPAQUE_ABOVE = 0.9           # nearly opaque -> opaque; below, see _blend
HIDE_BELOW = 0.02


def decimate(geo: Geometry, max_triangles: int) -> Geometry:
    """Vertex clustering: merge vertices on a grid until at most ``max_triangles`` remain."""
    if geo.triangle_count <= max_triangles:
        return geo
    p = geo.positions.astype(np.float64)
    lo, hi = p.min(0), p.max(0)
    ext = np.maximum(hi - lo, 1e-9)
    # Start from a grid whose cells hold about one target vertex of the surface (area /
    # (triangles / 2)), then coarsen until it fits.
    i = geo.indices
    area = 0.5 * np.linalg.norm(np.cross(p[i[:, 1]] - p[i[:, 0]], p[i[:, 2]] - p[i[:, 0]]),
                                axis=1).sum()
    cell = max(float(np.sqrt(area / max(max_triangles / 2, 1))) * 0.8, float(ext.max()) / 4096,
               1e-9)
    best = geo
    # Vertices whose normals point different ways (the two faces of a thin plate) never
    # merge: the key includes the normal's dominant axis and sign (6 bins).
    nrm = geo.normals.astype(np.float64)
    ax = np.abs(nrm).argmax(axis=1)
    nbin = ax * 2 + (nrm[np.arange(len(nrm)), ax] > 0)
    for _ in range(60):
        # A cell never spans more than half the model along an axis: a thin slab (a
        # lobule's plate walls, 100 µm tall and 3 mm wide) keeps its top and bottom
        # edges apart instead of collapsing into a sheet of zero area.
        q = np.floor((p - lo) / np.minimum(cell, ext / 2)).astype(np.int64)
        dims = q.max(0) + 1
        key = ((q[:, 0] * dims[1] + q[:, 1]) * dims[2] + q[:, 2]) * 6 + nbin
        _, inv = np.unique(key, return_inverse=True)
        inv = inv.reshape(-1)
        k = int(inv.max()) + 1
        cnt = np.bincount(inv, minlength=k)[:, None]
        pos = np.stack([np.bincount(inv, p[:, j], k) for j in range(3)], 1) / cnt
        nor = np.stack([np.bincount(inv, geo.normals[:, j], k) for j in range(3)], 1)
        nor /= np.maximum(np.linalg.norm(nor, axis=1, keepdims=True), 1e-12)
        tri = inv[geo.indices]
        ok = (tri[:, 0] != tri[:, 1]) & (tri[:, 1] != tri[:, 2]) & (tri[:, 0] != tri[:, 2])
        tri = tri[ok]
        if len(tri):
            tri = tri[np.unique(np.sort(tri, 1), axis=0, return_index=True)[1]]
        if not len(tri):              # coarser would leave nothing: keep the last that drew
            break
        best = Geometry(pos, nor, tri.astype(np.uint32))
        if len(tri) <= max_triangles:
            break
        cell *= 1.2
    return best


def _fmt3(a: np.ndarray) -> list[str]:
    return [f"{x:.6g},{y:.6g},{z:.6g}" for x, y, z in a.tolist()]


def _decompose(m: np.ndarray):
    """4×4 affine -> (translation, 3×3 rotation, per-axis scale)."""
    lin = m[:3, :3]
    s = np.linalg.norm(lin, axis=0)
    r = lin / np.maximum(s, 1e-12)
    return m[:3, 3].copy(), r, s


class _Attrs:
    """Per-object attribute values last sent, so only changes travel."""

    def __init__(self, codes: dict):
        self.codes = codes
        self.last: dict[str, np.ndarray] = {}

    def diff(self, name: str, idx: np.ndarray, vals: np.ndarray, tol: float, fmt) -> list[str]:
        prev = self.last.get(name)
        if prev is None or prev.shape != vals.shape:
            changed = np.ones(len(vals), bool)
        else:
            d = np.abs(vals - prev)
            changed = (d.max(axis=1) if d.ndim > 1 else d) > tol
        if not changed.any():
            return []
        self.last[name] = vals.copy() if prev is None or prev.shape != vals.shape else \
            np.where(changed[:, None] if vals.ndim > 1 else changed, vals, prev)
        code = self.codes[name]
        sel = np.flatnonzero(changed)
        texts = fmt(vals[sel])
        return [f"{code[0]}{i}{code[1]}{v}" for i, v in zip(idx[sel].tolist(), texts)]


class Mirror:
    """Owns the VPython objects of one film; ``apply(state)`` makes them show that instant."""

    def __init__(self, vp, wire, canvas, group_cap: int = GROUP_CAP, budget: int = BUDGET,
                 mesh_triangles: int = MESH_TRIANGLES):
        import vpython.vpython as vv
        self.vp, self.wire, self.canvas = vp, wire, canvas
        a, b = getattr(vv, "__attrs"), getattr(vv, "__attrsb")
        self.codes = {k: ("a", v) for k, v in a.items()} | {k: ("b", v) for k, v in b.items()}
        self.group_cap, self.budget, self.mesh_triangles = group_cap, budget, mesh_triangles
        self.objects: list = []            # every VPython object made (for clear())
        self.raw: list[range] = []         # index ranges of bare vertices and triangles
        self.smooth_used = 0               # smooth spheres handed out (SMOOTH_BUDGET)
        self.meshes: dict[str, _MeshMirror] = {}
        # Keyed by (name, shape): acts scope node names, so two acts may each have a
        # group 'cells' of different shapes, and a group's objects are built for one shape.
        self.groups: dict[tuple, _GroupMirror] = {}
        self.lights: list = []
        self._light_key = None
        self._cam_key = None
        self._bg_key = None

    # --- the one entry point -----------------------------------------------------------
    def apply(self, state: FrameState, follow_camera: bool = True, film_nodes=None):
        out: list[str] = []
        fade = float(state.settings.fade)
        exposure = _gain(state)          # exposure x white balance x the film's grade (RGB)
        shown, shown_groups = set(), set()
        caps = self._caps(state)
        tris = self._mesh_budget(state)
        for name, node in state.nodes.items():
            if fade >= 0.5:     # the preview cuts where the film fades
                break
            world = state.world_matrix(name) if (node.parent or not _identity(node)) else None
            if isinstance(node, MeshNode):
                if node.geometry is None:
                    continue
                m = self.meshes.get(name)
                if m is None:
                    m = self.meshes[name] = _MeshMirror(self, name)
                out += m.update(node, world, exposure, state, tris.get(name, MESH_MIN))
                shown.add(name)
            elif isinstance(node, InstancedNode):
                key = (name, node.shape if isinstance(node.shape, str) else node.shape.key)
                g = self.groups.get(key)
                if g is None:
                    g = self.groups[key] = _GroupMirror(self, name, node.shape)
                out += g.update(node, world, exposure, caps.get(name, 0), _background_rgb(state))
                shown_groups.add(key)
        for name, m in self.meshes.items():
            if name not in shown:
                out += m.hide()
        for key, g in self.groups.items():
            if key not in shown_groups:
                out += g.hide()
        self.wire.put(out)
        if follow_camera:
            self._camera(state)
        self._lights(state)
        self._background(state)
        return len(out)

    def _caps(self, state) -> dict[str, int]:
        """Instances shown per group: small groups (a few named cells) keep every member;
        numerous ones share what is left of the budget in proportion to their size."""
        want = {n: min(nd.count, SHAPE_CAP if isinstance(nd.shape, Geometry) else self.group_cap)
                for n, nd in state.nodes.items() if isinstance(nd, InstancedNode) and nd.visible}
        small = {n: k for n, k in want.items() if k <= FULL_SPHERES}
        big = {n: k for n, k in want.items() if k > FULL_SPHERES}
        room = max(self.budget - sum(small.values()), FULL_SPHERES * len(big))
        total = sum(big.values())
        if total <= room:
            return want
        return small | {n: max(FULL_SPHERES, int(k * room / total)) for n, k in big.items()}

    def _mesh_budget(self, state) -> dict[str, int]:
        own, thin = {}, {}
        for n, nd in state.nodes.items():
            if (isinstance(nd, MeshNode) and nd.geometry is not None and nd.visible
                    and nd.material.opacity > HIDE_BELOW):
                k = min(nd.geometry.triangle_count, self.mesh_triangles)
                (thin if nd.material.opacity < OPAQUE_ABOVE else own)[n] = k
        # Translucent meshes share a budget of their own: as cutaways they are the close-
        # ups' largest layers (the far wall behind everything, the far plate's cells), drawn
        # as single triangles whose visibility and colour travel one by one.
        total = sum(thin.values())
        if total > CUTAWAY_BUDGET:
            thin = {n: max(MESH_MIN, int(CUTAWAY_BUDGET * k / total)) for n, k in thin.items()}
        return thin | self._share(own)

    def _share(self, own: dict[str, int]) -> dict[str, int]:
        total = sum(own.values())
        if total <= MESH_BUDGET:
            return own
        # Small meshes (an outline of thin tubes, a cell) stay whole: decimated they fall
        # apart, and they cost little; the large ones share what is left.
        small = {n: k for n, k in own.items() if k <= MESH_KEEP}
        big = {n: k for n, k in own.items() if k > MESH_KEEP}
        room = max(MESH_BUDGET - sum(small.values()), MESH_KEEP * len(big))
        total = sum(big.values())
        return small | {n: max(MESH_KEEP, int(room * k / total)) for n, k in big.items()}

    # --- camera, lights, background ----------------------------------------------------
    def camera_view(self, state):
        cam = state.camera
        fwd = cam.target - cam.position
        dist = float(np.linalg.norm(fwd))
        half = math.radians(cam.fov) / 2
        return cam.target, fwd, dist * math.tan(half), math.radians(cam.fov), cam.up

    def _camera(self, state):
        vec = self.vp.vector
        center, fwd, rng, fov, up = self.camera_view(state)
        key = tuple(np.round(np.concatenate([center, fwd, up, [rng, fov]]), 5))
        if key == self._cam_key:
            return
        self._cam_key = key
        c = self.canvas
        c.center = vec(*map(float, center))
        c.forward = vec(*map(float, fwd))
        c.up = vec(*map(float, up))
        c.fov = float(fov)
        c.range = float(rng)

    def _lights(self, state):
        """The GL rig's directions are in view space (it moves with the camera)."""
        vec = self.vp.vector
        r, u, f = state.camera.basis()
        dirs, amb = [], np.zeros(3)
        for light in state.lights.values():
            c = np.clip(light.color * light.intensity, 0, 1)
            if light.kind == "ambient":
                amb = amb + light.color * light.intensity
            elif light.direction[2] > -0.3:     # a rim light from behind adds little to
                d = light.direction             # Phong shading, and each light costs per pixel
                dirs.append((d[0] * r + d[1] * u - d[2] * f, c))
        key = tuple(np.round(np.concatenate([np.ravel([np.concatenate(x) for x in dirs]),
                                              amb]), 3))
        if key == self._light_key:
            return
        self._light_key = key
        if len(self.lights) != len(dirs):
            for lt in self.lights:
                lt.visible = False
            self.canvas.lights = []
            self.lights = [self.vp.distant_light(direction=vec(*map(float, d)),
                                                 color=vec(*map(float, c))) for d, c in dirs]
        else:
            for lt, (d, c) in zip(self.lights, dirs):
                lt.direction = vec(*map(float, d))
                lt.color = vec(*map(float, c))
        self.canvas.ambient = vec(*map(float, np.clip(amb * 1.2, 0, 1)))

    def _background(self, state):
        bg = _background_rgb(state)
        key = tuple(np.round(bg, 3))
        if key != self._bg_key:
            self._bg_key = key
            self.canvas.background = self.vp.vector(*map(float, bg))

    def clear(self):
        """Hide every object for good and drop it from the replay log (on reload)."""
        for o in self.objects:
            try:
                o.visible = False
            except Exception:
                pass
        for lt in self.lights:
            lt.visible = False
        out = []
        for m in self.meshes.values():
            out += m.hide()
        self.wire.put(out)
        raw = [i for r in self.raw for i in r]
        self.wire.forget([o.idx for o in self.objects] + [lt.idx for lt in self.lights] + raw)
        self.objects, self.meshes, self.groups, self.lights, self.raw = [], {}, {}, [], []
        self.smooth_used = 0
        self._light_key = self._cam_key = self._bg_key = None


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.allclose(a, b, atol=1e-9))


def _identity(node) -> bool:
    t = node.transform
    return (not t.position.any() and np.allclose(t.rotation, (0, 0, 0, 1))
            and np.allclose(t.scale, 1))


def _shininess(mat) -> float:
    return float(np.clip(1.0 - mat.roughness, 0.05, 1.0) * 0.8)


def _blend(col: np.ndarray, op, bg: np.ndarray) -> np.ndarray:
    """Translucency without WebGL transparency: the colour mixed toward the background.

    GlowScript's transparency is depth peeling (up to nine passes over the scene), which
    costs 2-3× the frame on a software GL.  Mixing by sqrt(opacity) keeps faint layers
    legible in the preview (a 10 % vessel wall still reads as a wall)."""
    op = np.asarray(op, dtype=np.float64)
    a = np.where(op >= OPAQUE_ABOVE, 1.0, np.sqrt(np.clip(op, 0, 1)))
    a = a[..., None] if np.ndim(a) else a
    return np.clip((1 - a) * bg + a * col, 0, 1)


def _build_compound(mirror: Mirror, geo: Geometry, **args):
    from vpython.vpython import baseObj
    from .vp import fast_compound, raw_mesh
    vp = mirror.vp
    vec = vp.vector
    verts, tris = raw_mesh(baseObj, mirror.canvas.idx, geo.positions, geo.normals, (1, 1, 1),
                           geo.indices)
    lo, hi = geo.bounds()
    center, size = (lo + hi) / 2, np.maximum(hi - lo, 1e-6)
    c = fast_compound(vp, tris, vec(*map(float, center)), vec(*map(float, size)), **args)
    mirror.raw += [verts, tris]
    mirror.objects.append(c)
    return c, center.astype(np.float64), size.astype(np.float64), [verts, tris, [c.idx]]


def _background_rgb(state) -> np.ndarray:
    """The backdrop's mean colour after the grade (the page has one background colour)."""
    top, bottom = grading.background(state.settings)
    return np.clip((np.asarray(top) + np.asarray(bottom)) / 2, 0, 1)


def _gain(state) -> np.ndarray:
    """The RGB gain the GL renderer's display pass applies (exposure, white balance and the
    film's grade, scene.grade at scene.warmth), so the preview's colours follow the grade."""
    s = state.settings
    return float(s.exposure) * np.asarray(s.white_balance, float) * grading.tint(s)


class _Cutaway:
    """A translucent mesh as single triangles: far side only, opaque, colour pre-blended."""

    def __init__(self, mirror: Mirror, geo: Geometry):
        from vpython.vpython import baseObj
        from .vp import raw_mesh
        self.m = mirror
        p = geo.positions.astype(np.float64)
        i = geo.indices
        self.centers = p[i].mean(axis=1)
        # Face normals from the vertex normals: models do not all wind triangles alike.
        fn = geo.normals[i].astype(np.float64).sum(axis=1)
        self.normals = fn / np.maximum(np.linalg.norm(fn, axis=1, keepdims=True), 1e-12)
        self.sheet = False
        self.param = None if geo.param is None else geo.param[i].max(axis=1)
        # Seen from inside: normals turned inward so the far wall is lit from the front.
        verts, tris = raw_mesh(baseObj, mirror.canvas.idx, geo.positions, -geo.normals,
                               (0.5, 0.5, 0.5), i, visible=False)
        mirror.raw += [verts, tris]
        self.ranges = [verts, tris]
        self.vidx = np.arange(verts.start, verts.stop, dtype=np.int64)
        self.tidx = np.arange(tris.start, tris.stop, dtype=np.int64)
        self.attrs = _Attrs(mirror.codes)
        self.attrs.last["visible"] = np.zeros(len(self.tidx))
        self.blend = None
        self.local = (geo.positions.astype(np.float64), geo.normals.astype(np.float64))
        self.world = None

    def update(self, node, world, exposure, state, op) -> list[str]:
        cam = np.asarray(state.camera.position, np.float64)
        c, n = self.centers, self.normals
        out: list[str] = []
        if world is not None:
            t, r, s = _decompose(world)
            inv = 1 / np.where(s == 0, 1, s)
            c = (c * s) @ r.T + t
            n = (n * inv) @ r.T
        if not _same(world, self.world):    # moved: the single triangles move vertex by vertex
            self.world = None if world is None else world.copy()
            p, vn = self.local
            if world is not None:
                p = (p * s) @ r.T + t
                vn = (vn * inv) @ r.T
                vn /= np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-12)
            out += self.attrs.diff("pos", self.vidx, p, 1e-4, _fmt3)
            out += self.attrs.diff("normal", self.vidx, -vn, 1e-4, _fmt3)
        away = np.einsum("ij,ij->i", n, cam - c) <= 0         # facing away from the camera
        # A shell (vessel, organ) shows its far side; an open sheet seen from its front
        # (almost nothing faces away) is shown whole.
        front = 1.0 - away.mean() if len(away) else 0.0
        self.sheet = front > 0.85 if not self.sheet else front > 0.75
        vis = np.ones_like(away) if self.sheet else away
        if self.param is not None:
            vis &= self.param <= node.material.reveal + 1e-6
        if not node.visible or op <= HIDE_BELOW:
            vis[:] = False
        col = _blend(np.clip(np.asarray(node.material.color) * exposure, 0, 1), op,
                     _background_rgb(state))
        out += self.attrs.diff("visible", self.tidx, vis.astype(np.float64), 0.5,
                               lambda v: [str(int(x)) for x in v])
        if self.blend is None or np.abs(self.blend - col).max() > 0.01:
            self.blend = col
            code = self.m.codes["color"]
            text = _fmt3(col[None])[0]
            out += [f"{code[0]}{i}{code[1]}{text}" for i in self.vidx.tolist()]
        return out

    def hide(self) -> list[str]:
        return self.attrs.diff("visible", self.tidx, np.zeros(len(self.tidx)), 0.5,
                               lambda v: [str(int(x)) for x in v])


class _MeshMirror:
    """One mesh node.  Static translucent meshes are cutaways; opaque ones, and translucent
    ones that move (a cell crawling: re-sending every vertex each frame would cost more
    than it shows), are one compound moved as a whole.  A model whose geometry changes
    every frame (a cell changing shape) is rebuilt at most every MORPH_S seconds."""

    MORPH_S = 1.0
    KEEP = 2

    def __init__(self, mirror: Mirror, name: str):
        self.m, self.name = mirror, name
        self.built: dict = {}              # (geometry key, kind) -> entry, oldest first
        self.current = None                # entry shown: ("compound", c, centre, size, ids)
        self.attrs = None                  #            or ("cutaway", _Cutaway)
        self.moving = False
        self._world = "unset"
        self._last_build = -1e9

    def _entry(self, node, kind: str, max_tris: int):
        key = (node.geometry.key, kind)
        entry = self.built.get(key)
        if entry is not None:
            return entry
        now = time.monotonic()
        if (self.current is not None and self.current[0] == kind and len(self.built) >= self.KEEP
                and now - self._last_build < self.MORPH_S):
            return self.current                # morphing: keep the last shape a moment
        self._last_build = now
        geo = decimate(node.geometry, max_tris)
        if kind == "cutaway":
            entry = ("cutaway", _Cutaway(self.m, geo))
        else:
            c, center, size, ids = _build_compound(self.m, geo,
                                                   shininess=_shininess(node.material))
            entry = ("compound", c, center, size, ids)
        self.built[key] = entry
        while len(self.built) > self.KEEP + 1:          # drop the oldest shapes for good
            old_key = next(iter(self.built))
            old = self.built.pop(old_key)
            if old is self.current:
                self.built[old_key] = old
                break
            self.m.wire.put(self._hide_entry(old))
            ids = old[1].ranges if old[0] == "cutaway" else old[4]
            self.m.wire.forget([i for r in ids for i in r])
        return entry

    def update(self, node: MeshNode, world, exposure, state, max_tris) -> list[str]:
        out: list[str] = []
        op = float(node.material.opacity)
        if op <= HIDE_BELOW or not node.visible:            # nothing to build or show
            return out + self.hide()
        if not isinstance(self._world, str) and not _same(world, self._world):
            self.moving = True
        self._world = None if world is None else world.copy()
        kind = "cutaway" if op < OPAQUE_ABOVE and not self.moving else "compound"
        entry = self._entry(node, kind, max_tris)
        if entry is not self.current:
            if self.current is not None:
                out += self._hide_entry(self.current)
            self.current = entry
            self.attrs = _Attrs(self.m.codes)
        if kind == "cutaway":
            return out + entry[1].update(node, world, exposure, state, op)
        _, c, center, size, _ = entry
        idx = np.array([c.idx])
        col = _blend(np.clip(np.asarray(node.material.color) * exposure, 0, 1), op,
                     _background_rgb(state))[None]
        a = self.attrs
        out += a.diff("color", idx, col, 2e-3, _fmt3)
        out += a.diff("visible", idx, np.array([float(node.material.reveal > 0)]), 0.5,
                      lambda v: [str(int(x)) for x in v])
        if world is not None:
            t, r, s = _decompose(world)
            pos = t + r @ (s * center)
            out += a.diff("pos", idx, pos[None], 1e-4, _fmt3)
            out += a.diff("axis", idx, (r[:, 0] * size[0] * s[0])[None], 1e-5, _fmt3)
            out += a.diff("up", idx, r[:, 1][None], 1e-5, _fmt3)
            out += a.diff("size", idx, (size * s)[None], 1e-5, _fmt3)
        return out

    def _hide_entry(self, entry) -> list[str]:
        if entry[0] == "cutaway":
            return entry[1].hide()
        return [f"a{entry[1].idx}{self.m.codes['visible'][1]}0"]

    def hide(self) -> list[str]:
        if self.current is None:
            return []
        if self.current[0] == "cutaway":
            return self.current[1].hide()
        return self.attrs.diff("visible", np.array([self.current[1].idx]), np.array([0.0]),
                               0.5, lambda v: [str(int(x)) for x in v])


class _GroupMirror:
    def __init__(self, mirror: Mirror, name: str, shape):
        self.m, self.name, self.shape = mirror, name, shape
        self.pool: list = []
        self.idx = np.zeros(0, np.int64)
        self.attrs = _Attrs(mirror.codes)
        self._sel_key = None
        self._sel = None
        self._proto = None                # Geometry shapes: the compound the clones copy
        self.smooth = None                # smooth or simple spheres, fixed on first use

    def _grow(self, k: int, node: InstancedNode):
        if self.smooth is None:
            self.smooth = (not isinstance(self.shape, Geometry) and node.count <= FULL_SPHERES
                           and self.m.smooth_used + node.count <= SMOOTH_BUDGET)
            if self.smooth:
                self.m.smooth_used += node.count
        vp = self.m.vp
        vec = vp.vector
        sh = _shininess(node.material)
        while len(self.pool) < k:
            if isinstance(self.shape, Geometry) or self.smooth:
                if self._proto is None:
                    geo = (decimate(self.shape, SHAPE_TRIANGLES) if isinstance(self.shape, Geometry)
                           else uv_sphere(1.0, *SMOOTH_SPHERE))
                    self._proto = _build_compound(self.m, geo, shininess=sh, visible=False)
                o = _clone(self.m, self._proto[0], visible=False)
            else:
                o = vp.simple_sphere(pos=vec(0, 0, 0), size=vec(1, 1, 1), shininess=sh,
                                     visible=False)
            self.m.objects.append(o)
            self.pool.append(o)
        self.idx = np.array([o.idx for o in self.pool], np.int64)

    def _select(self, n: int, k: int) -> np.ndarray:
        if (n, k) != self._sel_key:
            self._sel_key = (n, k)
            self._sel = np.unique(np.linspace(0, n - 1, k).round().astype(np.int64)) if k < n \
                else np.arange(n)
        return self._sel

    def update(self, node: InstancedNode, world, exposure, cap: int, bg) -> list[str]:
        inst = node.instances
        n = len(inst)
        k = min(n, cap) if node.visible else 0
        sel = self._select(n, k) if k else np.zeros(0, np.int64)
        k = len(sel)
        self._grow(k, node)
        mat = node.material
        pos = inst.position[sel].astype(np.float64)
        rot = quat_to_matrix(inst.orientation[sel])            # k×3×3
        scale = inst.scale[sel].astype(np.float64)
        if world is not None:
            t, r, s = _decompose(world)
            pos = pos * s @ r.T + t
            rot = np.einsum("ij,kjl->kil", r, rot)
            scale = scale * s
        if isinstance(self.shape, Geometry):
            lo, hi = self.shape.bounds()
            base = np.maximum(hi - lo, 1e-6).astype(np.float64)
            ctr = ((lo + hi) / 2).astype(np.float64)
            size = base * scale
            pos = pos + np.einsum("kij,kj->ki", rot, ctr * scale)
        else:
            size = 2.0 * scale
        col = inst.color[sel] if inst.color is not None else np.broadcast_to(mat.color, (k, 3))
        col = np.clip(np.asarray(col, np.float64) * exposure, 0, 1)
        op = np.clip(mat.opacity * inst.opacity[sel].astype(np.float64), 0, 1)
        col = _blend(col, op, bg)
        vis = (op > HIDE_BELOW).astype(np.float64)
        # Pool entries beyond k are hidden.
        m = len(self.pool)
        visall = np.zeros(m)
        visall[:k] = vis
        a = self.attrs
        ids = self.idx[:k]
        out = a.diff("visible", self.idx, visall, 0.5, lambda v: [str(int(x)) for x in v])
        if k:
            out += a.diff("pos", ids, pos, 1e-3, _fmt3)
            out += a.diff("axis", ids, rot[:, :, 0] * size[:, :1], 1e-4, _fmt3)
            out += a.diff("up", ids, rot[:, :, 1], 1e-4, _fmt3)
            out += a.diff("size", ids, size, 1e-4, _fmt3)
            out += a.diff("color", ids, col, 2e-3, _fmt3)
        return out

    def hide(self) -> list[str]:
        if not self.pool:
            return []
        return self.attrs.diff("visible", self.idx, np.zeros(len(self.pool)), 0.5,
                               lambda v: [str(int(x)) for x in v])


def _clone(mirror: Mirror, proto, **args):
    """A compound clone made without VPython's wait for the page (see fast_compound)."""
    from vpython.vpython import compound, standardAttributes
    vp = mirror.vp
    c = compound.__new__(compound)
    c._obj_idxs = None
    args.update({"_cloneid": proto.idx, "_default_size": vp.vector(1, 1, 1),
                 "pos": vp.vector(proto._pos), "color": vp.vector(proto._color)})
    compound.compound_idx += 1
    args["_objName"] = "compound" + str(compound.compound_idx)
    standardAttributes.setup(c, args)
    c._sizing = False
    c._size.value = proto._size
    return c
