"""Timeline: easing, interpolation, track precedence, purity, camera moves."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hepaanim import Film, InstancedNode, Instances, Material, MeshNode
from hepaanim.scene import uv_sphere
from hepaanim.scene.transform import quat_from_axis_angle
from hepaanim.timeline import easing
from hepaanim.timeline.binding import PathError
from hepaanim.timeline.tracks import KeyframeTrack


@pytest.mark.parametrize("name", sorted(easing.EASINGS))
def test_easing_end_points(name):
    f = easing.EASINGS[name]
    assert float(f(0.0)) == pytest.approx(0.0, abs=1e-12)
    assert float(f(1.0)) == pytest.approx(1.0, abs=1e-12)
    assert float(f(-3.0)) == pytest.approx(0.0, abs=1e-12)   # clamped outside [0, 1]
    assert float(f(7.0)) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("name", [n for n in easing.EASINGS if "back" not in n and n != "step"])
def test_easing_monotone(name):
    u = np.linspace(0, 1, 201)
    v = np.asarray(easing.EASINGS[name](u), float)
    assert np.all(np.diff(v) >= -1e-12)


def test_unknown_easing_lists_known():
    with pytest.raises(ValueError, match="in_out_sine"):
        easing.get("wobbly")


def test_linear_step_cubic_interpolation():
    lin = KeyframeTrack("a.b", [0, 1, 2], [0.0, 10.0, 30.0])
    assert lin.value(0.5) == pytest.approx(5.0)
    assert lin.value(1.5) == pytest.approx(20.0)
    assert lin.value(-1) == 0.0 and lin.value(5) == 30.0
    stp = KeyframeTrack("a.b", [0, 1], [1.0, 2.0], "step")
    assert stp.value(0.99) == 1.0 and stp.value(1.0) == 2.0
    cub = KeyframeTrack("a.b", [0, 1, 2, 3], [0.0, 1.0, 2.0, 3.0], "cubic")
    assert cub.value(1.5) == pytest.approx(1.5)          # Catmull-Rom reproduces a line
    assert cub.value(1.0) == pytest.approx(1.0)           # and passes through the keys
    eased = KeyframeTrack("a.b", [0, 2], [0.0, 1.0], eases=["in_quad"])
    assert eased.value(1.0) == pytest.approx(0.25)


def test_slerp_interpolation_is_unit_and_halfway():
    q0 = quat_from_axis_angle([0, 0, 1], 0.0)
    q1 = quat_from_axis_angle([0, 0, 1], math.pi / 2)
    tr = KeyframeTrack("n.transform.rotation", [0, 1], [q0, q1], "slerp")
    q = tr.value(0.5)
    assert np.linalg.norm(q) == pytest.approx(1.0)
    assert np.allclose(q, quat_from_axis_angle([0, 0, 1], math.pi / 4))
    # vectorised over N×4 orientation arrays
    qs = KeyframeTrack("n.instances.orientation", [0, 1], [np.tile(q0, (5, 1)),
                                                          np.tile(q1, (5, 1))], "slerp")
    assert qs.value(0.5).shape == (5, 4)


def test_colour_keys_parse_hex():
    tr = KeyframeTrack("k.material.color", [0, 1], ["#000000", "#FFFFFF"])
    assert np.allclose(tr.value(0.5), [0.5, 0.5, 0.5])


def test_bad_tracks_are_rejected():
    with pytest.raises(ValueError, match="must not decrease"):
        KeyframeTrack("a.b", [1, 0], [0, 1])
    with pytest.raises(ValueError, match="interpolation"):
        KeyframeTrack("a.b", [0, 1], [0, 1], "bouncy")


def _film():
    f = Film("t")
    a1 = f.act("one", 4.0)
    ball = a1.add(MeshNode("ball", geometry=uv_sphere(1.0, 8, 16), material=Material("#ff0000")))
    a1.animate(ball, "material.opacity", 1.0, 0.2, over=(1, 3))
    a1.camera.set(position=(0, -10, 0), target=(0, 0, 0))
    a1.camera.orbit(90, over=(0, 4))
    a2 = f.act("two", 3.0)
    dots = a2.add(InstancedNode("dots", instances=Instances(np.zeros((10, 3)))))
    a2.procedural("dots.instances.position",
                  lambda t: np.stack([np.arange(10.0), np.zeros(10), np.full(10, t)], 1))
    a2.animate("scene.warmth", 1.0, 0.0, over=(0, 3))
    a2.camera.dolly(by=(0, 5, 0), over=(0, 3))
    a2.caption("Two", over=(0.5, 2.5))
    return f


def test_acts_are_contiguous_and_nodes_scoped_to_their_act():
    f = _film()
    assert [(a.name, a.start, a.end) for a in f.acts] == [("one", 0, 4), ("two", 4, 7)]
    assert set(f.evaluate(1.0).nodes) == {"ball"}
    assert set(f.evaluate(5.0).nodes) == {"dots"}
    assert f.frame_count(30) == 210


def test_evaluate_does_not_mutate_scene():
    f = _film()
    f.evaluate(2.0)
    assert f.scene.nodes["ball"].material.opacity == 1.0
    assert f.evaluate(2.0).nodes["ball"].material.opacity == pytest.approx(0.6)


def test_out_of_order_evaluation_is_identical():
    f = _film()
    ts = np.linspace(0, 7, 29)
    forward = [_digest(f.evaluate(t)) for t in ts]
    backward = [_digest(f.evaluate(t)) for t in ts[::-1]][::-1]
    f2 = _film()
    shuffled = {t: _digest(f2.evaluate(t)) for t in np.random.default_rng(3).permutation(ts)}
    assert forward == backward == [shuffled[t] for t in ts]


def _digest(state):
    parts = [state.t, tuple(np.round(state.camera.position, 9)),
             tuple(np.round(state.camera.target, 9)), state.settings.params.get("warmth")]
    for name, n in sorted(state.nodes.items()):
        parts.append((name, n.material.opacity))
        if isinstance(n, InstancedNode):
            parts.append(n.instances.position.tobytes())
    parts.append(tuple((c.text, round(a, 9)) for c, a in state.captions))
    return tuple(parts)


def test_camera_orbit_and_dolly():
    f = _film()
    assert np.allclose(f.evaluate(0).camera.position, [0, -10, 0])
    p = f.evaluate(4 - 1e-9).camera.position
    assert np.linalg.norm(p) == pytest.approx(10.0)
    assert np.allclose(p, [10, 0, 0], atol=1e-5)
    # an act is a clip: act two sets no camera, so its dolly starts from the film's
    # default camera, not from where act one's orbit ended
    assert np.allclose(f.evaluate(7).camera.position, np.array([0, -5, 0]), atol=1e-5)


def test_latest_started_track_wins_and_earlier_holds():
    f = Film("w")
    a = f.act("a", 10)
    n = a.add(MeshNode("n", geometry=uv_sphere(1, 4, 8)))
    a.animate(n, "material.emissive", 0.0, 1.0, over=(0, 2))
    a.animate(n, "material.emissive", to=0.5, over=(5, 6))
    assert f.evaluate(3).nodes["n"].material.emissive == pytest.approx(1.0)   # held
    assert f.evaluate(5.5).nodes["n"].material.emissive == pytest.approx(0.75)
    assert f.evaluate(9).nodes["n"].material.emissive == pytest.approx(0.5)


def test_unknown_path_and_duplicate_names():
    f = Film("e")
    a = f.act("a", 1)
    a.add(MeshNode("n", geometry=uv_sphere(1, 4, 8)))
    with pytest.raises(ValueError, match="no node named 'm'"):
        a.animate("m.material.opacity", 0, 1, over=(0, 1))
    with pytest.raises(ValueError, match="'n' is already used"):
        a.add(MeshNode("n", geometry=uv_sphere(1, 4, 8)))
    with pytest.raises(ValueError, match="reserved"):
        a.add(MeshNode("camera", geometry=uv_sphere(1, 4, 8)))


def test_captions_fade_in_and_out():
    f = _film()
    caps = dict((c.text, a) for c, a in f.evaluate(4.5 + 0.3).captions)
    assert 0 < caps["Two"] < 1
    assert dict((c.text, a) for c, a in f.evaluate(5.5).captions)["Two"] == 1.0
    assert f.evaluate(6.6).captions == []


@settings(max_examples=150, deadline=None)
@given(st.floats(min_value=-50, max_value=500, allow_nan=False))
def test_any_t_evaluates_without_nan(t):
    f = _FILM
    s = f.evaluate(t)
    assert np.all(np.isfinite(s.camera.position)) and np.all(np.isfinite(s.camera.target))
    for n in s.nodes.values():
        assert math.isfinite(n.material.opacity)
        if isinstance(n, InstancedNode):
            assert np.all(np.isfinite(n.instances.position))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(easing.EASINGS)), st.floats(allow_nan=False, allow_infinity=False,
                                                        min_value=-1e6, max_value=1e6))
def test_easing_total_and_finite(name, u):
    v = float(easing.EASINGS[name](u))
    assert math.isfinite(v)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=6, unique=True),
       st.floats(-2e3, 2e3), st.sampled_from(["linear", "cubic", "step"]))
def test_keyframe_tracks_total(times, t, interp):
    ts = sorted(times)
    tr = KeyframeTrack("a.b", ts, [float(i) for i in range(len(ts))], interp)
    v = tr.value(t)
    assert math.isfinite(v)


_FILM = _film()


def test_camera_move_starts_from_the_current_camera():
    f = Film("m")
    a = f.act("a", 4)
    a.camera.set(position=(0, -10, 0), target=(0, 0, 0))
    a.camera.move(position=(0, -4, 2), target=(1, 0, 0), over=(1, 3))
    assert np.allclose(f.evaluate(1).camera.position, [0, -10, 0])
    assert np.allclose(f.evaluate(3).camera.position, [0, -4, 2])
    assert np.allclose(f.evaluate(3).camera.target, [1, 0, 0])


def test_an_act_is_a_clip_nothing_it_sets_outlives_it():
    """A fade-out at the end of one act once left the next act black; now each act
    starts from the film's defaults (look, camera planes, fade)."""
    f = Film("clips")
    one = f.act("one", 2.0)
    one.animate("scene.fade", 0.0, 1.0, over=(1.5, 2.0))
    one.set("scene.bloom", 0.0)
    one.set("camera.near", 5.0)
    two = f.act("two", 2.0)
    two.set("scene.exposure", 1.3, at=1.0)
    assert f.evaluate(1.99).settings.fade > 0.9 and f.evaluate(1.0).camera.near == 5.0
    s = f.evaluate(2.0)
    assert (s.settings.fade, s.settings.bloom, s.camera.near) == (0.0, 0.35, 0.1)
    assert f.evaluate(3.5).settings.exposure == 1.3
    assert f.evaluate(0.5).settings.exposure == 1.0        # nor does a later act reach back


