"""Act 0, prologue (10 s): where the therapy cells come from (storyboard §4 row 0).

The seed opens with it: HepaStem is made of liver-derived stromal cells taken from healthy
donated livers and grown in the lab.  Three shots, joined by quick dips through the
background (they are at different scales), under the film's title and then one caption:

1. the donated liver (mm), healthy and calm, under the title; the camera comes down to a
   small piece of its tissue beside it, whose cut face frees cells (drawn enlarged);
2. a culture flask (mm) whose floor carries a field of those cells drawn fifty times too
   large (so "Not to scale"): seeded few, they spread into flat spindles and divide until
   the surface is covered, then round up and lift off into the medium (the harvest);
3. the vial that act 6 infuses from (the same model, neck down as it hangs there) fills with
   the suspended cells, now in the therapy's teal.

The palette leans cool (healthy donor tissue, no disease yet); each shot sits at its own
place in the world, so no shot's nodes can show in another's.
"""
import numpy as np

from hepaanim import models
from hepaanim.scene.transform import Transform

from .common import fade_out, warmth

NAME = "prologue"
DURATION = 10.0
TISSUE = (0.0, 5.2)          # the liver and its piece of tissue
CULTURE = (5.2, 8.8)         # the flask and its cells
VIAL = (8.8, DURATION)       # the vial
FLASK_AT = np.array([2000.0, 0.0, 0.0])
VIAL_AT = np.array([4000.0, 0.0, 0.0])
ENLARGE = 0.05               # µm → mm for the cells on the flask's floor: 50× their size


def dip(act, t: float, half: float = 0.3):
    """A quick dip through the background at a cut between shots."""
    act.keyframes("scene.fade", {t - half: 0.0, t: 1.0, t + half: 0.0}, ease="in_out_sine")


def build(act):
    warmth(act, 0.3, 0.3)
    act.set("camera.fov", 32.0)
    # The title over the dimmed donor liver; it brightens as the title leaves.
    act.keyframes("scene.fade", {0.0: 0.5, 2.9: 0.5, 3.5: 0.0}, ease="in_out_sine")
    dip(act, CULTURE[0])
    dip(act, VIAL[0])
    fade_out(act)

    # --- 1. the donated liver and a small piece of its tissue -------------------------
    act.add(models.liver("a0_liver"), span=TISSUE)
    sample_at = np.array([-70.0, -120.0, -55.0])
    sample = act.add(models.liver_sample("a0_sample", seed=4, position=sample_at), span=TISSUE)
    act.animate(sample, "freed", 0.0, 1.0, over=(3.9, 5.1), ease="out_sine")
    face = sample_at + (0.0, 0.0, sample.cut_face_z)
    act.set("camera.near", 1.0)
    act.set("camera.far", 4000.0)
    act.camera.glide({
        0.0: ((170.0, -560.0, 170.0), (-10.0, 0.0, 0.0)),
        2.6: ((60.0, -520.0, 110.0), (-20.0, -10.0, -10.0)),
        4.0: (face + (12.0, -48.0, 34.0), face + (0.0, 0.0, -1.0)),
        TISSUE[1]: (face + (8.0, -34.0, 26.0), face + (0.0, 1.0, -1.0)),
    })

    # --- 2. the culture: seeded, spreading, dividing to confluence, lifted ------------
    flask = act.add(models.culture_flask("a0_flask", position=FLASK_AT), span=CULTURE)
    field = Transform(position=FLASK_AT + (30.0, -38.0, flask.floor_z + 0.05),
                      scale=ENLARGE)
    cells = act.add(models.culture_cells("a0_cells", count=140, seeded=6, seed=3, spread=0.0,
                                  confluence=0.0, floor=False, transform=field), span=CULTURE)
    act.animate(cells, "spread", 0.0, 1.0, over=(5.4, 6.3), ease="in_out_sine")
    act.animate(cells, "confluence", 0.0, 1.0, over=(6.1, 7.9), ease="in_out_sine")
    act.animate(cells, "lifted", 0.0, 1.0, over=(7.9, 8.7), ease="in_out_sine")
    for path in flask.paths("confluence"):    # the pale film of cells seen from afar
        act.keyframes(path, {6.1: 0.0, 7.9: 1.0, 8.7: 0.0}, ease="in_out_sine")
    # The medium thins as the camera comes down, so the cells under it read.
    act.keyframes("a0_flask_medium.material.opacity", {5.6: 0.7, 6.3: 0.18},
                  ease="in_out_sine")
    mid = FLASK_AT + (48.0, -28.0, flask.floor_z)
    act.set("camera.near", 1.0, at=CULTURE[0])
    act.camera.glide({
        CULTURE[0]: (FLASK_AT + (80.0, -250.0, 170.0), FLASK_AT + (78.0, 0.0, 12.0)),
        5.7: (FLASK_AT + (75.0, -215.0, 150.0), FLASK_AT + (72.0, -4.0, 10.0)),
        6.6: (mid + (3.0, -30.0, 52.0), mid),
        CULTURE[1]: (mid + (2.0, -20.0, 38.0), mid + (0.0, 1.0, 0.0)),
    })

    # --- 3. the vial act 6 infuses from, filled with the suspended cells --------------
    vial = act.add(models.cell_vial("a0_vial", cells=0.0, seed=2, hero=True, position=VIAL_AT),
                   span=VIAL)
    act.animate(vial, "cells", 0.0, 1.0, over=(VIAL[0] + 0.1, VIAL[1] - 0.2),
                ease="out_sine")
    c = VIAL_AT + (0.0, 0.0, 22.0)
    act.camera.glide({VIAL[0]: (c + (22.0, -125.0, 14.0), c),
                      VIAL[1]: (c + (16.0, -105.0, 10.0), c)})

    act.subject(sample, cells, vial)     # each in its span, kept at 1:1 and 9:16
    act.line("prologue.title")
    act.line("prologue.origin")
    act.line("prologue.scale")
