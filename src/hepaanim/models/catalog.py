"""Every model in the library with its key states: one list shared by the tests, the bench
and the gallery, so none of them can forget a model.

Each entry: (label, build) where build() returns a Model; ``STATES`` lists the parameter
values worth showing for models that animate.
"""
from __future__ import annotations

from . import (collagen, cytokines, endothelial_cell, hepastem_cell, hepatocyte, iv_route,
               kupffer_cell, lipid_droplets, liver, lobule, monocyte, neutrophil,
               paracrine_factors, platelets, red_blood_cells, sinusoid, stellate_cell,
               vasculature)
from ._base import Model


def _wrap(name, node, radius):
    return Model(name, [node], radius=radius, units="um")


BUILDERS = {
    "liver": lambda: liver("liver"),
    "liver_translucent": lambda: liver("liver_t", translucent=True),
    "vasculature": lambda: vasculature("vessels"),
    "iv_route": lambda: iv_route("iv"),
    "lobule": lambda: lobule("lobule"),
    "sinusoid": lambda: sinusoid("sinusoid"),
    "hepatocyte": lambda: hepatocyte("hepatocyte"),
    "stellate": lambda: stellate_cell("stellate"),
    "kupffer": lambda: kupffer_cell("kupffer"),
    "hepastem": lambda: hepastem_cell("hepastem"),
    "neutrophil": lambda: neutrophil("neutrophil"),
    "monocyte": lambda: monocyte("monocyte"),
    "platelet": lambda: _wrap("platelet", platelets("platelet"), 2.0),
    "rbc": lambda: _wrap("rbc", red_blood_cells("rbc"), 4.0),
    "endothelial": lambda: endothelial_cell("endothelial"),
    "collagen": lambda: collagen("collagen", amount=1.0),
    "cytokines": lambda: cytokines("cytokines"),
    "paracrine_factors": lambda: paracrine_factors("factors", amount=1.0),
    "lipid_droplets": lambda: _wrap("lipid", lipid_droplets("lipid"), 6.0),
}

STATES = {   # model -> (param, values to show)
    "hepatocyte": ("state", (0.0, 1 / 3, 2 / 3, 0.85, 1.0)),
    "stellate": ("state", (0.0, 0.5, 1.0)),
    "kupffer": ("state", (0.0, 0.5, 1.0)),
    "hepastem": ("state", (0.0, 1.0)),
    "neutrophil": ("state", (0.0, 1.0)),
    "collagen": ("amount", (0.3, 1.0)),
    "paracrine_factors": ("spread", (0.0, 1.0)),
}


def build_all() -> dict[str, Model]:
    return {k: f() for k, f in BUILDERS.items()}
