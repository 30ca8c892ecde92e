"""GL backend: goldens of the bloodstream shot, determinism, depth and transparency."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hepaanim import Film, InstancedNode, Instances, Material, MeshNode
from hepaanim.loader import load
from hepaanim.render.frames import make_renderer
from hepaanim.scene import Geometry, uv_sphere

from .conftest import GOLDEN_SIZE, ROOT

W, H = GOLDEN_SIZE


@pytest.fixture(scope="module")
def renderer():
    r = make_renderer(W, H)
    yield r
    r.close()


@pytest.fixture(scope="module")
def bloodstream():
    return load(ROOT / "scenes" / "bloodstream.py")


@pytest.mark.parametrize("t", [0.5, 4.0, 7.5])
def test_bloodstream_goldens(renderer, bloodstream, golden, t):
    golden(f"bloodstream_t{t:04.1f}", renderer.render_array(bloodstream.evaluate(t)))


def test_frames_are_deterministic_across_renderers(renderer, bloodstream):
    a = renderer.render_array(bloodstream.evaluate(3.3))
    with make_renderer(W, H) as other:
        b = other.render_array(bloodstream.evaluate(3.3))
    assert np.array_equal(a, b)
    renderer.render_array(bloodstream.evaluate(6.0))           # render something else between
    assert np.array_equal(renderer.render_array(bloodstream.evaluate(3.3)), a)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-5, max_value=20, allow_nan=False))
def test_bloodstream_evaluates_finite_for_any_t(bloodstream, t):
    s = bloodstream.evaluate(t)
    for n in s.nodes.values():
        if isinstance(n, InstancedNode):
            assert np.all(np.isfinite(n.instances.position))
            assert np.all(np.isfinite(n.instances.orientation))


def _plane(size=10.0):
    p = np.array([[-size, -size, 0], [size, -size, 0], [size, size, 0], [-size, size, 0]], float)
    n = np.tile([0, 0, 1.0], (4, 1))
    return Geometry(p, n, np.array([[0, 1, 2], [0, 2, 3]]))


def _shot(build):
    f = Film("probe")
    a = f.act("a", 1.0)
    build(a)
    a.camera.set(position=(0, -12, 6), target=(0, 0, 0), fov=35)
    return f.evaluate(0.0)


def test_impostors_write_correct_depth(renderer):
    """A sphere half sunk in a floor shows only its upper half; the floor hides the rest."""
    def build(a):
        a.add(MeshNode("floor", geometry=_plane(), material=Material("#20c020")))
        a.add(InstancedNode("ball", instances=Instances([[0, 0, 0]], scale=2.0),
                            material=Material("#ff2020")))
    img = renderer.render_array(_shot(build)).astype(int)
    red = (img[..., 0] > 120) & (img[..., 1] < 90)
    rows = np.nonzero(red.any(axis=1))[0]
    cols = np.nonzero(red.any(axis=0))[0]
    assert red.sum() > 400
    # seen from above the floor, the visible part is wider than it is tall (a dome)
    assert (cols.max() - cols.min()) > 1.3 * (rows.max() - rows.min())
    # and the floor is visible right below the ball's equator line
    assert img[rows.max() + 3, (cols.min() + cols.max()) // 2, 1] > 120


def test_translucent_wall_shows_what_is_inside(renderer):
    def build(a, opacity):
        a.add(InstancedNode("core", instances=Instances([[0, 0, 0]], scale=1.5),
                            material=Material("#ffd000")))
        a.add(MeshNode("shell", geometry=uv_sphere(4.0, 24, 48),
                       material=Material("#3050ff", opacity=opacity)))
    seen = renderer.render_array(_shot(lambda a: build(a, 0.25))).astype(int)
    hidden = renderer.render_array(_shot(lambda a: build(a, 1.0))).astype(int)
    c = seen[H // 2 - 5:H // 2 + 5, W // 2 - 5:W // 2 + 5]
    assert c[..., 0].mean() > c[..., 2].mean()           # yellow core shows through
    h = hidden[H // 2 - 5:H // 2 + 5, W // 2 - 5:W // 2 + 5]
    assert h[..., 2].mean() > h[..., 0].mean()           # an opaque shell hides it


def test_translucent_instances_blend_back_to_front(renderer):
    """Two overlapping translucent cells: the near one's colour dominates the overlap."""
    def build(a, near_color, far_color):
        a.add(InstancedNode("cells", instances=Instances(
            [[0.6, -3, 0], [-0.6, 3, 0]], scale=2.0, color=[near_color, far_color],
            opacity=[0.7, 0.7]), material=Material("#ffffff")))
    img = renderer.render_array(_shot(lambda a: build(a, [1, 0.1, 0.1], [0.1, 0.1, 1])))
    img = img.astype(int)
    centre = img[H // 2 - 3:H // 2 + 3, W // 2 - 3:W // 2 + 3]
    assert centre[..., 0].mean() > centre[..., 2].mean()



@pytest.mark.parametrize("rows, cols, distance, per_vertex", [
    (60, 120, 40.0, True),      # fine and smooth, triangles under a pixel on screen
    (6, 12, 40.0, False),       # coarse: normals turn ~30 degrees between vertices
    (60, 120, 3.2, False),      # fine, but seen so close that its triangles are big
])
def test_auto_shading_lights_small_smooth_triangles_per_vertex(renderer, rows, cols,
                                                               distance, per_vertex):
    """shading="auto" draws exactly the per-vertex picture for a fine, smooth mesh small
    on screen, and exactly the per-pixel one otherwise; where it picks per vertex, the
    picture stays within a few levels of per-pixel light."""
    def shot(shading):
        f = Film("probe")
        a = f.act("a", 1.0)
        a.add(MeshNode("ball", geometry=uv_sphere(2.0, rows, cols),
                       material=Material("#c05050", roughness=0.3, rim=0.2, shading=shading)))
        a.camera.set(position=(0, -distance, 0.3 * distance), target=(0, 0, 0), fov=35)
        return renderer.render_array(f.evaluate(0.0)).astype(int)
    auto, pixel, vertex = shot("auto"), shot("pixel"), shot("vertex")
    assert not np.array_equal(pixel, vertex)
    assert np.array_equal(auto, vertex if per_vertex else pixel)
    if per_vertex:
        assert np.abs(auto - pixel).max() <= 8


def test_spatial_order_keeps_every_triangle_and_the_picture():
    """Big opaque meshes are uploaded with their triangles in spatial order: the same
    triangles, each with its winding, and the same picture as in the mesh's own order."""
    from hepaanim.render.gl.renderer import SPATIAL_MIN_TRIANGLES, spatial_order
    g = uv_sphere(2.0, 64, 128)
    assert g.triangle_count >= SPATIAL_MIN_TRIANGLES
    tris = spatial_order(g.positions, g.indices)
    assert not np.array_equal(tris, g.indices)
    rolled = np.array([np.roll(t, -int(np.argmin(t))) for t in tris])   # winding-preserving
    ref = np.array([np.roll(t, -int(np.argmin(t))) for t in g.indices])
    assert sorted(map(tuple, rolled)) == sorted(map(tuple, ref))
    f = Film("probe")
    a = f.act("a", 1.0)
    a.add(MeshNode("ball", geometry=g, material=Material("#c05050", shading="pixel")))
    a.camera.set(position=(0, -7, 2), target=(0, 0, 0), fov=35)
    state = f.evaluate(0.0)
    with make_renderer(W, H, "none", "draft") as r:
        ordered = r.render_array(state)
    with make_renderer(W, H, "none", "draft") as r:
        get = r.geometry.get
        r.geometry.get = lambda geom, spatial=False: get(geom, False)
        plain = r.render_array(state)
    assert np.array_equal(ordered, plain)


def _flat_discs(n=400, seed=1):
    """Small, flat, randomly turned ellipsoids (like the sinusoid's fenestrae) before a
    camera 12 units away: each covers a pixel or two at 320x180."""
    rng = np.random.default_rng(seed)
    pos = np.c_[rng.uniform(-4, 4, n), rng.uniform(-2.2, 2.2, n), rng.uniform(-1, 1, n)]
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    scale = np.c_[np.full(n, 0.03), np.full(n, 0.03), np.full(n, 0.005)]
    f = Film("discs")
    a = f.act("a", 1.0)
    a.add(InstancedNode("discs", shape="sphere", instances=Instances(pos, q, scale),
                        material=Material("#ffffff", emissive=3.0)))
    a.camera.set(position=(0, 0, 12), target=(0, 0, 0), fov=40)
    return f.evaluate(0.0), pos, q, scale


def _ray_cast_coverage(state, pos, q, scale, w, h):
    """Which pixel centres' view rays hit an ellipsoid, in float64 on the CPU."""
    from hepaanim.scene.transform import quat_rotate
    view = state.camera.view_matrix()
    proj = state.camera.projection_matrix(w / h)
    xs, ys = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    dirs = np.stack([(xs / w * 2 - 1) / proj[0, 0], (1 - ys / h * 2) / proj[1, 1],
                     -np.ones_like(xs)], -1)
    dirs /= np.linalg.norm(dirs, axis=-1, keepdims=True)
    hit = np.zeros((h, w), bool)
    for p, qi, s in zip(pos, q, scale):
        c = (view @ np.append(p, 1.0))[:3]
        rot = view[:3, :3] @ np.stack([quat_rotate(qi, e) for e in np.eye(3)], 1)
        to_unit = np.diag(1 / s) @ rot.T
        o, d = to_unit @ -c, dirs @ to_unit.T
        a, b = (d * d).sum(-1), d @ o
        disc = b * b - a * (o @ o - 1)
        hit |= (disc >= 0) & (-b - np.sqrt(np.maximum(disc, 0)) > 0)
    return hit


@pytest.mark.parametrize("points", [True, False])
def test_small_flat_impostors_cover_exactly_the_pixels_their_rays_hit(points):
    """Ray-cast impostors hit what a float64 ray cast hits, pixel for pixel, for bodies
    small, flat and far away (the textbook intersection lost them to float rounding:
    pixels that came and went), drawn as point sprites or as quads."""
    state, pos, q, scale = _flat_discs()
    blank = Film("blank")
    blank.act("a", 1.0).camera.set(position=(0, 0, 12), target=(0, 0, 0), fov=40)
    with make_renderer(W, H, "none", "draft") as r:
        if not points:
            r._max_point = 0.0
        img = r.render_array(state).astype(int)
        bg = r.render_array(blank.evaluate(0.0)).astype(int)
    drawn = np.abs(img - bg)[..., :3].max(axis=-1) > 0
    expected = _ray_cast_coverage(state, pos, q, scale, W, H)
    assert expected.sum() > 150
    assert np.array_equal(drawn, expected)


def test_point_sprites_draw_what_quads_draw_and_spare_the_frame_edge():
    """Impostors wholly in view are drawn as point sprites, the rest as quads (GL clips a
    point by its centre): the picture is the quads' picture, bodies cut by the frame edge
    included, up to a few edge pixels where float rounding differs."""
    rng = np.random.default_rng(4)
    n = 300
    pos = np.c_[rng.uniform(-9, 9, n), rng.uniform(-5, 5, n), rng.uniform(-3, 3, n)]
    radius = rng.uniform(0.1, 0.6, n)
    pos[0], radius[0] = (13.8, 0.0, 0.0), 1.6     # centre outside the frame, body in it
    f = Film("spheres")
    a = f.act("a", 1.0)
    a.add(InstancedNode("balls", instances=Instances(pos, scale=radius),
                        material=Material("#40a0c0", roughness=0.3, rim=0.3)))
    a.add(InstancedNode("eggs", shape="sphere", instances=Instances(
        pos[:60] + [0.0, 0.0, 4.0], scale=np.c_[np.full(60, 0.5), np.full(60, 0.3),
                                                  np.full(60, 0.2)]),
        material=Material("#c08040")))
    a.camera.set(position=(0, 0, 20), target=(0, 0, 0), fov=40)
    state = f.evaluate(0.0)
    with make_renderer(W, H, "none", "draft") as r:
        view = state.camera.view_matrix()
        r.render(state)
        kinds = [item[0] for item in r._collect(state, view)[0]]
        assert "sphere_pt" in kinds and "sphere" in kinds and "impostor_pt" in kinds
        pts = r.render_array(state).astype(int)
        r._max_point = 0.0
        quads = r.render_array(state).astype(int)
    edge = pts[:, -3:, :3]                        # the body cut by the right edge
    assert np.abs(edge - quads[:, -3:, :3]).max() <= 16 and edge[..., 2].max() > 120
    differ = np.abs(pts - quads)[..., :3].max(axis=-1) > 16
    assert differ.mean() < 0.001, differ.sum()

def test_resources_are_released():
    r = make_renderer(64, 36)
    f = Film("x")
    a = f.act("a", 1)
    a.add(MeshNode("m", geometry=uv_sphere(1, 8, 16)))
    r.render(f.evaluate(0))
    assert r.geometry.entries
    r.close()
    assert not r.geometry.entries and not r._vaos and not r._inst


@pytest.mark.parametrize("aa", ["fxaa", "edge"])
def test_anti_aliasing_softens_silhouettes(aa):
    """A saturated white disc on black: without AA its edge pixels are all-or-nothing;
    with AA the silhouette gets intermediate values (and the interior stays exact)."""
    def build(a):
        a.add(InstancedNode("disc", instances=Instances([[0, 0, 0]], scale=3.0),
                            material=Material("#ffffff", emissive=80.0)))
        a.set("scene.background_top", (0, 0, 0))
        a.set("scene.background_bottom", (0, 0, 0))
        a.set("scene.bloom", 0.0)          # no glow: only the silhouette may be grey
        a.set("scene.vignette", 0.0)
    state = _shot(build)
    counts = {}
    for mode in ("none", aa):
        with make_renderer(W, H, mode) as r:
            lum = r.render_array(state)[..., :3].astype(int).mean(axis=2)
        counts[mode] = int(((lum > 25) & (lum < 230)).sum())
        assert lum[H // 2, W // 2] > 250
    assert counts["none"] < 5
    assert counts[aa] > 60


def test_missing_golden_fails_with_a_clear_message(golden, update_goldens):
    if update_goldens:
        pytest.skip("not meaningful while rewriting goldens")
    frame = np.random.default_rng(0).integers(0, 255, (H, W, 3), dtype=np.uint8)
    with pytest.raises(pytest.fail.Exception, match="golden tests/goldens/no_such_shot.png "
                                                    "is missing.*--update-goldens"):
        golden("no_such_shot", frame)


def test_golden_mismatch_writes_expected_actual_diff(golden, update_goldens, bloodstream,
                                                      renderer):
    if update_goldens:
        pytest.skip("not meaningful while rewriting goldens")
    frame = renderer.render_array(bloodstream.evaluate(4.0))
    frame[40:120, 100:220] = 255                         # a visible defect
    with pytest.raises(pytest.fail.Exception, match=r"_expected\.png.*_actual\.png.*_diff\.png"):
        golden("bloodstream_t04.0", frame)
    failures = ROOT / "tests" / "_failures"
    for k in ("expected", "actual", "diff"):
        assert (failures / f"bloodstream_t04.0_{k}.png").exists()


def test_read_back_is_top_row_first_with_or_without_pack_invert(bloodstream):
    """Frames come back top row first: through GL_MESA_pack_invert on Mesa, through a
    flip in numpy on a driver without it (an NVIDIA GPU); both give the same picture,
    whose sky (the backdrop's lighter top) is at the top."""
    state = bloodstream.evaluate(2.0)
    with make_renderer(160, 90, "none", "draft") as r:
        fast = r.render_array(state)
        lent = bytearray(160 * 90 * 4)            # drawn into a lent buffer (the encoders')
        assert r.render(state, lent) is lent and lent == fast.tobytes()
        r.gl._pixel_store = None                  # as on a driver without the extension
        flipped = r.render_array(state)
        lent[:] = bytes(len(lent))
        assert r.render(state, lent) is lent and lent == fast.tobytes()
    assert np.array_equal(fast, flipped)
    with make_renderer(160, 90, "none", "draft") as r:
        empty = Film("empty")
        empty.act("a", 1.0)
        img = r.render_array(empty.evaluate(0.5)).astype(int)
    assert img[:5, :, :3].sum() > img[-5:, :, :3].sum()     # lighter top, darker bottom
