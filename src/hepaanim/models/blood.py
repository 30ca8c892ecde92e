"""Blood cells (units: micrometres), sized from the brief's scale card.

* red blood cell: biconcave disc 7.5 × 2 µm (Evans–Fung profile), instanced mesh;
* neutrophil ~11 µm, with its 3–5-lobed nucleus seen through a pale membrane;
* monocyte ~16 µm, with a kidney-shaped nucleus;
* platelet ~2.5 µm disc.

Leukocytes are a translucent membrane mesh plus their nucleus lobes (sphere impostors,
parented), sharing a ``state`` 0..1 that squeezes them (elongated, narrowed) as they push
between cells from the blood (film act 4): ``act.animate(model, "state", 0, 1, over=...)``.
"""
from __future__ import annotations

import functools
from functools import partial

import numpy as np

from ..scene.color import rgb
from ..scene.geometry import Geometry, surface_of_revolution
from ..scene.material import Material
from ..scene.nodes import InstancedNode, Instances, MeshNode
from ._base import Model, clamp01, param, quantize, sub, transform_of
from ._mesh import radial_mesh, random_quaternions

RBC_COLOR = "#B0201C"
NEUTROPHIL_COLOR = "#EADFEA"
MONOCYTE_COLOR = "#D9DCEB"
LEUKOCYTE_NUCLEUS = "#4E3477"
PLATELET_COLOR = "#DDB9C8"


@functools.lru_cache(maxsize=4)
def rbc_geometry(diameter: float = 7.5, thickness: float = 2.0, rows: int = 24,
                 cols: int = 32) -> Geometry:
    """Biconcave disc (Evans & Fung 1972 profile), axis z, closed."""
    rho = np.sin(np.linspace(0.0, np.pi / 2, rows))          # denser toward the rim
    h = np.sqrt(np.maximum(1 - rho ** 2, 0)) * (0.0518 + 2.0026 * rho ** 2 - 4.491 * rho ** 4)
    h = np.abs(h) / np.abs(h).max() * thickness / 2
    h = np.maximum(h, 0.0)
    r = rho * diameter / 2
    # Top pole → rim → bottom pole.
    prof_r = np.concatenate([r, r[-2::-1]])
    prof_z = np.concatenate([h, -h[-2::-1]])
    prof_r[0] = prof_r[-1] = 0.0
    return surface_of_revolution(prof_r, prof_z, cols)


def red_blood_cells(name: str = "rbc", positions=None, count: int = 1, seed: int = 0,
                    orientations=None) -> InstancedNode:
    """Instanced RBCs at ``positions`` (N×3; default: ``count`` at the origin), randomly
    turned unless ``orientations`` (N×4) are given."""
    pos = np.zeros((count, 3)) if positions is None else np.asarray(positions, float).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    q = random_quaternions(rng, len(pos)) if orientations is None else orientations
    return InstancedNode(name, shape=rbc_geometry(), instances=Instances(pos, orientation=q),
                         material=Material(color=rgb(RBC_COLOR), roughness=0.35, rim=0.35,
                                           rim_color=rgb("#FFC8C0")))


def _squeeze(state) -> np.ndarray:
    s = clamp01(state)
    return np.array([1.0 + 0.7 * s, 1.0 - 0.35 * s, 1.0 - 0.35 * s])


@functools.lru_cache(maxsize=160)
def leukocyte_geometry(q_state: float, radius: float) -> Geometry:
    """The membrane: a sphere stretched and narrowed as the cell squeezes through."""
    half = radius * _squeeze(q_state)
    return radial_mesh(lambda d: 1.0 / np.sqrt(((d / half) ** 2).sum(axis=1)), 14, axes=half)


def _nucleus(state, lobes, lobe_r):
    sq = _squeeze(state)
    pos = np.array(lobes, dtype=np.float64) * sq
    scale = np.tile(lobe_r * np.sqrt(sq), (len(pos), 1))
    return Instances(pos, scale=scale)


NEUTROPHIL_LOBES = [(-2.6, 0.4, 0.2), (-0.9, -0.9, -0.3), (0.9, -0.6, 0.5), (2.5, 0.5, -0.1)]
MONOCYTE_LOBES = [(-2.6, 1.2, 0.0), (-1.4, -0.6, 0.0), (0.4, -1.3, 0.0), (2.2, -0.6, 0.0),
                  (3.1, 1.1, 0.0)]
KINDS = {  # body radius, body colour, nucleus lobes, lobe radius
    "neutrophil": (5.5, NEUTROPHIL_COLOR, NEUTROPHIL_LOBES, 1.45),
    "monocyte": (8.0, MONOCYTE_COLOR, MONOCYTE_LOBES, 2.3),
}


def _derive_membrane(kind, node):
    r = KINDS[kind][0]
    return node.copy(geometry=leukocyte_geometry(quantize(param(node, "state")), r))


def _derive_nucleus(kind, node):
    _, _, lobes, lobe_r = KINDS[kind]
    return node.copy(instances=_nucleus(param(node, "state"), lobes, lobe_r))


def _cell(name, kind, state, transform, position):
    s = clamp01(state, f"{name} state")
    r, color, _, _ = KINDS[kind]
    body = MeshNode(name, transform=transform_of(transform, position), params={"state": s},
                    material=Material(color=rgb(color), opacity=0.45, roughness=0.5, rim=0.7,
                                      wrap=0.5),
                    derive=partial(_derive_membrane, kind))
    nuc = InstancedNode(sub(name, "nucleus"), shape="sphere", parent=name, params={"state": s},
                        material=Material(color=rgb(LEUKOCYTE_NUCLEUS), roughness=0.45, rim=0.2),
                        derive=partial(_derive_nucleus, kind))
    nodes = [body.derive(body), nuc.derive(nuc)]
    return Model(name, nodes, center=body.transform.position.copy(), radius=r * 1.2, units="um")


def neutrophil(name: str = "neutrophil", state: float = 0.0, transform=None,
               position=None) -> Model:
    """~11 µm neutrophil with a four-lobed nucleus (nodes ``{name}``, ``{name}_nucleus``).
    Param ``state``: 0 round → 1 squeezing between cells."""
    return _cell(name, "neutrophil", state, transform, position)


def monocyte(name: str = "monocyte", state: float = 0.0, transform=None,
             position=None) -> Model:
    """~16 µm monocyte with a kidney-shaped nucleus (nodes ``{name}``, ``{name}_nucleus``).
    Param ``state``: 0 round → 1 squeezing."""
    return _cell(name, "monocyte", state, transform, position)


def platelets(name: str = "platelets", positions=None, count: int = 1, seed: int = 0) -> InstancedNode:
    """~2.5 µm discoid platelets (flattened impostors), randomly turned."""
    pos = np.zeros((count, 3)) if positions is None else np.asarray(positions, float).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    return InstancedNode(name, shape="sphere",
                         instances=Instances(pos, orientation=random_quaternions(rng, len(pos)),
                                             scale=np.tile([1.25, 1.25, 0.45], (len(pos), 1))),
                         material=Material(color=rgb(PLATELET_COLOR), roughness=0.4, rim=0.4))
