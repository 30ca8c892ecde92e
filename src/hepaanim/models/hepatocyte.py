"""The hepatocyte and its disease course (units: micrometres, 1 unit = 1 µm).

One ``state`` in [0, 1] walks the brief's sequence (§2), so a timeline needs one track:

* 0 → 1/3  **steatosis**: small lipid droplets grow and fuse into one large droplet that
  pushes the nucleus to the side (macrovesicular steatosis);
* 1/3 → 2/3 **ballooning**: the cell swells to ~1.75× and rounds up, its cytoplasm pales;
* 2/3 → 1  **apoptosis**: it shrinks, the nucleus condenses, blebs bulge from the surface and
  at the end the cell comes apart into 1–5 µm apoptotic bodies.

Two nodes share the state (use ``act.animate(model, "state", ...)``): ``{name}`` is the
translucent membrane (a rounded box ~25 µm; mesh morphs are quantised to 1/64 and cached)
and ``{name}_contents`` (parented to it) holds nucleus, droplets and apoptotic bodies as
sphere impostors.
"""
from __future__ import annotations

import functools
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, quantize, sub, transform_of
from ._mesh import fibonacci_sphere, mix_color, radial_mesh, smoothstep

STEATOTIC = 1.0 / 3.0
BALLOONED = 2.0 / 3.0
APOPTOTIC = 1.0
NUCLEUS = "#6B3F6E"          # hematoxylin-like plum (not a palette colour: organelle)
HALF = np.array([12.5, 11.5, 12.0])   # ~25 µm cell (brief: 20–30 µm)


def stages(state: float) -> tuple[float, float, float]:
    """(steatosis, ballooning, apoptosis) progress, each 0..1, from the one state."""
    s = clamp01(state)
    return (smoothstep(0.0, STEATOTIC, s), smoothstep(STEATOTIC, BALLOONED, s),
            smoothstep(BALLOONED, 1.0, s))


def _body_scale(state: float) -> float:
    _, b, a = stages(state)
    swell = 1.0 + 0.75 * b
    return swell * (1.0 - 0.45 * smoothstep(0.0, 0.7, a))


@functools.lru_cache(maxsize=256)
def body_geometry(q_state: float, seed: int, size: float = 25.0):
    """Membrane mesh for a quantised state: boxy → round (ballooning) → blebbed (apoptosis)."""
    _, b, a = stages(q_state)
    half = HALF * size / 25.0 * _body_scale(q_state)
    p = 3.2 - 1.2 * b                                  # superellipsoid exponent: box → sphere
    rng = np.random.default_rng(seed)
    bleb_dirs = rng.normal(size=(9, 3))
    bleb_dirs /= np.linalg.norm(bleb_dirs, axis=1, keepdims=True)
    bleb_amp = 0.22 * smoothstep(0.15, 0.75, a)

    def radius(d):
        r = (np.abs(d[:, 0] / half[0]) ** p + np.abs(d[:, 1] / half[1]) ** p
             + np.abs(d[:, 2] / half[2]) ** p) ** (-1.0 / p)
        if bleb_amp > 0:
            bumps = np.exp(-((1.0 - d @ bleb_dirs.T) / 0.035)).sum(axis=1)
            r = r * (1.0 + bleb_amp * bumps)
        return r
    return radial_mesh(radius, 12)


def _contents(state: float, seed: int, size: float) -> Instances:
    """Nucleus, droplets and apoptotic bodies for a state (cached: the state is snapped to
    1/1024, far below what shows, so cells holding a state cost nothing per frame)."""
    return _contents_at(round(clamp01(state) * 1024) / 1024, seed, size)


