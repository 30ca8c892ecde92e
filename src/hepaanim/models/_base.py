"""What every model factory shares: the returned Model object, state clamping, naming.

State convention (the whole library): animated state values are **clamped** to [0, 1]
(keyframe easing or Catmull-Rom interpolation may overshoot a little, and a frame must
never fail because of it); NaN or a non-number raises ``ValueError`` naming the parameter.
Params are declared by the node's ``params`` dict as built: it holds every name the
model's derive reads, with its starting value.  A track on any other name
(``"factors.params.sprad"``) is refused when the scene is built, with the declared names
listed; tests/test_validation.py checks that every model reads only what it declares.
Mesh morphs quantise the state to 1/64 steps so that a slow animation reuses cached
geometry (and GPU buffers) instead of creating a new mesh every frame.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..scene.nodes import Node, check_name
from ..scene.transform import Transform

STEPS = 64     # mesh-morph quantisation of a state in [0, 1]


def clamp01(value, what: str = "state") -> float:
    """A state value as a float in [0, 1] (clamped); NaN or non-numbers raise ValueError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number in [0, 1], got {value!r}") from None
    if math.isnan(v):
        raise ValueError(f"{what} must be a number in [0, 1], got NaN")
    return min(1.0, max(0.0, v))


def quantize(value: float, steps: int = STEPS) -> float:
    """Snap a clamped state to 1/steps so mesh morphs hit a small geometry cache."""
    return round(clamp01(value) * steps) / steps


def param(node: Node, key: str, default: float = 0.0) -> float:
    return clamp01(node.params.get(key, default), f"{node.name}.params.{key}")


def sub(name: str, part: str) -> str:
    """Sub-node name: every node of a model starts with the model's name."""
    return check_name(f"{name}_{part}")


def transform_of(transform=None, position=None) -> Transform:
    if transform is not None:
        return transform.copy()
    return Transform(position=np.zeros(3) if position is None else position)


@dataclass
class Model:
    """What a factory returns: its nodes plus what other models and timelines use.

    ``name`` is the main node's name; ``act.animate(model, "state", a, b, over=...)``
    drives a parameter on every node of the model that has it.  ``center``/``radius`` bound
    the model in world units (µm or mm, per model).  What a model offers beyond its nodes
    (centre lines, paths, its cells) are typed attributes of its own subclass
    (``Sinusoid.hepatocytes``, ``LobuleField.centers``, ``IVRoute.path``, ...).
    """
    name: str
    nodes: list[Node]
    center: np.ndarray = field(default_factory=lambda: np.zeros(3))
    radius: float = 1.0
    units: str = "um"

    def __getitem__(self, suffix: str) -> Node:
        """A node by its full name or by the part after the model's name."""
        for n in self.nodes:
            if n.name == suffix or n.name.endswith(f"_{suffix}"):
                return n
        raise KeyError(f"model {self.name!r} has no node {suffix!r} "
                       f"(nodes: {', '.join(n.name for n in self.nodes)})")

    @property
    def node(self) -> Node:
        return self.nodes[0]

    def paths(self, key: str) -> list[str]:
        """Every property path that carries parameter ``key`` (multi-node cells share one)."""
        return [f"{n.name}.params.{key}" for n in self.nodes if key in n.params]

    def set(self, key: str, value) -> "Model":
        """Set a parameter on every node that has it (build time, before adding)."""
        for n in self.nodes:
            if key in n.params:
                n.params[key] = value
        return self

    def restyled(self, *parts: str, **material) -> "Model":
        """A new model whose ``parts`` (node names or name endings; none: every node) have
        their material changed (``Material.copy(**material)``): a shot's look without
        editing the model in place.  Models it holds (a sinusoid's cells) follow."""
        targets = self.nodes if not parts else [self[p] for p in parts]
        return self._swapped({n.name: n.copy(material=n.material.copy(**material))
                              for n in targets})

    def _swapped(self, swap: dict) -> "Model":
        def fix(v):
            if isinstance(v, Model):
                return v._swapped(swap)
            if isinstance(v, list) and v and all(isinstance(x, Model) for x in v):
                return [x._swapped(swap) for x in v]
            return v
        changes = {f.name: fix(getattr(self, f.name)) for f in fields(self) if f.name != "nodes"}
        return replace(self, nodes=[swap.get(n.name, n) for n in self.nodes], **changes)

    def derived(self) -> list[Node]:
        """The nodes as a frame would show them now (derive applied): for tests, gallery."""
        return [n.derive(n) if n.derive is not None else n for n in self.nodes]


def selected(derive, select, node):
    """A derive that keeps only the instances ``select(instances)`` marks (a boolean mask),
    every per-instance array with them: how a model option thins what another derive
    makes (``sinusoid(pores="far")``, ``Sinusoid.open_top``)."""
    d = derive(node) if derive is not None else node
    return d.copy(instances=d.instances.select(select(d.instances)))
