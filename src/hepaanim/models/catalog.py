"""Every model in the library with its key states: one list shared by the tests, the bench
and the gallery, so none of them can forget a model.

``CATALOG`` is a plain list: add a model by appending an ``Entry`` to it.  An entry names
the factory itself (the gallery's tile shows ``function.__name__``, the name a user calls),
the keyword arguments to build it with, and, for models that animate, the parameter and the
values worth showing.  ``BUILDERS`` and ``STATES`` are views of the list keyed by the
entry's ``key`` (a stable short id the tests and the bench index by).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import (cell_vial, collagen, culture_cells, culture_flask, cytokines, endothelial_cell,
               hepatocyte, iv_route, kupffer_cell, lipid_droplets, liver, liver_sample, lobule,
               monocyte, msc_cell, neutrophil, organ_body, paracrine_factors, platelets,
               red_blood_cells, sinusoid, stellate_cell, stromal_cell, vasculature)
from ._base import Model


@dataclass(frozen=True)
class Entry:
    """One model of the library as the gallery shows it.

    ``radius`` is only for factories that return a bare node (``platelets``, ...): it
    bounds the ``Model`` the node is wrapped in.  ``note`` is shown after the function's
    name where two entries call the same function (``liver`` and ``liver translucent``).
    """
    key: str
    function: Callable
    kwargs: dict = field(default_factory=dict)
    states: tuple[str, tuple[float, ...]] | None = None
    radius: float | None = None
    note: str = ""

    def build(self) -> Model:
        made = self.function(**self.kwargs)
        if isinstance(made, Model):
            return made
        return Model(made.name, [made], radius=self.radius or 1.0, units="um")

    @property
    def title(self) -> str:
        """The tile's caption: the factory's own name (what a user calls), plus the note."""
        return "  ".join(x for x in (self.function.__name__, self.note) if x)


CATALOG: list[Entry] = [
    Entry("liver", liver, dict(name="liver")),
    Entry("liver_translucent", liver, dict(name="liver_t", translucent=True),
          note="translucent=True"),
    Entry("vasculature", vasculature, dict(name="vessels")),
    Entry("iv_route", iv_route, dict(name="iv")),
    Entry("lobule", lobule, dict(name="lobule")),
    Entry("sinusoid", sinusoid, dict(name="sinusoid")),
    Entry("hepatocyte", hepatocyte, dict(name="hepatocyte"),
          states=("state", (0.0, 1 / 3, 2 / 3, 0.85, 1.0))),
    Entry("stellate", stellate_cell, dict(name="stellate"), states=("state", (0.0, 0.5, 1.0))),
    Entry("kupffer", kupffer_cell, dict(name="kupffer"), states=("state", (0.0, 0.5, 1.0))),
    Entry("msc", msc_cell, dict(name="msc"), states=("state", (0.0, 1.0))),
    Entry("neutrophil", neutrophil, dict(name="neutrophil"), states=("state", (0.0, 1.0))),
    Entry("monocyte", monocyte, dict(name="monocyte"), states=("state", (0.0, 1.0))),
    Entry("platelet", platelets, dict(name="platelet"), radius=2.0),
    Entry("rbc", red_blood_cells, dict(name="rbc"), radius=4.0),
    Entry("endothelial", endothelial_cell, dict(name="endothelial")),
    Entry("collagen", collagen, dict(name="collagen", amount=1.0),
          states=("amount", (0.3, 1.0))),
    Entry("cytokines", cytokines, dict(name="cytokines")),
    Entry("paracrine_factors", paracrine_factors, dict(name="factors", amount=1.0),
          states=("spread", (0.0, 1.0))),
    Entry("lipid_droplets", lipid_droplets, dict(name="lipid"), radius=6.0),
    Entry("liver_sample", liver_sample, dict(name="sample"), states=("freed", (0.0, 1.0))),
    Entry("culture_flask", culture_flask, dict(name="flask"), states=("confluence", (0.0, 1.0))),
    Entry("stromal", stromal_cell, dict(name="stromal"), states=("spread", (0.0, 1.0))),
    Entry("stromal_divide", stromal_cell, dict(name="stromal_d"),
          states=("divide", (0.3, 0.6, 0.8, 1.0)), note="divide"),
    Entry("culture_cells", culture_cells, dict(name="culture"),
          states=("confluence", (0.0, 0.5, 1.0))),
    Entry("culture_lifted", culture_cells, dict(name="culture_l", confluence=1.0),
          states=("lifted", (0.5, 1.0)), note="confluence=1"),
    Entry("cell_vial", cell_vial, dict(name="vial"), states=("cells", (0.0, 1.0))),
    Entry("organ_body", organ_body, dict(name="organs")),
    Entry("organ_body_failing", organ_body, dict(name="organs_f", liver=1.0, kidneys=1.0,
          brain=1.0, coagulation=1.0, circulation=1.0, lungs=1.0), note="all failing"),
]

# Views of CATALOG for the tests and the bench: key -> build(), key -> (param, values).
BUILDERS = {e.key: e.build for e in CATALOG}
STATES = {e.key: e.states for e in CATALOG if e.states}


def build_all() -> dict[str, Model]:
    return {k: f() for k, f in BUILDERS.items()}
