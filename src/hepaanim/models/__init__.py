"""The model library: cells, tissue and organs for medical explainers, built procedurally
from numpy.

Units: organ and body models in millimetres (``liver``, ``vasculature``, ``iv_route``,
``organ_body``); everything microscopic in micrometres.  Frames: z up; at organ/body scale
x is the patient's left and y posterior (the patient faces -y).

Every factory takes ``name=`` (its nodes are ``name`` and ``name_<part>``), owns its random
generator (``seed=``) and returns a :class:`Model` (``.nodes`` for ``act.add``; what else it
offers — centre lines, paths, its cells — are typed attributes of its subclass, e.g.
``Sinusoid.hepatocytes``).  Choices about a shot are options at build time
(``sinusoid(pores="far")``) or methods that return a new model (``Sinusoid.cutaway``).
Animated state lives in node ``params`` (clamped to [0, 1]);
``act.animate(model, "state", a, b, over=...)`` drives every node of a model that shares it.
"""
from ._base import Model, clamp01
from .body import organ_body
from .blood import monocyte, neutrophil, platelets, rbc_geometry, red_blood_cells
from .culture import culture_cells
from .endothelial import endothelial_cell
from .flask import cell_vial, culture_flask, liver_sample
from .hepatocyte import hepatocyte
from .iv_route import iv_route, liver_transform
from .kupffer import kupffer_cell
from .liver import liver, liver_material
from .lobule import lobule, lobule_field
from .matter import (chicken_wire_paths, collagen, cytokines, lipid_droplets,
                     paracrine_factors)
from .msc import msc_cell, msc_swarm
from .path import Path
from .sinusoid import sinusoid
from .stellate import stellate_cell
from .stromal import stromal_cell
from .vessels import VesselTree, vasculature

__all__ = ["Model", "Path", "VesselTree", "cell_vial", "chicken_wire_paths", "clamp01",
           "collagen", "culture_cells", "culture_flask", "cytokines", "endothelial_cell",
           "hepatocyte", "iv_route", "kupffer_cell", "lipid_droplets", "liver",
           "liver_material", "liver_sample", "liver_transform", "lobule", "lobule_field",
           "monocyte", "msc_cell", "msc_swarm", "neutrophil", "organ_body",
           "paracrine_factors", "platelets", "rbc_geometry", "red_blood_cells", "sinusoid",
           "stellate_cell", "stromal_cell", "vasculature"]
