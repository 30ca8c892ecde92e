"""A fuzz of the scene API: random *valid* scenes, evaluated at random t.

Why: a frame is a pure function of (scene, t) (DESIGN.md, decision 1).  Hand-written timeline
tests pin the cases someone thought of; this one builds scenes no one wrote — acts of random
lengths, nodes on screen for part of the film, ``animate`` / ``keyframes`` / ``set`` /
``procedural`` tracks with random times, easings and interpolations, several tracks on one
path overlapping, camera moves chained on each other — on material colours and opacities,
transforms, per-instance arrays, a model's state, the camera, the lights and ``scene.*``.
Each scene is evaluated at random instants (act boundaries and key times among them) and
must give: no exception, no NaN or infinity anywhere in the frame state, and the same state
every time an instant is evaluated again (after other instants, and from a second build of
the same script).

Only valid scenes are generated: every time inside its act, every value finite and in its
property's range; invalid input is the build-time checks' business, tested elsewhere.
A scene is a *recipe* (plain tuples) so a failure prints as data and can be replayed with
``build(recipe)``.  ``python bench/fuzz_bench.py`` runs the same generator for 10⁴ scenes.
"""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hepaanim import InstancedNode, Instances, Material, MeshNode
from hepaanim.models import neutrophil
from hepaanim.scene import uv_sphere
from hepaanim.scene.transform import Transform
from hepaanim.timeline import easing
from hepaanim.timeline.timeline import Film

EASES = sorted(easing.EASINGS)
INTERPOLATIONS = ("step", "linear", "cubic")
MAX_COUNT = 4                                    # instances per instanced node

# --- values --------------------------------------------------------------------------------
_f = dict(allow_nan=False, allow_infinity=False)


def _unit():
    return st.floats(0.0, 1.0, **_f)


def _vec(lo=-100.0, hi=100.0):
    return st.tuples(*[st.floats(lo, hi, **_f)] * 3).map(lambda v: np.array(v))


def _color():
    hexes = st.sampled_from(["#14B8A6", "#C62828", "#FFFFFF", "#000000", "#8E9BE0"])
    return st.one_of(hexes, _vec(0.0, 1.0))


def _quat():
    raw = st.tuples(*[st.floats(-1.0, 1.0, **_f)] * 4).filter(
        lambda q: math.fsum(x * x for x in q) > 0.01)
    return raw.map(lambda q: np.array(q) / np.linalg.norm(q))


def _rows(n, value):
    return st.lists(value, min_size=n, max_size=n).map(np.array)


@functools.lru_cache(maxsize=None)
def value_of(kind: str, n: int = 1):
    """A strategy for one valid value of a property of this kind (n: instance count);
    cached, since building strategies is most of the generator's cost."""
    return {
        "color": _color,
        "unit": _unit,
        "positive": lambda: st.floats(0.01, 5.0, **_f),
        "free": lambda: st.floats(-10.0, 10.0, **_f),
        "vec": _vec,
        "scale3": lambda: _vec(0.1, 5.0),
        "fov": lambda: st.floats(5.0, 120.0, **_f),
        "quat": _quat,
        "inst_pos": lambda: _rows(n, st.tuples(*[st.floats(-50, 50, **_f)] * 3)),
        "inst_color": lambda: _rows(n, st.tuples(*[_unit()] * 3)),
        "inst_unit": lambda: _rows(n, _unit()),
    }[kind]()


# Ranges a closed-form (procedural) value stays in: kind -> (centre range, amplitude max).
PROCEDURAL = {"unit": ((0.3, 0.7), 0.3), "positive": ((1.0, 3.0), 0.9),
              "free": ((-5.0, 5.0), 5.0), "vec": ((-50.0, 50.0), 50.0),
              "scale3": ((1.0, 3.0), 0.9), "fov": ((30.0, 90.0), 25.0),
              "color": ((0.3, 0.7), 0.3), "inst_pos": ((-20.0, 20.0), 20.0),
              "inst_color": ((0.3, 0.7), 0.3), "inst_unit": ((0.3, 0.7), 0.3)}
