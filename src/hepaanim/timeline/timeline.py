"""Timeline, Film and Act: the declarative score of a scene.

``Timeline.evaluate(t)`` is a pure function of t: it starts from the Scene's nodes on
screen at t, applies every track that has started (latest start wins), lets models derive
their concrete look from their params, and lists the captions showing.  Nothing is carried
from one call to the next, so frames may be evaluated in any order, in any process.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ..scene.nodes import Node
from ..scene.scene import Caption, FrameState, Scene
from .binding import Binder, PathError, _get, _split, check_path
from .tracks import KeyframeTrack, ProceduralTrack


class Timeline:
    def __init__(self, scene: Scene):
        self.scene = scene
        self.tracks: list = []
        self.captions: list[Caption] = []
        self._sorted: list | None = None

    def add(self, track):
        check_path(track.path, self.scene)
        track.order = len(self.tracks)
        self.tracks.append(track)
        self._sorted = None
        return track

    def _ordered(self):
        if self._sorted is None:
            self._sorted = sorted(self.tracks, key=lambda k: (k.start, k.order))
        return self._sorted

    def current(self, path: str, t: float) -> Any:
        """The value a path has at t (from tracks, else the Scene): where moves start from."""
        winner = None
        for track in self._ordered():
            if track.start > t:
                break
            if track.path == path:
                winner = track
        if winner is not None:
            return winner.value(t)
        parts = _split(path)
        root = parts[0]
        s = self.scene
        obj = {"camera": s.camera, "lights": s.lights, "scene": s.settings}.get(root)
        if obj is None:
            obj = s.nodes[root]
        if root == "scene" and len(parts) == 2 and not hasattr(obj, parts[1]):
            return obj.params.get(parts[1])
        try:
            for p in parts[1:]:
                obj = _get(obj, p)
        except (KeyError, AttributeError):
            raise PathError(f"property path {path!r}: nothing at {p!r}") from None
        return obj

    def evaluate(self, t: float) -> FrameState:
        s = self.scene
        state = FrameState(t=float(t), nodes=s.active(t), camera=s.camera, lights=s.lights,
                           settings=s.settings)
        binder = Binder(state)
        for track in self._ordered():
            if track.start > t:
                break
            root = track.path.split(".", 1)[0]
            if root not in state.nodes and root not in ("camera", "lights", "scene"):
                continue
            binder.set(track.path, track.value(t))
        for name, node in list(state.nodes.items()):
            if node.derive is not None:
                state.nodes[name] = node.derive(node)
        state.captions = [(c, a) for c in self.captions if (a := c.alpha(t)) > 0]
        return state


class Film:
    """What a scene script builds: a Scene, its Timeline and the acts placed on it."""

    def __init__(self, name: str = "film", fps: int = 30):
        self.name = name
        self.fps = fps
        self.scene = Scene()
        self.timeline = Timeline(self.scene)
        self.acts: list[Act] = []

    def act(self, name: str, duration: float) -> "Act":
        if any(a.name == name for a in self.acts):
            raise ValueError(f"act name {name!r} is already used")
        if not duration > 0:
            raise ValueError(f"act {name!r}: duration must be > 0, got {duration}")
        start = self.acts[-1].end if self.acts else 0.0
        a = Act(self, name, start, float(duration))
        self.acts.append(a)
        return a

    @property
    def duration(self) -> float:
        return self.acts[-1].end if self.acts else 0.0

    def frame_count(self, fps: float) -> int:
        """Frames 0..N-1 at t = i / fps cover [0, duration)."""
        return max(1, math.ceil(self.duration * fps - 1e-9))

    def find_act(self, name: str) -> "Act":
        for a in self.acts:
            if a.name == name:
                return a
        raise KeyError(name)

    def evaluate(self, t: float) -> FrameState:
        return self.timeline.evaluate(t)


class Act:
    """A named span of the film; every time given to its methods is act-local seconds."""

    def __init__(self, film: Film, name: str, start: float, duration: float):
        self.film = film
        self.name = name
        self.start = start
        self.duration = duration
        from .camera_moves import CameraRig
        self.camera = CameraRig(self)

    @property
    def end(self) -> float:
        return self.start + self.duration

    def _g(self, x: float) -> float:
        return self.start + float(x)

    def _over(self, over) -> tuple[float, float]:
        a, b = over
        if b < a:
            raise ValueError(f"act {self.name!r}: over={over} ends before it starts")
        return self._g(a), self._g(b)

    # --- what is on screen -------------------------------------------------------------
    def add(self, item, span: tuple[float, float] | None = None):
        """Put a node (or a model: anything with .nodes, or a list) on screen in this act."""
        nodes = item if isinstance(item, (list, tuple)) else getattr(item, "nodes", [item])
        a, b = (self.start, self.end) if span is None else self._over(span)
        for n in nodes:
            if not isinstance(n, Node):
                raise TypeError(f"act {self.name!r}: add() takes nodes or models, got {type(n)}")
            self.film.scene.add(n, (a, b))
        return item

    # --- what changes ------------------------------------------------------------------
    @staticmethod
    def _path(target, prop: str | None) -> str:
        if isinstance(target, Node):
            return f"{target.name}.{prop}"
        name = getattr(target, "name", target)
        return name if prop is None else f"{name}.{prop}"

    def animate(self, target, prop_or_value=None, *values, over, ease="smooth",
                interpolation="linear", to=None):
        """Animate a property from a value to another (or through several) over (a, b).

        ``act.animate(node, "material.opacity", 0, 1, over=(2, 5))`` or
        ``act.animate("scene.warmth", 1.0, 0.0, over=(6, 16))``; pass ``to=`` alone to start
        from whatever the property is at ``a``.
        """
        if isinstance(target, Node) or hasattr(target, "nodes"):
            path, vals = self._path(target, prop_or_value), list(values)
        else:
            path = target
            vals = list(values) if prop_or_value is None else [prop_or_value, *values]
        a, b = self._over(over)
        if to is not None:
            vals = [self.film.timeline.current(path, a)] if not vals else vals
            vals.append(to)
        if len(vals) < 2:
            raise ValueError(f"animate {path!r}: give at least two values, or to=")
        times = [a + (b - a) * k / (len(vals) - 1) for k in range(len(vals))]
        return self.film.timeline.add(KeyframeTrack(path, times, vals, interpolation, [ease]))

    def keyframes(self, path: str, keys: dict, interpolation="linear", ease="linear"):
        """Explicit keys {act_time: value}."""
        ts = sorted(keys)
        return self.film.timeline.add(KeyframeTrack(
            path, [self._g(x) for x in ts], [keys[x] for x in ts], interpolation, [ease]))

    def set(self, path: str, value, at: float = 0.0):
        return self.film.timeline.add(KeyframeTrack(path, [self._g(at)], [value], "step"))

    def procedural(self, path: str, fn: Callable[[float], Any], over=None):
        """Drive a path by a pure fn(seconds since `over` starts) (flows, tumbling)."""
        a, b = self._over(over) if over is not None else (self.start, self.end)
        return self.film.timeline.add(ProceduralTrack(path, fn, a, b))

    # --- what is said ------------------------------------------------------------------
    def caption(self, text: str, over, fade: float = 0.6, style: str = "lower_third",
                position: str = "bottom", image=None) -> Caption:
        a, b = self._over(over)
        c = Caption(text, a, b, fade, style, position, image)
        self.film.timeline.captions.append(c)
        return c
