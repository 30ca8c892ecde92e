"""Kupffer cell: the liver's resident macrophage, in the sinusoid lumen (units: µm).

``state`` 0 **resting** (Kupffer Violet, smooth, a few short pseudopods) → 0.5 **activated**
(Inflammation Ember, larger and ruffled, a faint glow: it is releasing cytokines) → 1
**resolving** (calm again, smooth, violet cooled toward Resolution Blue: the M2-like look of
film act 7).  ~13 µm (brief: 10–15 µm).  One node, ``{name}``, mesh morph quantised to 1/64.
"""
from __future__ import annotations

import functools
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.material import Material
from ..scene.nodes import MeshNode
from ._base import Model, clamp01, param, quantize, transform_of
from ._mesh import mix_color, radial_mesh, smoothstep

RESTING, ACTIVATED, RESOLVING = 0.0, 0.5, 1.0
CALM = mix_color("kupffer_violet", "resolution_blue", 0.35)


def activation(state: float) -> float:
    """How inflamed the cell is: 0 at rest, 1 when activated, back to 0 when resolved."""
    s = clamp01(state)
    return float(smoothstep(0.0, 0.5, s) * (1.0 - smoothstep(0.5, 1.0, s)))


@functools.lru_cache(maxsize=160)
def kupffer_geometry(q_state: float, seed: int, size: float = 13.0):
    a = activation(q_state)
    rng = np.random.default_rng(seed)
    pods = rng.normal(size=(5, 3))
    pods /= np.linalg.norm(pods, axis=1, keepdims=True)
    waves = rng.normal(size=(18, 3)) * 9.0
    phase = rng.uniform(0, 2 * np.pi, 18)
    half = np.array([0.5, 0.42, 0.36]) * size * (1.0 + 0.15 * a)

    def radius(d):
        r = 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1))
        pod = np.exp(-(1.0 - d @ pods.T) / 0.05).sum(axis=1)
        ruffle = np.sin(d @ waves.T + phase).mean(axis=1)
        return r * (1.0 + 0.22 * pod * (1.0 - 0.5 * a) + 0.32 * a * ruffle)
    return radial_mesh(radius, 16, axes=half)


def _color(state: float) -> np.ndarray:
    s = clamp01(state)
    if s <= 0.5:
        return mix_color("kupffer_violet", "inflammation_ember", smoothstep(0.0, 0.5, s))
    return mix_color("inflammation_ember", CALM, smoothstep(0.5, 1.0, s))


def _derive(seed, size, node):
    s = param(node, "state")
    return node.copy(geometry=kupffer_geometry(quantize(s), seed, size),
                     material=node.material.copy(color=_color(s), emissive=0.6 * activation(s)))


def kupffer_cell(name: str = "kupffer", state: float = RESTING, seed: int = 0,
                 size: float = 13.0, transform=None, position=None) -> Model:
    """A Kupffer cell (µm).  Param ``state``: 0 resting, 0.5 activated, 1 resolving."""
    s = clamp01(state, f"{name} state")
    tr = transform_of(transform, position)
    node = MeshNode(name, material=Material(color=_color(s), roughness=0.5, rim=0.45,
                                            rim_color=rgb("#F3E6FF"), wrap=0.5),
                    transform=tr, params={"state": s}, derive=partial(_derive, seed, size))
    return Model(name, [node.derive(node)], center=tr.position.copy(), radius=size * 0.7,
                 units="um")