_SHAPE = {"unit": (), "positive": (), "free": (), "fov": (), "vec": (3,), "scale3": (3,),
          "color": (3,), "inst_pos": ("n", 3), "inst_color": ("n", 3), "inst_unit": ("n",)}


def wave(base, amp, freq, phase):
    """A pure function of seconds: base + amp·sin(freq·x + phase) (arrays broadcast)."""
    base, amp = np.asarray(base, float), np.asarray(amp, float)

    def fn(x):
        v = base + amp * np.sin(freq * float(x) + phase)
        return float(v) if v.ndim == 0 else v
    return fn


# --- the scene's nodes and the paths they offer ----------------------------------------------

def node_paths(kind: str, name: str, n: int) -> list[tuple[str, str, int]]:
    """(path, value kind, instance count) a node of this kind can be animated on."""
    base = [(f"{name}.material.color", "color", 1), (f"{name}.material.opacity", "unit", 1),
            (f"{name}.transform.position", "vec", 1)]
    if kind == "mesh":
        return base + [(f"{name}.material.emissive", "positive", 1),
                       (f"{name}.transform.scale", "scale3", 1),
                       (f"{name}.transform.rotation", "quat", 1)]
    if kind == "inst":
        return base + [(f"{name}.instances.position", "inst_pos", n),
                       (f"{name}.instances.color", "inst_color", n),
                       (f"{name}.instances.opacity", "inst_unit", n)]
    return [(f"{name}.params.state", "unit", 1), (f"{name}_nucleus.params.state", "unit", 1),
            (f"{name}.transform.position", "vec", 1)]


GLOBAL_PATHS = [("camera.position", "vec", 1), ("camera.target", "vec", 1),
                ("camera.fov", "fov", 1), ("scene.exposure", "positive", 1),
                ("scene.fade", "unit", 1), ("scene.bloom", "unit", 1),
                ("scene.vignette", "unit", 1), ("scene.white_balance", "scale3", 1),
                ("scene.warmth", "free", 1), ("lights.key.intensity", "positive", 1),
                ("lights.fill.color", "color", 1)]


@st.composite
def _span(draw, duration):
    """(a, b) act seconds with 0 <= a <= b <= duration (the act's ends and equal times too)."""
    t = st.one_of(st.sampled_from([0.0, duration, duration / 2]),
                  st.floats(0.0, duration, **_f))
    a, b = sorted((draw(t), draw(t)))
    return (a, b)


