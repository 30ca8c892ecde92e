"""The Scene (what exists) and the FrameState (what it looks like at one instant).

A Scene is a registry of uniquely named nodes with the time span in which each is on
screen, a camera, lights and a few scene-wide settings.  ``FrameState`` is what
``Timeline.evaluate(t)`` returns and what every backend draws: the same shape of data, with
animated values applied to shallow copies so the Scene itself is never mutated.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from .camera import Camera
from .color import rgb
from .lights import Light, three_point_rig
from .nodes import InstancedNode, MeshNode, Node

RESERVED_ROOTS = ("camera", "lights", "scene")


@dataclass
class Settings:
    """Scene-wide look settings, all animatable under the 'scene.' path root
    (e.g. ``act.animate("scene.focus_distance", 40, 12, over=(2, 5))``).

    The look is a camera's: exposure and white balance per shot, bloom around bright and
    emissive things, depth of field with a focus distance, fog for microscopic depth, a
    vignette.  Effects whose strength is 0 cost nothing; quality presets may switch the
    costly ones off (see render.gl.post.LOOK_PRESETS).
    """
    background_top: np.ndarray = field(default_factory=lambda: rgb("#17304F"))
    background_bottom: np.ndarray = field(default_factory=lambda: rgb("#0B1A2E"))
    exposure: float = 1.0
    white_balance: np.ndarray = field(default_factory=lambda: np.ones(3))   # RGB gains
    fade: float = 0.0          # 0 = picture, 1 = faded to the background colour (transitions)
    bloom: float = 0.35        # strength of the glow added around bright pixels
    bloom_threshold: float = 1.0
    fog: float = 0.0           # density per scene unit (exp fog toward the background)
    fog_color: np.ndarray | None = None          # default: the background's lower colour
    focus_distance: float = 0.0                  # 0 = no depth of field
    aperture: float = 0.0      # blur radius (fraction of frame height) at far defocus
    vignette: float = 0.35
    ao: float = 0.0            # ambient occlusion strength (0 = off, 1 = full)
    ao_radius: float = 0.0     # its reach in scene units (the shot's scale: µm, mm)
    params: dict = field(default_factory=dict)   # free scene-wide values, e.g. warmth

    def copy(self) -> "Settings":
        return replace(self, params=dict(self.params))


def _numbers(obj, prefix: str):
    """(name, value) for every number or numeric array field of a plain-data object."""
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, (float, int, np.ndarray)) and not isinstance(v, bool):
            yield f"{prefix}.{f.name}", v


def check_finite_node(node: Node) -> None:
    """Refuse a node holding NaN or ±inf (transform, material, instance arrays, geometry,
    params): drawn, it would vanish or blank the frame without a word."""
    items = [*_numbers(node.transform, "transform"), *_numbers(node.material, "material"),
             *((f"params.{k}", v) for k, v in node.params.items())]
    if isinstance(node, InstancedNode):
        items += _numbers(node.instances, "instances")
    if isinstance(node, MeshNode) and node.geometry is not None:
        items.append(("geometry.positions", node.geometry.positions))
    for what, v in items:
        if isinstance(v, (float, int, np.number)) and not isinstance(v, bool):
            ok = np.isfinite(v)
        elif isinstance(v, np.ndarray) and v.dtype.kind in "fc":
            ok = np.isfinite(v).all()
        else:
            continue
        if not ok:
            raise ValueError(f"node {node.name!r}: {what} is not finite "
                             f"({'array ' + str(v.shape) if np.ndim(v) else v})")


class Scene:
    """Every node of a film with the span it is on screen, plus the film's default camera,
    lights and look (what each act starts from).

    A node added by an act is scoped to that act: two acts may each have a node named
    'sinusoid', and paths name the node of their own act.  ``nodes`` is keyed by a unique
    key (the name; ``name@act`` for a name an earlier act already used); the frame state
    (``active``) is keyed by name, unique within one act.
    """

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.spans: dict[str, tuple[float, float]] = {}
        self.scopes: dict[str, str | None] = {}     # key -> the act that added it (None: film)
        self.sites: dict[str, str] = {}      # key -> the scene's file:line that added it
        self.camera = Camera()
        self.lights: dict[str, Light] = three_point_rig()
        self.settings = Settings()

    def find(self, name: str, scope: str | None = None) -> str | None:
        """The key of the node `name` as seen from act `scope` (its own nodes, then the
        film-wide ones), or None."""
        if scope is not None:
            for key in (name, f"{name}@{scope}"):
                if self.scopes.get(key, "") == scope:
                    return key
        return name if self.scopes.get(name, "") is None or (
            scope is None and name in self.nodes) else None

    def add(self, node: Node, span: tuple[float, float] = (0.0, float("inf")),
            scope: str | None = None) -> Node:
        if node.name in RESERVED_ROOTS:
            raise ValueError(f"node name {node.name!r} is reserved (paths starting with "
                             f"{', '.join(RESERVED_ROOTS)} address the camera, lights and scene)")
        key = node.name
        if key in self.nodes:
            if scope is None or self.scopes[key] is None or self.find(key, scope) is not None:
                raise ValueError(f"node name {node.name!r} is already used"
                                 f"{'' if scope is None else f' in act {scope!r}'}; names must "
                                 "be unique (pass name=... to the model to tell them apart)")
            key = f"{node.name}@{scope}"
        if node.parent is not None and self.find(node.parent, scope) is None:
            raise ValueError(f"node {node.name!r}: parent {node.parent!r} must be added first")
        check_finite_node(node)
        self.nodes[key] = node
        self.spans[key] = span
        self.scopes[key] = scope
        return node

    def active(self, t: float) -> dict[str, Node]:
        return {n.name: n for k, n in self.nodes.items()
                if self.spans[k][0] <= t < self.spans[k][1]}

    def counts(self) -> dict[str, int]:
        meshes = [n for n in self.nodes.values() if isinstance(n, MeshNode)]
        inst = [n for n in self.nodes.values() if isinstance(n, InstancedNode)]
        return {"nodes": len(self.nodes), "mesh_nodes": len(meshes),
                "instanced_nodes": len(inst),
                "instances": int(sum(n.count for n in inst)),
                "triangles": int(sum(n.triangle_count for n in meshes))}


@dataclass
class Caption:
    text: str
    start: float
    end: float
    fade: float = 0.5
    style: str = "lower_third"     # lower_third | title | label | card
    position: str = "bottom"
    image: object = None           # a callable(size)->RGBA array for drawn cards
    site: str = ""                 # the scene's file:line that made it (for messages)
    line_id: str = ""              # the script table's line id (``act.line``), "" if none
    texts: dict = field(default_factory=dict, compare=False, repr=False)  # lang -> text
    # Narrated lines: where each language's voice lets the caption go (``ends``: lang ->
    # seconds, set when the film follows its takes) within the table's window
    # (``window_end``); ``end`` is the build language's.  A language without its own take
    # keeps the whole window: a Japanese caption is not cut to the English voice.
    ends: dict = field(default_factory=dict, compare=False, repr=False)
    window_end: float | None = field(default=None, compare=False, repr=False)

    def text_in(self, lang: str = "en") -> str:
        """The text shown in ``lang``: ``text`` for English (the film's own language), else
        the table's translation.  Why no fallback to English: a French film showing one
        English line is a mistake a reviewer must see, not a silent patch."""
        if lang == "en":
            return self.text
        try:
            return self.texts[lang]
        except KeyError:
            what = f"line {self.line_id!r}" if self.line_id else f"caption {self.text[:40]!r}"
            raise ValueError(f"{self.site or '<unknown>:?'}: {what} has no {lang!r} text in "
                           "the script table") from None

    def end_in(self, lang: str = "en") -> float:
        """When the caption has left in ``lang`` (its voice's end there, else its window's)."""
        if lang in self.ends:
            return self.ends[lang]
        return self.end if self.window_end is None else self.window_end

    @property
    def last_end(self) -> float:
        """The latest it shows in any language (what a frame's caption list must cover)."""
        return max([self.end, *self.ends.values()]
                   + ([self.window_end] if self.window_end is not None else []))

    def alpha(self, t: float, lang: str = "en") -> float:
        end = self.end_in(lang)
        if not (self.start <= t < end):
            return 0.0
        f = max(self.fade, 1e-6)
        return float(min(1.0, (t - self.start) / f, (end - t) / f))


@dataclass
class FrameState:
    t: float
    nodes: dict[str, Node]
    camera: Camera
    lights: dict[str, Light]
    settings: Settings
    captions: list[tuple[Caption, float]] = field(default_factory=list)

    def captions_in(self, lang: str = "en") -> list[tuple[Caption, float]]:
        """(caption, alpha) of the captions showing in ``lang``: ``captions`` lists every
        caption showing in some language, with its English alpha (0 where only another
        language's timing still shows it)."""
        return [(c, a) for c, _ in self.captions if (a := c.alpha(self.t, lang)) > 0]

    def world_matrix(self, name: str) -> np.ndarray:
        node = self.nodes[name]
        m = node.transform.matrix()
        while node.parent is not None and node.parent in self.nodes:
            node = self.nodes[node.parent]
            m = node.transform.matrix() @ m
        return m
