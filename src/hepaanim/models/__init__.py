"""The model library: the film's actors, built procedurally from numpy.

Units: organ and body models in millimetres (``liver``, ``vasculature``, ``iv_route``);
everything microscopic in micrometres.  Frames: z up; at organ/body scale x is the
patient's left and y posterior (the patient faces -y).

Every factory takes ``name=`` (its nodes are ``name`` and ``name_<part>``), owns its random
generator (``seed=``) and returns a :class:`Model` (``.nodes`` for ``act.add``, plus data:
centre lines, paths, waypoints).  Animated state lives in node ``params`` (clamped to
[0, 1]); ``model.animate(act, "state", a, b, over=...)`` drives every node of a model that
shares it.
"""
from ._base import Model, clamp01
from .blood import monocyte, neutrophil, platelets, rbc_geometry, red_blood_cells
from .endothelial import endothelial_cell
from .hepastem import hepastem_cell, hepastem_swarm
from .hepatocyte import hepatocyte
from .iv_route import iv_route, liver_transform
from .kupffer import kupffer_cell
from .liver import liver, liver_material
from .lobule import lobule
from .matter import (chicken_wire_paths, collagen, cytokines, lipid_droplets,
                     paracrine_factors)
from .path import Path
from .sinusoid import sinusoid
from .stellate import stellate_cell
from .vessels import VesselTree, vasculature

__all__ = ["Model", "Path", "VesselTree", "chicken_wire_paths", "clamp01", "collagen",
           "cytokines", "endothelial_cell", "hepastem_cell", "hepastem_swarm", "hepatocyte",
           "iv_route", "kupffer_cell", "lipid_droplets", "liver", "liver_material",
           "liver_transform", "lobule", "monocyte", "neutrophil", "paracrine_factors",
           "platelets", "rbc_geometry", "red_blood_cells", "sinusoid", "stellate_cell",
           "vasculature"]
