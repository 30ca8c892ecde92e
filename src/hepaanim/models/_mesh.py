"""Shared mesh helpers for the model library (pure numpy, no units of their own).

Why these exist: the engine's primitives (``uv_sphere``, ``tube`` ...) cover simple shapes;
anatomy needs a few more: a welded cube-sphere (even triangles, no pole pinch), star-shaped
implicit surfaces found by shooting rays from a centre (organ, lungs, heart: smooth, closed,
with a fixed triangle count whatever the shape), radius functions on a sphere (cells), fast
smooth normals, and the edge checks the tests use.
"""
from __future__ import annotations

import functools

import numpy as np

from ..scene.geometry import (Geometry, arc_length, capped_tube, merge, tube,  # noqa: F401
                              vertex_normals)


# --- normals and checks ------------------------------------------------------------------
def face_normals(g: Geometry) -> np.ndarray:
    p = g.positions.astype(np.float64)
    i = g.indices.astype(np.int64)
    fn = np.cross(p[i[:, 1]] - p[i[:, 0]], p[i[:, 2]] - p[i[:, 0]])
    return fn / np.maximum(np.linalg.norm(fn, axis=1, keepdims=True), 1e-30)


def open_edges(g: Geometry) -> int:
    """How many undirected edges are not shared by exactly two triangles (0: closed)."""
    i = g.indices.astype(np.int64)
    e = np.concatenate([i[:, [0, 1]], i[:, [1, 2]], i[:, [2, 0]]])
    e.sort(axis=1)
    key = e[:, 0] * (len(g.positions) + 1) + e[:, 1]
    _, counts = np.unique(key, return_counts=True)
    return int((counts != 2).sum())


def mesh(positions, indices, param=None, normals=None) -> Geometry:
    """A Geometry with smooth normals computed from its triangles."""
    positions = np.asarray(positions, dtype=np.float64)
    if normals is None:
        normals = vertex_normals(positions, indices)
    return Geometry(positions, normals, indices, param)


# --- spheres -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def _cube_sphere(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit directions, CCW triangles and integer lattice points of a welded cube-sphere.

    A cube's six n×n grids pushed onto the sphere (tangent-warped so cells stay near-square).
    Unlike a UV sphere there are no poles, so any star-shaped surface built on it has
    evenly sized triangles and no pinched normals.  Arrays are shared: do not modify.
    """
    m = n + 1
    ids = -np.ones((m, m, m), dtype=np.int64)
    g = np.arange(m)
    A, B = np.meshgrid(g, g, indexing="ij")
    faces = []
    coords = []
    count = 0
    for axis in range(3):
        for side in (0, n):
            xyz = [None, None, None]
            o1, o2 = [a for a in range(3) if a != axis]
            xyz[axis] = np.full_like(A, side)
            xyz[o1], xyz[o2] = A, B
            grid = ids[xyz[0], xyz[1], xyz[2]]
            new = grid < 0
            k = int(new.sum())
            grid[new] = np.arange(count, count + k)
            ids[xyz[0], xyz[1], xyz[2]] = grid
            coords.append(np.stack([xyz[0][new], xyz[1][new], xyz[2][new]], -1))
            count += k
            a, b = grid[:-1, :-1].ravel(), grid[1:, :-1].ravel()
            c, d = grid[:-1, 1:].ravel(), grid[1:, 1:].ravel()
            faces.append(np.stack([a, b, d], 1))
            faces.append(np.stack([a, d, c], 1))
    lattice_int = np.concatenate(coords)
    lattice = lattice_int.astype(np.float64) / n * 2 - 1
    warped = np.tan(lattice * np.pi / 4)
    dirs = warped / np.linalg.norm(warped, axis=1, keepdims=True)
    idx = np.concatenate(faces)
    # Orient every triangle outward (the sphere is convex about its centre).
    p = dirs[idx]
    fn = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    flip = np.einsum("ij,ij->i", fn, p.sum(1)) < 0
    idx[flip] = idx[flip][:, [0, 2, 1]]
    dirs.setflags(write=False)
    idx = idx.astype(np.uint32)
    idx.setflags(write=False)
    lattice_int.setflags(write=False)
    return dirs, idx, lattice_int


def cube_sphere(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit directions (V×3) and CCW triangles (12·n²) of a welded cube-sphere (cached)."""
    d, i, _ = _cube_sphere(n)
    return d, i


