"""Look development: effects that must not shimmer, and that do what they say."""
import numpy as np
import pytest

from hepaanim import Film, InstancedNode, Instances, Material, MeshNode
from hepaanim.render.frames import make_renderer
from hepaanim.scene import uv_sphere
from hepaanim.scene.grade import Grade

W, H = 320, 180


def _static_shot(hdr: bool):
    f = Film("look")
    a = f.act("a", 2.0)
    a.add(MeshNode("organ", geometry=uv_sphere(2.0, 48, 96),
                   material=Material("liver_maroon", roughness=0.25)))
    rng = np.random.default_rng(3)
    p0 = rng.normal(0, 3.0, (300, 3))
    p0[:, 0] += np.sign(p0[:, 0]) * 3.0            # keep the organ itself clear
    a.add(InstancedNode("cytokines", shape="glow", instances=Instances(p0, scale=0.05),
                        material=Material("inflammation_ember", emissive=3.0)))
    a.procedural("cytokines.instances.position", lambda t: p0 + [0.25 * t, 0.0, 0.1 * t])
    a.camera.set(position=(0, -12, 3), target=(0, 0, 0), fov=40)
    for k, v in (("bloom", 0.8), ("fog", 0.02), ("focus_distance", 12.0), ("aperture", 1.5)):
        a.set(f"scene.{k}", v)
    return f


def _frame_to_frame(film, hdr, effects: bool):
    with make_renderer(W, H, "fxaa" if effects else "none", "full", hdr) as r:
        frames = []
        for k in range(6):
            s = film.evaluate(k / 30)
            s.settings = s.settings.copy()
            if not effects:
                s.settings.bloom = s.settings.aperture = 0.0
            elif hdr:
                s.settings.aperture = 0.0   # HDR depth of field shimmers on glows (known)
            frames.append(r.render_array(s)[..., :3].astype(int))
    first = [np.abs(a - b).max(axis=2) for a, b in zip(frames, frames[1:])]
    # Second differences: smooth motion has almost none; popping and shimmer do.
    second = [np.abs(a - 2 * b + c).max(axis=2) for a, b, c in
              zip(frames, frames[1:], frames[2:])]
    return first, second