@functools.lru_cache(maxsize=512)
def _contents_at(state: float, seed: int, size: float) -> Instances:
    st, b, a = stages(state)
    k = size / 25.0
    scale = _body_scale(state)
    rng = np.random.default_rng(seed)
    pos, rad, col, opa = [], [], [], []
    # Nucleus: central, pushed aside by the fat droplet, condensed (pyknotic) in apoptosis.
    big_dir = np.array([0.35, 0.2, 0.1])
    nuc = -np.array([1.0, 0.55, 0.0]) * 6.5 * st * k
    nr = 4.2 * k * (1.0 - 0.45 * smoothstep(0.0, 0.6, a))
    nuc_scale = np.array([1.0 - 0.4 * st, 1.0, 1.0 - 0.15 * st]) * nr
    frag = smoothstep(0.8, 1.0, a)                    # the cell comes apart
    if frag < 0.999:
        pos.append(nuc * scale)
        rad.append(nuc_scale * (1.0 - frag))
        col.append(mix_color(NUCLEUS, "#2E1A3A", a))
        opa.append(1.0)
    # Lipid droplets: 12 small ones grow, converge and fuse into one large droplet.
    small = fibonacci_sphere(12) * 7.0 * k
    small = small + rng.normal(scale=1.2 * k, size=small.shape)
    centre = big_dir * 4.0 * k
    fuse = smoothstep(0.45, 1.0, st)
    r_small = (0.5 + 2.1 * smoothstep(0.0, 0.6, st)) * k * (1.0 - fuse)
    r_big = 8.0 * k * smoothstep(0.35, 1.0, st)
    shrink = 1.0 - 0.5 * a
    for p in small:
        if r_small * shrink * (1 - frag) > 0.05 and st > 0:
            pos.append((p + (centre - p) * fuse) * scale)
            rad.append(np.full(3, r_small * shrink * (1 - frag)))
            col.append(rgb("lipid_gold"))
            opa.append(1.0)
    if r_big * shrink * (1 - frag) > 0.05:
        pos.append(centre * scale)
        rad.append(np.full(3, r_big * shrink * (1 - frag)))
        col.append(rgb("lipid_gold"))
        opa.append(1.0)
    # Apoptotic bodies: 1–5 µm membrane-bound fragments (some with nuclear pieces) drift
    # a little apart as the cell breaks up.
    if frag > 0.001:
        dirs = fibonacci_sphere(7) + rng.normal(scale=0.25, size=(7, 3))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        r_bod = rng.uniform(0.5, 2.5, 7) * k
        for j, (d, r) in enumerate(zip(dirs, r_bod)):
            pos.append(d * (4.0 + 4.0 * frag) * k)
            rad.append(np.full(3, r * frag))
            col.append(mix_color("hepatocyte_rose", "#FFFFFF", 0.25) if j % 3
                       else mix_color(NUCLEUS, "hepatocyte_rose", 0.3))
            opa.append(0.9)
    return Instances(np.array(pos).reshape(-1, 3), scale=np.array(rad).reshape(-1, 3),
                     color=np.array(col).reshape(-1, 3), opacity=np.array(opa))


def _membrane_color(state: float) -> np.ndarray:
    _, b, a = stages(state)
    return mix_color("hepatocyte_rose", "#F6E6E1", 0.6 * b + 0.2 * a)


def _derive_body(seed: int, size: float, node):
    s = param(node, "state")
    _, b, a = stages(s)
    opacity = 0.55 - 0.12 * b
    opacity *= 1.0 - smoothstep(0.8, 1.0, a)          # the membrane is gone once it breaks up
    return node.copy(geometry=body_geometry(quantize(s), seed, size),
                     material=node.material.copy(color=_membrane_color(s),
                                                 opacity=max(0.0, opacity)))


def _derive_contents(seed: int, size: float, node):
    return node.copy(instances=_contents(param(node, "state"), seed, size))


def hepatocyte(name: str = "hepatocyte", state: float = 0.0, seed: int = 0, size: float = 25.0,
               transform=None, position=None) -> Model:
    """A hepatocyte (µm), ~``size`` across.  Params on both nodes: ``state`` (see module)."""
    s = clamp01(state, f"{name} state")
    tr = transform_of(transform, position)
    body = MeshNode(name, geometry=body_geometry(quantize(s), seed, size),
                    material=Material(color=_membrane_color(s), opacity=0.55, roughness=0.5,
                                      rim=0.7, rim_color=rgb("#FFE3DA"), wrap=0.5,
                                      shading="vertex"),      # big translucent: lit per vertex
                    transform=tr, params={"state": s}, derive=partial(_derive_body, seed, size))
    contents = InstancedNode(sub(name, "contents"), shape="sphere",
                             instances=_contents(s, seed, size),
                             material=Material(color=rgb(NUCLEUS), roughness=0.4, rim=0.2),
                             parent=name, params={"state": s},
                             derive=partial(_derive_contents, seed, size))
    nodes = [_derive_body(seed, size, body), _derive_contents(seed, size, contents)]
    return Model(name, nodes, center=tr.position.copy(), radius=size * 0.9, units="um")