def _coarse_neighbour(n: int, coarse: int) -> np.ndarray:
    """Index, in the ``coarse`` cube-sphere, of each ``n`` vertex's nearest lattice point."""
    m = n // coarse
    _, _, lat = _cube_sphere(n)
    _, _, lat_c = _cube_sphere(coarse)
    near = (np.rint(lat / m) * m).astype(np.int64) // m
    lookup = -np.ones((coarse + 1,) * 3, dtype=np.int64)
    lookup[lat_c[:, 0], lat_c[:, 1], lat_c[:, 2]] = np.arange(len(lat_c))
    return lookup[near[:, 0], near[:, 1], near[:, 2]]


@functools.lru_cache(maxsize=32)
def sphere(radius: float = 1.0, n: int = 8) -> Geometry:
    """A closed cube-sphere of the given radius (12·n² triangles)."""
    d, i = cube_sphere(n)
    return Geometry(d * radius, d, i)


def radial_mesh(radius_fn, n: int, center=(0.0, 0.0, 0.0), axes=(1.0, 1.0, 1.0)) -> Geometry:
    """Closed star-shaped mesh: vertex = centre + r(d)·d on a cube-sphere of ``n``.

    ``radius_fn(d)`` takes unit directions (V×3) and returns radii (V,).  ``axes`` stretches
    the direction field first (an elongated cell gets evenly sized triangles).
    """
    u, idx = cube_sphere(n)
    d = u * np.asarray(axes, dtype=np.float64)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    r = np.asarray(radius_fn(d), dtype=np.float64)
    pos = np.asarray(center, dtype=np.float64) + d * r[:, None]
    return mesh(pos, idx)


def _ray_roots(field, c, d, t_out, t_in, steps, iterations):
    """Outermost root of field(c + t·d) for t in [t_in, t_out] per ray (V rays).

    Returns (t, ok): ``ok`` False where the bracket does not contain a sign change
    (outer end inside or inner end outside).
    """
    frac = np.linspace(0.0, 1.0, steps)
    ts = t_out[:, None] + (t_in - t_out)[:, None] * frac[None, :]
    vals = field((c + d[:, None, :] * ts[:, :, None]).reshape(-1, 3)).reshape(len(d), steps)
    inside = vals < 0
    first = np.argmax(inside, axis=1)
    ok = inside[:, -1] & (first > 0)
    rows = np.arange(len(d))
    prev = np.maximum(first - 1, 0)
    lo, hi = ts[rows, first], ts[rows, prev]           # lo inside (f<0), hi outside
    flo, fhi = vals[rows, first], vals[rows, prev]
    # Illinois regula falsi: the field is nearly a distance, so this converges in a few steps.
    side = np.zeros(len(d))
    for _ in range(iterations):
        denom = np.where(np.abs(fhi - flo) < 1e-12, 1e-12, fhi - flo)
        mid = lo - flo * (hi - lo) / denom
        mid = np.clip(mid, np.minimum(lo, hi), np.maximum(lo, hi))
        f = field(c + d * mid[:, None])
        ins = f < 0
        lo = np.where(ins, mid, lo)
        flo = np.where(ins, f, flo)
        hi = np.where(ins, hi, mid)
        fhi = np.where(ins, fhi, f)
        # Illinois: halve the stale end's value when the same end moves twice.
        fhi = np.where(ins & (side > 0), fhi * 0.5, fhi)
        flo = np.where(~ins & (side < 0), flo * 0.5, flo)
        side = np.where(ins, 1.0, -1.0)
    t = lo - flo * (hi - lo) / np.where(np.abs(fhi - flo) < 1e-12, 1e-12, fhi - flo)
    return np.clip(t, np.minimum(lo, hi), np.maximum(lo, hi)), ok


