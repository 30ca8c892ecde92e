"""Timeline, Film and Act: the declarative score of a scene.

An act is a clip (three.js's AnimationClip): it owns the tracks it makes, and nothing it
sets outlives it.  ``Timeline.evaluate(t)`` is a pure function of t: it finds the act
containing t, starts from the Scene's nodes on screen at t and the film's defaults (the
Scene's camera, lights and look, which ``Film.set`` may change for every act), applies
that act's tracks that have started (latest start wins; tracks added to the timeline
outside any act apply in every act), lets models derive their concrete look from their
params, and lists the captions showing.  Nothing is carried from one call to the next, so
frames may be evaluated in any order, in any process.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Callable

from ..scene.nodes import Node
from ..scene.scene import Caption, FrameState, Scene
from .binding import Binder, PathError, _get, _split, check_path
from .errors import ScriptError, call_site, finite, scripted, shown
from .tracks import KeyframeTrack, ProceduralTrack


class Timeline:
    def __init__(self, scene: Scene):
        self.scene = scene
        self.tracks: list = []
        self.captions: list[Caption] = []
        self._starts: list[float] = []           # the acts' start times, in order
        self._names: list[str] = []              # and their names
        self._sorted: dict = {}

    def add_act(self, name: str, start: float) -> None:
        """Mark where an act starts: from there on, only its own tracks apply."""
        self._starts.append(float(start))
        self._names.append(name)
        self._sorted = {}

    def act_at(self, t: float) -> str | None:
        """The name of the act whose clip plays at t (the first before it, the last after)."""
        if not self._names:
            return None
        k = bisect.bisect_right(self._starts, t) - 1
        return self._names[min(max(k, 0), len(self._names) - 1)]

    def add(self, track, act: str | None = None):
        """Add a track after checking it in full: its path resolves on the Scene (among
        `act`'s nodes), and a procedural track gives finite values at the start, middle
        and end of its span.  A track made by an act (`act` its name) applies in that act
        only; one added without an act applies in every act."""
        check_path(track.path, self.scene, act)
        if not track.site:
            track.site = call_site()
        if isinstance(track, ProceduralTrack):
            _sample(track)
        track.act = act
        track.order = len(self.tracks)
        self.tracks.append(track)
        self._sorted = {}
        return track

    def _ordered(self, act: str | None):
        tracks = self._sorted.get(act)
        if tracks is None:
            tracks = self._sorted[act] = sorted(
                (k for k in self.tracks if getattr(k, "act", None) in (None, act)),
                key=lambda k: (k.start, k.order))
        return tracks

    def current(self, path: str, t: float, act: str | None = None) -> Any:
        """The value a path has at t in `act` (default: the act playing at t) from its
        tracks, else the film's default: where moves start from."""
        act = self.act_at(t) if act is None else act
        winner = None
        for track in self._ordered(act):
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
            key = s.find(root, act)
            if key is None:
                raise PathError(f"property path {path!r}: no node named {root!r}")
            obj = s.nodes[key]
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
        act = self.act_at(t)
        for track in self._ordered(act):
            if track.start > t:
                break
            root = track.path.split(".", 1)[0]
            if root not in state.nodes and root not in ("camera", "lights", "scene"):
                continue
            try:
                value = track.value(t)
                if isinstance(track, ProceduralTrack) and not finite(value):
                    raise ValueError(f"the function returned a value that is not finite: "
                                     f"{shown(value)}")
                binder.set(track.path, value)
            except Exception as e:           # named by the scene line that made the track
                raise ScriptError(f"{track.site or '<unknown>:?'}: {track.path!r} at "
                                  f"t={t:.3f} s: {type(e).__name__}: {e}") from e
        for name, node in list(state.nodes.items()):
            if node.derive is not None:
                try:
                    state.nodes[name] = node.derive(node)
                except Exception as e:
                    site = s.sites.get(s.find(name, act) or name, "<unknown>:?")
                    raise ScriptError(f"{site}: node {name!r} at t={t:.3f} s: "
                                      f"{type(e).__name__}: {e}") from e
        state.captions = [(c, c.alpha(t)) for c in self.captions if c.start <= t < c.last_end]
        return state


def _sample(track: ProceduralTrack) -> None:
    """Call a procedural function at the start, middle and end of its span (its values are
    otherwise known only when frames are drawn) and refuse one that fails or gives a value
    that is not finite, naming the time."""
    span = (track.end - track.start) if math.isfinite(track.end) else 0.0
    for x in (0.0, span / 2, span):
        v = track.fn(x)
        if not finite(v):
            raise ValueError(f"procedural {track.path!r}: fn({x:g}) is not finite: {shown(v)}")


class Film:
    """What a scene script builds: a Scene, its Timeline and the acts placed on it."""

    def __init__(self, name: str = "film", fps: int = 30):
        self.name = name
        self.fps = fps
        self.scene = Scene()
        self.timeline = Timeline(self.scene)
        self.acts: list[Act] = []
        self.script = None           # the film's words (hepaanim.script.FilmData), if any
        self.placed: dict[str, tuple[str, str]] = {}   # line id -> (act, "file:line")

    @scripted
    def use_script(self, folder) -> None:
        """Read the film's data folder (script.csv, claims.csv, references.json, film.toml:
        ``hepaanim.script``) once and keep it as ``film.script``; acts then place its lines
        with ``act.line(id)``, and when the build ends every line must have been placed
        (``check_lines``).  A malformed file is one error naming file:row:column."""
        from ..script import ScriptError as TableError, film_data
        try:
            self.script = film_data(folder)
        except TableError as e:
            raise ScriptError(str(e)) from None

    def check_lines(self) -> None:
        """After the build: a line the table has and no act placed, or a line placed by
        another act than the table's, is a build error naming the table's file:row and the
        act (the loader calls this; a film without a table has nothing to check)."""
        if self.script is None:
            return
        from ..script import placement_problems
        files = {}                   # an act's file: where it placed lines, else where made
        for act, where in self.placed.values():
            files.setdefault(act, where.rsplit(":", 1)[0])
        for a in self.acts:
            files.setdefault(a.name, a.site)
        problems = placement_problems(self.script.script, self.placed, files)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ScriptError(problems[0] + more)

    @scripted
    def act(self, name: str, duration: float) -> "Act":
        """Append an act of `duration` seconds to the film's time line and return it."""
        if any(a.name == name for a in self.acts):
            raise ValueError(f"act name {name!r} is already used")
        if not (duration > 0 and math.isfinite(duration)):
            raise ValueError(f"act {name!r}: duration must be a finite number > 0, got {duration}")
        start = self.acts[-1].end if self.acts else 0.0
        a = Act(self, name, start, float(duration))
        a.site = call_site()
        self.acts.append(a)
        self.timeline.add_act(name, start)
        return a

    @scripted
    def set(self, path: str, value) -> None:
        """Set a film-wide default (``film.set("scene.vignette", 0.3)``,
        ``film.set("camera.near", 0.5)``): every act starts from it."""
        check_path(path, self.scene)
        root = _split(path)[0]
        if root not in ("camera", "lights", "scene"):
            raise ValueError(f"film.set {path!r}: set the camera, lights or look ('scene.'); "
                             "a node's values belong to the act that shows it")
        track = KeyframeTrack(path, [0.0], [value], "step")
        state = FrameState(0.0, {}, self.scene.camera, self.scene.lights, self.scene.settings)
        Binder(state).set(path, track.values[0])
        self.scene.camera, self.scene.lights = state.camera, state.lights
        self.scene.settings = state.settings

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


CAPTION_STYLES = ("lower_third", "title", "label", "card")
CAPTION_POSITIONS = ("bottom", "top_left", "top_right", "bottom_left", "bottom_right",
                     "center", "right")     # the last two: titles' and cards' fixed places
_EPS = 1e-9


class Act:
    """A named span of the film; every time given to its methods is act-local seconds.

    Everything an act records must lie within it: times from 0 to its duration.  Its
    methods check what they are given when they are called and report a mistake with the
    scene's file and line (``ScriptError``), so a scene that builds draws without surprises.
    """

    def __init__(self, film: Film, name: str, start: float, duration: float):
        self.film = film
        self.site = ""               # where the film made the act (file:line), for messages
        self.name = name
        self.start = start
        self.duration = duration
        from .camera_moves import CameraRig
        self.camera = CameraRig(self)
        self.framing = None          # act.subject(...): what reframing keeps in frame

    @property
    def end(self) -> float:
        return self.start + self.duration

    def _g(self, x: float) -> float:
        return self.start + float(x)

    def _within(self, what: str, a: float, b: float) -> None:
        """Refuse act-local times outside [0, duration]: what an act sets must not spill
        into its neighbours (a caption past the end overprints the next act's)."""
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError(f"{what} over ({a:g}, {b:g}): times must be finite")
        if a < -_EPS:
            raise ValueError(f"{what} over ({a:g}, {b:g}) starts before act {self.name!r} "
                             f"begins (act times run from 0 to {self.duration:g} s)")
        if b > self.duration + _EPS:
            raise ValueError(f"{what} over ({a:g}, {b:g}) runs past the end of act "
                             f"{self.name!r} ({self.duration:g} s)")

    def _over(self, over, what: str = "track") -> tuple[float, float]:
        try:
            a, b = (float(x) for x in over)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: over={over!r} must be two times (start, end) in "
                             f"seconds") from None
        if b < a:
            raise ValueError(f"act {self.name!r}: over={over} ends before it starts")
        self._within(what, a, b)
        return self._g(a), self._g(b)

    def _track(self, track):
        """Add a track this act owns (it applies only while this act plays)."""
        return self.film.timeline.add(track, self.name)

    # --- what is on screen -------------------------------------------------------------
    @scripted
    def add(self, item, span: tuple[float, float] | None = None):
        """Put a node (or a model: anything with .nodes, or a list) on screen in this act,
        for the whole act or for ``span=(a, b)`` act seconds."""
        nodes = item if isinstance(item, (list, tuple)) else getattr(item, "nodes", [item])
        a, b = (self.start, self.end) if span is None else self._over(span, "add()")
        site = call_site()
        for n in nodes:
            if not isinstance(n, Node):
                raise TypeError(f"act {self.name!r}: add() takes nodes or models, got {type(n)}")
            self.film.scene.add(n, (a, b), scope=self.name)
            self.film.scene.sites[self.film.scene.find(n.name, self.name)] = site
        return item

    # --- what changes ------------------------------------------------------------------
    @staticmethod
    def _path(target, prop: str | None) -> str:
        if isinstance(target, Node):
            return f"{target.name}.{prop}"
        name = getattr(target, "name", target)
        return name if prop is None else f"{name}.{prop}"

    @scripted
    def animate(self, target, prop_or_value=None, *values, over, ease="smooth",
                interpolation="linear", to=None):
        """Animate a property from a value to another (or through several) over (a, b).

        ``act.animate(node, "material.opacity", 0, 1, over=(2, 5))``,
        ``act.animate(model, "state", 0, 1, over=(2, 5))`` (every node of the model that has
        param ``state``: a cell's membrane, nucleus and droplets keep in step) or
        ``act.animate("scene.warmth", 1.0, 0.0, over=(6, 16))``; pass ``to=`` alone to start
        from whatever the property is at ``a`` (it must have a value there: set one first).
        """
        if hasattr(target, "paths") and target.paths(prop_or_value):   # a model's shared param
            return [self.animate(p, *values, over=over, ease=ease, interpolation=interpolation,
                                 to=to) for p in target.paths(prop_or_value)]
        if isinstance(target, Node) or hasattr(target, "nodes"):
            path, vals = self._path(target, prop_or_value), list(values)
        else:
            path = target
            vals = list(values) if prop_or_value is None else [prop_or_value, *values]
        check_path(path, self.film.scene, self.name)
        a, b = self._over(over, f"animate {path!r}")
        if to is not None:
            if not vals:
                here = self.film.timeline.current(path, a, self.name)
                if here is None:
                    raise ValueError(f"animate {path!r} to={to!r}: the property has no value "
                                     f"at {a - self.start:g} s to start from; give a start "
                                     f"value or set one first")
                vals = [here]
            vals.append(to)
        if len(vals) < 2:
            raise ValueError(f"animate {path!r}: give at least two values, or to=")
        times = [a + (b - a) * k / (len(vals) - 1) for k in range(len(vals))]
        return self._track(KeyframeTrack(path, times, vals, interpolation, [ease],
                                         site=call_site()))

    @scripted
    def keyframes(self, path: str, keys: dict, interpolation="linear", ease="linear"):
        """Explicit keys ``{act_time: value}``; one key holds that value from its time on."""
        if not isinstance(keys, dict) or not keys:
            raise ValueError(f"keyframes {path!r}: give keys as a non-empty {{time: value}} dict")
        check_path(path, self.film.scene, self.name)
        ts = sorted(keys)
        self._within(f"keyframes {path!r}", float(ts[0]), float(ts[-1]))
        return self._track(KeyframeTrack(
            path, [self._g(x) for x in ts], [keys[x] for x in ts], interpolation, [ease],
            site=call_site()))

    @scripted
    def set(self, path: str, value, at: float = 0.0):
        """Set a property to `value` from act time `at` on (a single held key)."""
        check_path(path, self.film.scene, self.name)
        self._within(f"set {path!r}", float(at), float(at))
        return self._track(KeyframeTrack(path, [self._g(at)], [value], "step",
                                         site=call_site()))

    @scripted
    def procedural(self, path: str, fn: Callable[[float], Any], over=None):
        """Drive a path by a pure fn(seconds since `over` starts) (flows, tumbling).

        The function is called at the start, middle and end of its span when the track is
        made (a value that is not finite is refused then), and its values are checked
        again as frames are evaluated."""
        if not callable(fn):
            raise TypeError(f"procedural {path!r}: fn must be a function of time, got "
                            f"{type(fn).__name__}")
        check_path(path, self.film.scene, self.name)
        a, b = (self._over(over, f"procedural {path!r}") if over is not None
                else (self.start, self.end))
        return self._track(ProceduralTrack(path, fn, a, b, site=call_site()))

    # --- what is said ------------------------------------------------------------------
    @scripted
    def caption(self, text: str, over, fade: float = 0.6, style: str = "lower_third",
                position: str = "bottom", image=None) -> Caption:
        """Show `text` on screen over ``(a, b)`` act seconds, fading in and out.

        * ``over``: (start, end) in act seconds, within the act (0 to its duration).
        * ``fade``: seconds of fade in and of fade out (≥ 0; 0.6 by default).
        * ``style``: ``"lower_third"`` (default: the narration, a panel at the bottom left,
          wrapped to 62 % of the width, and the subtitles' text), ``"title"`` (centred
          title; a first line large and bold, further lines after ``\n`` as a subtitle),
          ``"label"`` (a small tag in a corner, e.g. "Molecules enlarged"), or ``"card"``
          (a drawn data card: ``image`` is required; ``text`` is its text alternative).
        * ``position``: where a ``"label"`` sits: ``"top_left"``, ``"top_right"``,
          ``"bottom_left"``, ``"bottom_right"``, or ``"bottom"`` (default, bottom left);
          the other styles have fixed places.
        * ``image``: for ``style="card"``, a function ``(width, height) -> (premultiplied
          RGBA uint8 array, (x, y))`` such as those in ``hepaanim.compose.cards``.
        """
        if not isinstance(text, str):
            raise TypeError(f"caption text must be a string, got {type(text).__name__}")
        if style not in CAPTION_STYLES:
            raise ValueError(f"caption style {style!r}: use one of {', '.join(CAPTION_STYLES)}")
        if position not in CAPTION_POSITIONS:
            raise ValueError(f"caption position {position!r}: use one of "
                             f"{', '.join(CAPTION_POSITIONS)}")
        if style == "card" and not callable(image):
            raise ValueError("a caption of style 'card' needs image=, a function "
                             "(width, height) -> (RGBA array, (x, y))")
        if not (isinstance(fade, (int, float)) and math.isfinite(fade) and fade >= 0):
            raise ValueError(f"caption fade {fade!r}: give seconds, a finite number >= 0")
        a, b = self._over(over, "caption")
        c = Caption(text, a, b, fade, style, position, image, site=call_site())
        self.film.timeline.captions.append(c)
        return c

    @scripted
    def subject(self, *what, mode: str = "auto", margin: float = 0.05, cameras=None):
        """What must stay in frame when this act is reframed for another aspect (1:1, 9:16):
        nodes or models (their box, per frame, from the evaluated state), node names, or
        fixed shapes (``scene.reframe.Box``/``Sphere``/points).  The act's 16:9 camera is
        reframed per frame by ``scene.reframe`` (``mode``, ``margin`` as there).
        ``cameras``: a per-aspect override where the rule is not enough, ``{"9:16":
        {"fov": 60, ...}}`` (Camera fields, applied after reframing) or ``{"9:16": fn}``,
        ``fn(camera, t) -> camera`` on the reframed camera.  Recorded only; frames apply it."""
        from ..scene.reframe import MODES
        if not what:
            raise ValueError(f"act {self.name!r}: subject() needs nodes, names or a box")
        if mode not in MODES:
            raise ValueError(f"subject mode {mode!r}: use one of {', '.join(MODES)}")
        names, shapes = [], []
        for w in what:
            for item in (w if isinstance(w, list) else [w]):
                if isinstance(item, str):
                    names.append(item)
                elif isinstance(item, Node):
                    names.append(item.name)
                elif hasattr(item, "nodes"):
                    names.extend(n.name for n in item.nodes)
                else:
                    shapes.append(item)
        for n in names:
            if self.film.scene.find(n, self.name) is None:
                raise ValueError(f"act {self.name!r}: subject node {n!r} is not in the act")
        cams = dict(cameras or {})
        bad = [k for k in cams if k not in ("16:9", "1:1", "9:16")]
        if bad:
            raise ValueError(f"subject cameras: unknown aspect {bad[0]!r} (16:9, 1:1, 9:16)")
        self.framing = {"names": names, "shapes": shapes, "mode": mode, "margin": margin,
                        "cameras": cams}
        return self

    @scripted
    def line(self, line_id: str, image=None, **override) -> Caption:
        """Place the script table's line ``line_id`` (``film.use_script``): its act-relative
        window, style, position, fade and words come from the table's row, so a writer
        edits them without touching the act.  ``image`` is a card's drawing function
        ``(width, height, lang="en")`` (a ``card`` row: its parts ``<id>.<part>`` are placed
        with it); ``override`` only for what a row cannot hold.  English is the caption's
        ``text``; the other languages travel with it (``Caption.text_in(lang)``)."""
        data = self.film.script
        if data is None:
            raise ValueError(f"act.line({line_id!r}): the film has no script table (call "
                             "film.use_script(folder) in build first)")
        script = data.script
        if line_id not in script:
            raise ValueError(f"line id {line_id!r} is not in {script.path}")
        ln = script[line_id]
        if ln.act != self.name:
            raise ValueError(f"line {line_id!r} belongs to act {ln.act!r} ({ln.where()}), "
                             f"not to act {self.name!r}")
        if ln.style.startswith("card_"):
            raise ValueError(f"line {line_id!r} ({ln.where()}) is a part of card "
                             f"{ln.card!r}: place the card's line {ln.card!r}")
        if line_id in self.film.placed:
            raise ValueError(f"line {line_id!r} is already placed at "
                             f"{self.film.placed[line_id][1]}")
        if ln.end > self.duration + _EPS:
            raise ValueError(f"line {line_id!r} runs {ln.start:g}-{ln.end:g} s ({ln.where()}), "
                             f"past the end of act {self.name!r} ({self.duration:g} s)")
        from ..script import caption_args
        args = caption_args(ln)
        args.update(override)
        if image is not None:
            args["image"] = image
        c = self.caption(**args)
        c.site = call_site()
        c.line_id = line_id
        c.texts = dict(ln.text)
        self.film.placed[line_id] = (self.name, c.site)
        return c
