"""Act 6 (film 66–82 s): the IV route, honestly (science_brief.md §3, storyboard §4 row 6).

Units: millimetres, body frame (z up, the patient faces -y).  A vial of cell suspension
drains through a clear line into an arm cannula; teal HepaStem cells (drawn enlarged, and
labelled so) ride the venous blood up the arm to the heart and on to the lungs, where
every one of them is held in the fine capillaries.  Later a small minority slips through
and travels with the arterial blood (left heart, aorta, coeliac trunk, hepatic artery)
into the liver's arterial branches.  No steering, no trails that point at the liver: the
cells simply go where the blood goes, and most of them stay in the lungs.
"""
import numpy as np

from hepaanim import models
from hepaanim.models.infusion import infusion_set, right_lung, route_cohort

from .common import dissolve, warmth

NAME = "iv_route"
DURATION = 16.0
N = 60             # cells shown (an illustration: a real dose is many millions)


def R(radius):
    return np.full((N, 3), radius)


def build(act):
    dissolve(act)
    warmth(act, 0.35, 0.35)          # between the warm disease acts and the cool acts 7–8
    act.set("camera.near", 5.0)
    act.set("camera.far", 6000.0)

    # Every shot looks from the front: only the skin's near layer, a little more opaque
    # (its far layer would be a second blend over most of the frame, for little); lit per
    # vertex: cheap on llvmpipe.
    route = models.iv_route("a6_body", seed=0, skin="front").restyled(shading="vertex")
    route = route.restyled("a6_body", opacity=0.17)
    skip = ("a6_body_vessels_portal", "a6_body_vessels_hepatic_veins", "a6_body_cannula")
    lung = right_lung(route, "a6_body")[0]
    nodes = [n for n in route.nodes if n.name not in skip] + [
        n.copy(material=n.material.copy(shading="vertex")) for n in lung]
    act.add(nodes)
    for n in nodes[1:]:     # at first only skin, arm vein and line: organs fade in later
        if n.name != "a6_body_veins":
            act.keyframes(f"{n.name}.material.opacity",
                          {0.0: 0.0, 3.0: 0.0, 6.0: n.material.opacity}, ease="in_out_sine")
    kit = act.add(infusion_set("a6_infusion"))

    # All are held in the lungs at first; 7 of 60 later move on (the brief: "most ... lodge
    # in the lung microvessels; some later redistribute").
    cohort = route_cohort(route, kit, count=N, continuing=7, seed=6, depart=(9.6, 10.6))
    act.add(cohort.node("a6_cells", radius=2.0))
    act.procedural("a6_cells.instances.position", cohort.positions)
    # Cells are ~20 µm: drawn hundreds of times larger, more so as the camera pulls back.
    act.keyframes("a6_cells.instances.scale", {0.0: R(2.0), 3.4: R(2.0), 6.6: R(3.0),
                                                  16.0: R(3.0)}, ease="in_out_sine")

    # Camera: vial → elbow → upper body → both lungs → down into the liver.
    act.set("camera.fov", 30.0)
    look = np.array([0.2, -1.0, 0.08]) / np.linalg.norm([0.2, -1.0, 0.08])
    vial, hub = kit.vial_center + (0.0, 0.0, -8.0), kit.hub + (12.0, -20.0, 6.0)
    act.camera.path({0.0: (vial + look * 250.0, vial),
                      1.0: (vial + look * 245.0 + (0, 0, -6.0), vial),
                      2.8: (hub + look * 290.0, hub), 3.5: (hub + look * 300.0, hub),
                      6.8: ((300.0, -1050.0, 230.0), (40.0, -10.0, 105.0)),
                      8.4: ((70.0, -600.0, 200.0), (10.0, 0.0, 150.0)),
                      10.0: ((190.0, -340.0, 190.0), (100.0, 0.0, 148.0)),
                      13.0: ((140.0, -720.0, 60.0), (-20.0, 0.0, -10.0)),
                      16.0: ((-10.0, -300.0, 10.0), (-40.0, 0.0, -14.0))})

    act.subject("a6_cells")              # the infused cells, kept at 1:1 and 9:16
    act.line("iv_route.infusion")
    act.line("iv_route.lungs")
    act.line("iv_route.liver")
    act.line("iv_route.scale")