def implicit_star_mesh(field, n: int, center, axes, reach: float, steps: int = 40,
                       iterations: int = 6, coarse: int = 16, window: float = 10.0) -> Geometry:
    """Closed mesh of the zero set of ``field`` (negative inside), star-shaped about ``center``.

    Rays leave the centre along a cube-sphere's directions (stretched by ``axes``); along
    each, the outermost sign change is bracketed and refined by regula falsi.  A coarse
    sphere (``coarse``) is scanned over the whole ``reach`` first; each fine ray then only
    searches ``window`` either side of its nearest coarse neighbour's radius (and falls back
    to a full scan where that bracket fails).  The result is a watertight mesh with a fixed
    triangle budget and smooth normals, with no marching-cubes faceting.
    """
    c = np.asarray(center, dtype=np.float64)
    axes = np.asarray(axes, dtype=np.float64)

    def dirs(m):
        u, idx = cube_sphere(m)
        d = u * axes
        return u, d / np.linalg.norm(d, axis=1, keepdims=True), idx

    uc, dc, _ = dirs(coarse)
    rc, okc = _ray_roots(field, c, dc, np.full(len(dc), reach), np.zeros(len(dc)), steps,
                         iterations)
    if not okc.all():
        raise ValueError("implicit_star_mesh: the centre must lie inside the surface and "
                         "the surface within reach")
    u, d, idx = dirs(n)
    if n % coarse == 0:
        near = _coarse_neighbour(n, coarse)
    else:
        near = np.concatenate([np.argmax(u[k:k + 2048] @ uc.T, axis=1)
                               for k in range(0, len(u), 2048)])
    r0 = rc[near]
    sub_steps = max(4, int(np.ceil(2 * window / 4.0)) + 1)
    r, ok = _ray_roots(field, c, d, r0 + window, np.maximum(r0 - window, 0.0), sub_steps,
                       iterations)
    if not ok.all():
        bad = ~ok
        rb, okb = _ray_roots(field, c, d[bad], np.full(int(bad.sum()), reach),
                             np.zeros(int(bad.sum())), steps, iterations)
        r[bad] = rb
    pos = c + d * r[:, None]
    return mesh(pos, idx)