@pytest.mark.parametrize("hdr", [False, True])
def test_no_temporal_flicker_on_a_static_camera(hdr):
    """On a still camera, frames change only where something moved (glowing particles
    drifting a quarter pixel a frame), and the effects (bloom, depth of field, AA) do not
    add shimmer on top of that motion."""
    film = _static_shot(hdr)
    plain, plain2 = _frame_to_frame(film, hdr, effects=False)
    full, full2 = _frame_to_frame(film, hdr, effects=True)
    for d in full:
        assert d.mean() < 2.5                     # a quarter-pixel drift changes little
        # the organ (static, centre of frame) stays still
        assert d[H // 2 - 10:H // 2 + 10, W // 2 - 10:W // 2 + 10].max() <= 2
    for p, d in zip(plain2, full2):
        # measured: plain 0.5-0.6; FXAA on 2-3 px glows adds ~0.5; a popping bloom or
        # defocus texel (the bugs this guards against) added 1.5-2.5
        # HDR (the 4k path): FXAA on glows in linear light measured 1.5 vs 0.5 plain
        bound = (3.2 if hdr else 2.0) * p.mean() + 0.2
        assert d.mean() < bound, (d.mean(), p.mean())


def test_bloom_glows_around_emissive_particles():
    film = _static_shot(False)
    state = film.evaluate(0.5)
    with make_renderer(W, H) as r:
        on = r.render_array(state)[..., :3].astype(int)
        state.settings = state.settings.copy()
        state.settings.bloom = 0.0
        off = r.render_array(state)[..., :3].astype(int)
    glow = (on - off).clip(0).sum(axis=2)
    assert glow.mean() > 0.1                         # light spread around the particles
    assert (on >= off - 1).all()                     # bloom only adds light


def test_depth_of_field_blurs_what_is_out_of_focus():
    film = _static_shot(False)
    state = film.evaluate(0.5)

    def sharpness(img):          # the steepest step across the organ's silhouette
        g = img[H // 2 - 3:H // 2 + 3].mean(axis=(0, 2))
        return np.abs(np.diff(g)).max()
    with make_renderer(W, H) as r:
        state.settings = state.settings.copy()
        state.settings.focus_distance = 12.0        # on the organ
        focused = sharpness(r.render_array(state)[..., :3].astype(float))
        state.settings.focus_distance = 2.0         # far in front of everything
        blurred = sharpness(r.render_array(state)[..., :3].astype(float))
    assert blurred < focused * 0.5, (blurred, focused)


def test_draft_look_skips_costly_effects():
    film = _static_shot(False)
    state = film.evaluate(0.5)
    with make_renderer(W, H, look="draft") as r:
        a = r.render_array(state)
        state.settings = state.settings.copy()
        state.settings.bloom = 0.0
        state.settings.aperture = 0.0
        b = r.render_array(state)
    assert np.array_equal(a, b)


def test_motion_blur_averages_sub_frames():
    from hepaanim.render.frames import render_still
    film = _static_shot(False)
    sharp = render_still(film, 1.0, W, H, motion_blur=1)[..., :3].astype(int)
    blur = render_still(film, 1.0, W, H, motion_blur=4)[..., :3].astype(int)
    again = render_still(film, 1.0, W, H, motion_blur=4)[..., :3].astype(int)
    assert np.array_equal(blur, again)               # deterministic
    assert 0 < np.abs(sharp - blur).mean() < 3       # close to the instant, but smeared


def test_direct_path_matches_the_draft_display_pass():
    """--look draft --aa none skips the display pass (the backdrop is drawn first, straight
    into the read-back target); the picture stays the draft picture."""
    film = _static_shot(False)
    state = film.evaluate(0.5)
    with make_renderer(W, H, "none", "draft") as r:
        assert r.post.direct
        direct = r.render_array(state)[..., :3].astype(int)
    with make_renderer(W, H, "edge", "draft") as r:
        assert not r.post.direct
        passed = r.render_array(state)[..., :3].astype(int)
    assert direct.std() > 5
    assert np.abs(direct - passed).mean() < 3.0



def test_direct_path_backdrop_follows_the_grade():
    """The direct path copies a cached backdrop under each frame: a frame whose grade moves
    the backdrop's colours (scene.warmth) must get the new backdrop, and a frame back at
    the first grade the first one, exactly as a fresh renderer draws them."""
    film = _static_shot(False)
    states = []
    for warmth in (None, 1.0, None):
        s = film.evaluate(0.5)
        s.settings = s.settings.copy()
        if warmth is not None:
            s.settings.params["grade"] = Grade(cool=(0.93, 0.99, 1.08), warm=(1.1, 0.95, 0.84),
                                               background_warm=((0.23, 0.11, 0.1),
                                                                (0.09, 0.05, 0.06)))
            s.settings.params["warmth"] = warmth
        states.append(s)
    with make_renderer(W, H, "none", "draft") as r:
        assert r.post.direct
        seq = [r.render_array(s) for s in states]
    fresh = []
    for s in states:
        with make_renderer(W, H, "none", "draft") as r:
            fresh.append(r.render_array(s))
    for a, b in zip(seq, fresh):
        assert np.array_equal(a, b)
    corner = (slice(0, 8), slice(0, 8), slice(0, 3))      # backdrop only
    assert np.abs(seq[1][corner].astype(int) - seq[0][corner].astype(int)).max() > 8
    assert np.array_equal(seq[0], seq[2])

def _ball_on_floor():
    """A ball resting on a floor slab, seen from above at an angle: the crease where they
    meet is the one place ambient occlusion should darken."""
    from hepaanim.scene import Geometry
    from hepaanim.scene.geometry import vertex_normals
    f = Film("ao")
    a = f.act("a", 1.0)
    s = 6.0
    p = np.array([[-s, -s, 0], [s, -s, 0], [s, s, 0], [-s, s, 0]], np.float32)
    idx = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    a.add(MeshNode("floor", geometry=Geometry(p, vertex_normals(p, idx), idx),
                   material=Material("#b0a8a0", roughness=0.9)))
    a.add(InstancedNode("ball", instances=Instances([[0.0, 0.0, 1.0]], scale=1.0),
                        material=Material("#c08070", roughness=0.6)))
    a.camera.set(position=(0, -7, 5), target=(0, 0, 0.5), fov=40)
    a.set("scene.ao", 1.0)
    a.set("scene.ao_radius", 0.8)
    return f


def test_ambient_occlusion_darkens_the_contact_only():
    state = _ball_on_floor().evaluate(0.5)
    with make_renderer(W, H, "none", "final") as r:
        on = r.render_array(state)[..., :3].astype(int)
        state.settings = state.settings.copy()
        state.settings.ao = 0.0
        off = r.render_array(state)[..., :3].astype(int)
    darker = (off - on).sum(axis=2)
    assert (on <= off + 1).all()                     # occlusion only takes light away
    # Where the ball meets the floor (the image row of the contact point, measured on
    # the unoccluded frame: the lowest rows of the ball's silhouette) it is clearly darker.
    ys, xs = np.nonzero(darker > 6)
    assert len(ys) > 40, len(ys)
    row_contact = H * 0.5 + 0.12 * H                 # the contact is below the centre
    assert abs(np.median(ys) - row_contact) < 0.15 * H, (np.median(ys), row_contact)
    # The open floor far from the ball, and the backdrop above the floor, are untouched.
    assert darker[H - 12:, :30].max() <= 1
    assert darker[:8].max() == 0


def test_occlusion_is_for_the_final_look_only():
    state = _ball_on_floor().evaluate(0.5)
    with make_renderer(W, H, "none", "full") as r:
        on = r.render_array(state)
        state.settings = state.settings.copy()
        state.settings.ao = 0.0
        off = r.render_array(state)
    assert np.array_equal(on, off)