@st.composite
def recipes(draw, max_ops: int = 10):
    """A random valid scene as plain data: (acts, nodes, ops)."""
    acts = draw(st.lists(st.floats(0.25, 12.0, **_f), min_size=1, max_size=3))
    nodes = []
    paths = [list(GLOBAL_PATHS) for _ in acts]      # an act's tracks address its own nodes
    for k in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["mesh", "inst", "inst", "model"] if k == 0
                                    else ["mesh", "inst"]))
        name = f"{kind}{k}"
        n = draw(st.integers(1, MAX_COUNT)) if kind == "inst" else 1
        act = draw(st.integers(0, len(acts) - 1))
        span = draw(st.none() | _span(acts[act]))
        mates = [m[1] for m in nodes if m[3] == act]
        parent = (draw(st.none() | st.sampled_from(mates))
                  if mates and kind != "model" else None)
        nodes.append((kind, name, n, act, span, parent))
        paths[act] += node_paths(kind, name, n)
    ops = []
    for _ in range(draw(st.integers(0, max_ops))):
        act = draw(st.integers(0, len(acts) - 1))
        dur = acts[act]
        op = draw(st.sampled_from(["animate", "animate", "to", "keyframes", "set",
                                   "procedural", "camera", "caption"]))
        path, kind, n = draw(st.sampled_from(paths[act]))
        if op == "camera":
            ops.append(draw(_camera_op(act, dur)))
            continue
        if op == "caption":
            ops.append(("caption", act, draw(_span(dur)), draw(st.floats(0.0, 2.0, **_f))))
            continue
        if op == "procedural" and kind == "quat":
            op = "animate"
        if op == "to" and kind == "free":
            op = "animate"                    # a free scene value has nothing to start from
        interp = "slerp" if kind == "quat" else draw(st.sampled_from(INTERPOLATIONS))
        ease = draw(st.sampled_from(EASES))
        if op == "animate":
            values = draw(st.lists(value_of(kind, n), min_size=2, max_size=4))
            ops.append(("animate", act, path, values, draw(_span(dur)), ease, interp))
        elif op == "to":
            ops.append(("to", act, path, draw(value_of(kind, n)), draw(_span(dur)), ease))
        elif op == "keyframes":
            times = draw(st.lists(st.floats(0.0, dur, **_f), min_size=1, max_size=4,
                                  unique=True))
            keys = {t: draw(value_of(kind, n)) for t in times}
            ops.append(("keyframes", act, path, keys, interp, ease))
        elif op == "set":
            ops.append(("set", act, path, draw(value_of(kind, n)),
                        draw(st.floats(0.0, dur, **_f))))
        else:
            (lo, hi), amax = PROCEDURAL[kind]
            shape = tuple(n if s == "n" else s for s in _SHAPE[kind])
            size = int(np.prod(shape)) if shape else 1
            base = draw(st.lists(st.floats(lo, hi, **_f), min_size=size, max_size=size))
            amp = draw(st.floats(0.0, amax, **_f))
            fn = ("wave", np.reshape(base, shape), amp, draw(st.floats(0.0, 20.0, **_f)),
                  draw(st.floats(0.0, 6.3, **_f)))
            ops.append(("procedural", act, path, fn, draw(st.none() | _span(dur))))
    return acts, nodes, ops


VEC = _vec()
MAYBE_VEC = st.none() | VEC
AXES = _vec(-1, 1).filter(lambda v: np.linalg.norm(v) > 0.1)
DEGREES = st.floats(-720, 720, **_f)


@st.composite
def _camera_op(draw, act, dur):
    move = draw(st.sampled_from(["set", "move", "orbit", "dolly", "push", "fly", "look_at"]))
    ease = draw(st.sampled_from(EASES))
    over = draw(_span(dur))
    if move == "set":
        return ("camera", act, "set", dict(position=draw(MAYBE_VEC),
                                           target=draw(MAYBE_VEC),
                                           fov=draw(st.none() | value_of("fov")),
                                           at=draw(st.floats(0.0, dur, **_f))))
    if move == "move":
        return ("camera", act, "move", dict(position=draw(MAYBE_VEC),
                                            target=draw(MAYBE_VEC),
                                            fov=draw(st.none() | value_of("fov")),
                                            over=over, ease=ease))
    if move == "orbit":
        axis = draw(st.none() | AXES)
        return ("camera", act, "orbit", dict(degrees=draw(DEGREES),
                                             over=over, around=draw(MAYBE_VEC),
                                             axis=axis, ease=ease))
    if move == "dolly":
        return ("camera", act, "dolly", dict(by=draw(VEC), over=over, ease=ease))
    if move == "push":
        return ("camera", act, "push", dict(distance=draw(st.floats(-50, 50, **_f)),
                                            over=over, ease=ease))
    if move == "fly":
        pts = draw(st.lists(VEC, min_size=2, max_size=5))
        return ("camera", act, "fly", dict(points=pts, over=over, ease=ease,
                                           look_at=draw(MAYBE_VEC)))
    return ("camera", act, "look_at", dict(target=draw(VEC),
                                           at=draw(st.floats(0.0, dur, **_f))))


# --- building and checking -----------------------------------------------------------------

SPHERE = uv_sphere(1.0, 6, 8)


def _node(kind, name, n, parent):
    if kind == "mesh":
        return MeshNode(name, geometry=SPHERE, material=Material("#8E9BE0"),
                        parent=parent)
    if kind == "inst":
        rng = np.random.default_rng(n)
        return InstancedNode(name, shape="sphere", material=Material("#C62828"), parent=parent,
                             instances=Instances(rng.uniform(-5, 5, (n, 3)),
                                                 color=np.full((n, 3), 0.5),
                                                 opacity=np.ones(n)))
    return neutrophil(name, transform=Transform(position=np.zeros(3)))