def test_film_defaults_apply_in_every_act():
    f = Film("defaults")
    f.set("scene.bloom", 0.0)
    f.set("camera.far", 50.0)
    one, two = f.act("one", 1.0), f.act("two", 1.0)
    two.set("scene.bloom", 0.35)
    assert f.evaluate(0.5).settings.bloom == 0.0 and f.evaluate(1.5).settings.bloom == 0.35
    assert f.evaluate(0.5).camera.far == f.evaluate(1.5).camera.far == 50.0
    with pytest.raises(ValueError, match="belong to the act"):
        f.scene.add(MeshNode("n", geometry=uv_sphere(1, 4, 8)))
        f.set("n.material.opacity", 0.5)


def test_two_acts_may_each_have_a_node_of_the_same_name():
    f = Film("names")
    one, two = f.act("one", 1.0), f.act("two", 1.0)
    one.add(MeshNode("sinusoid", geometry=uv_sphere(1, 4, 8), material=Material("#ff0000")))
    two.add(MeshNode("sinusoid", geometry=uv_sphere(2, 4, 8), material=Material("#0000ff")))
    two.animate("sinusoid.material.opacity", 1.0, 0.0, over=(0, 1), ease="linear")
    a, b = f.evaluate(0.5).nodes["sinusoid"], f.evaluate(1.5).nodes["sinusoid"]
    assert np.allclose(a.material.color, [1, 0, 0]) and a.material.opacity == 1.0
    assert np.allclose(b.material.color, [0, 0, 1]) and b.material.opacity == pytest.approx(0.5)
    with pytest.raises(ValueError, match="already used in act 'two'"):
        two.add(MeshNode("sinusoid", geometry=uv_sphere(1, 4, 8)))