# --- implicit-surface building blocks (approximate signed distances, mm or µm alike) ---------
def sd_ellipsoid(p: np.ndarray, center, axes) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipsoid (Quilez's bound)."""
    q = (p - np.asarray(center, dtype=np.float64)) / np.asarray(axes, dtype=np.float64)
    a = np.asarray(axes, dtype=np.float64)
    k0 = np.linalg.norm(q, axis=-1)
    k1 = np.linalg.norm(q / a, axis=-1)
    return np.where(k1 < 1e-9, -a.min(), k0 * (k0 - 1.0) / np.maximum(k1, 1e-9))


def sd_capsule(p: np.ndarray, a, b, r) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    ab = np.asarray(b, dtype=np.float64) - a
    h = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(p - a - h[..., None] * ab, axis=-1) - r


def smin(a, b, k: float):
    """Polynomial smooth minimum (blends two surfaces with a fillet of size ~k)."""
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.minimum(a, b) - h * h * k * 0.25


def smax(a, b, k: float):
    return -smin(-a, -b, k)


def field_gradient(field, p: np.ndarray, eps: float) -> np.ndarray:
    """Central-difference gradient of a field at points p (N×3)."""
    g = np.empty_like(p)
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        g[:, k] = (field(p + e) - field(p - e)) / (2 * eps)
    return g


# --- paths ---------------------------------------------------------------------------------
def resample(path: np.ndarray, count: int) -> np.ndarray:
    """``count`` points evenly spaced by arc length along a polyline."""
    path = np.asarray(path, dtype=np.float64)
    s = arc_length(path)
    t = np.linspace(0.0, s[-1], count)
    return np.stack([np.interp(t, s, path[:, k]) for k in range(3)], -1)


def catmull_rom_path(points, samples_per_segment: int = 8) -> np.ndarray:
    """Smooth curve through control points (centripetal-free uniform Catmull-Rom)."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 3:
        return resample(p, max(2, samples_per_segment * (len(p) - 1) + 1))
    ext = np.concatenate([[2 * p[0] - p[1]], p, [2 * p[-1] - p[-2]]])
    u = np.linspace(0, 1, samples_per_segment, endpoint=False)[:, None]
    u2, u3 = u * u, u * u * u
    out = []
    for k in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[k - 1], ext[k], ext[k + 1], ext[k + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * u3))
    out.append(p[-1:])
    return np.concatenate(out)


def flip_inside_out(g: Geometry) -> Geometry:
    """The same surface seen from inside (inner walls of hollow things)."""
    return Geometry(g.positions, -g.normals, g.indices[:, [0, 2, 1]], g.param)


def hollow_tube(path, radius, thickness, sides: int = 24, param=None) -> Geometry:
    """A closed tube wall: outer surface, inner surface and end rings (watertight)."""
    p = np.asarray(path, dtype=np.float64)
    r = np.broadcast_to(np.asarray(radius, dtype=np.float64), (len(p),))
    outer = tube(p, r + thickness / 2, sides=sides, param=param)
    inner = flip_inside_out(tube(p, r - thickness / 2, sides=sides, param=param))
    g = merge([outer, inner])
    nv = len(outer.positions)
    n = len(p)
    k = np.arange(sides)
    rings = []
    for row in (0, n - 1):
        o = row * sides + k
        i = nv + row * sides + k
        o1, i1 = o[(k + 1) % sides], i[(k + 1) % sides]
        a = np.stack([o, i, o1], 1)
        b = np.stack([o1, i, i1], 1)
        t = np.concatenate([a, b])
        rings.append(t)
    # Fix ring orientation against the end tangent, whatever the frame handedness.
    pos = g.positions.astype(np.float64)
    for j, (row, sign) in enumerate(((0, -1.0), (n - 1, 1.0))):  # caps face away
        tgt = p[min(row + 1, n - 1)] - p[max(row - 1, 0)]
        tgt = sign * tgt
        tri = rings[j]
        fn = np.cross(pos[tri[:, 1]] - pos[tri[:, 0]], pos[tri[:, 2]] - pos[tri[:, 0]])
        if (fn @ tgt).sum() < 0:
            rings[j] = tri[:, [0, 2, 1]]
    idx = np.concatenate([g.indices, *rings]).astype(np.uint32)
    # Soft bevel: the rim vertices lean halfway toward the end's axis, so both the walls and
    # the flat end rings shade (and face) consistently.
    nrm = g.normals.astype(np.float64).copy()
    for row, sign in ((0, -1.0), (n - 1, 1.0)):
        tgt = p[min(row + 1, n - 1)] - p[max(row - 1, 0)]
        tgt = sign * tgt / max(np.linalg.norm(tgt), 1e-12)
        for base in (row * sides, nv + row * sides):
            sl = slice(base, base + sides)
            v = nrm[sl] + tgt
            nrm[sl] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return Geometry(g.positions, nrm, idx, g.param)


# --- misc ----------------------------------------------------------------------------------
def smoothstep(e0: float, e1: float, x):
    t = np.clip((np.asarray(x, dtype=np.float64) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def fibonacci_sphere(count: int) -> np.ndarray:
    """``count`` near-evenly spread unit vectors (deterministic, no random state)."""
    k = np.arange(count) + 0.5
    z = 1 - 2 * k / count
    r = np.sqrt(np.maximum(0.0, 1 - z * z))
    ph = np.pi * (1 + 5 ** 0.5) * k
    return np.stack([r * np.cos(ph), r * np.sin(ph), z], -1)


def random_quaternions(rng: np.random.Generator, count: int) -> np.ndarray:
    """Uniformly random rotations (x, y, z, w)."""
    q = rng.normal(size=(count, 4))
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def lerp(a, b, t):
    return a + (b - a) * t


def mix_color(a, b, t) -> np.ndarray:
    from ..scene.color import rgb
    return rgb(a) * (1 - t) + rgb(b) * t