def build(recipe) -> Film:
    """The Film a recipe describes (built exactly as a scene script would)."""
    durations, nodes, ops = recipe
    film = Film("fuzz")
    acts = [film.act(f"a{k}", d) for k, d in enumerate(durations)]
    for kind, name, n, act, span, parent in nodes:
        acts[act].add(_node(kind, name, n, parent), span=span)
    for op in ops:
        act = acts[op[1]]
        if op[0] == "animate":
            _, _, path, values, over, ease, interp = op
            act.animate(path, *values, over=over, ease=ease, interpolation=interp)
        elif op[0] == "to":
            _, _, path, value, over, ease = op
            act.animate(path, to=value, over=over, ease=ease)
        elif op[0] == "keyframes":
            _, _, path, keys, interp, ease = op
            act.keyframes(path, keys, interpolation=interp, ease=ease)
        elif op[0] == "set":
            _, _, path, value, at = op
            act.set(path, value, at=at)
        elif op[0] == "procedural":
            _, _, path, (_, base, amp, freq, phase), over = op
            act.procedural(path, wave(base, amp, freq, phase), over=over)
        elif op[0] == "camera":
            getattr(act.camera, op[2])(**op[3])
        else:
            _, _, over, fade = op
            act.caption("A caption.", over=over, fade=fade)
    return film


_SKIP = ("derive", "image", "_cache")


def snapshot(state) -> list:
    """Every value of a frame state, flattened to comparable (where, value) pairs; raises
    AssertionError naming the first number that is not finite."""
    out = []

    def walk(where, v):
        if v is None or isinstance(v, (str, bool)):
            out.append((where, v))
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            for f in dataclasses.fields(v):
                if f.name not in _SKIP:
                    walk(f"{where}.{f.name}", getattr(v, f.name))
        elif isinstance(v, dict):
            for k in sorted(v):
                walk(f"{where}.{k}", v[k])
        elif isinstance(v, (list, tuple)):
            for k, x in enumerate(v):
                walk(f"{where}[{k}]", x)
        elif callable(v):
            return
        else:
            a = np.asarray(v)
            if a.dtype.kind in "fc":
                assert np.isfinite(a).all(), f"{where} is not finite: {a}"
            out.append((where, a.dtype.str, a.shape, a.tobytes()))

    walk("state", state)
    for name in state.nodes:
        walk(f"world[{name}]", state.world_matrix(name))
    return out


def check(recipe, times) -> None:
    """Build the recipe twice; evaluate at each t (act-relative fractions of the film):
    finite everywhere, and the same state again and from the second build."""
    film = build(recipe)
    total = film.duration
    ts = [x * total for x in times] + [a.start for a in film.acts] + [total]
    first = [snapshot(film.evaluate(t)) for t in ts]
    again = [snapshot(film.evaluate(t)) for t in reversed(ts)][::-1]
    assert first == again, "evaluating an instant again gave a different frame state"
    other = build(recipe)
    assert first == [snapshot(other.evaluate(t)) for t in ts], \
        "a second build of the same script gave a different frame state"


INSTANTS = st.lists(st.floats(-0.05, 1.05, **_f), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(recipe=recipes(), times=INSTANTS)
def test_random_scenes_evaluate_finite_and_repeatably(recipe, times):
    check(recipe, times)


def test_the_check_sees_a_nan():
    """snapshot() is not vacuous: a NaN smuggled into a frame state is caught."""
    film = build(([2.0], [("mesh", "mesh0", 1, 0, None, None)], []))
    state = film.evaluate(1.0)
    state.nodes["mesh0"].material.opacity = float("nan")
    try:
        snapshot(state)
    except AssertionError as e:
        assert "opacity" in str(e)
    else:
        raise AssertionError("a NaN opacity went unnoticed")
