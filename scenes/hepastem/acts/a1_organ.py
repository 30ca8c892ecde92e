"""Act 1, organ (0–10 s): the translucent body; push into the liver; its inflow lights up.

Units: millimetres, body frame (``iv_route``: x the patient's left, y back, z up; the
patient faces -y).  The body emerges from the dark (the title is the prologue's); then the camera pushes from the
torso into the liver while the skin fades.  Blood from the heart runs down the aorta into
the hepatic artery (~25% of the inflow), blood from the gut up the mesenteric vein into the
portal vein (~75%), and both trees light up from the hilum (``material.reveal`` 0→1).
"""
import numpy as np

from hepaanim import MeshNode, models
from hepaanim.models.liver import PORTA
from hepaanim.scene import arc_length, capped_tube
from hepaanim.scene.material import Material

from .common import dissolve

NAME = "organ"
DURATION = 10.0


def _inflow_artery(route):
    """Aorta → coeliac trunk → hepatic artery as one tube whose param runs from the heart
    (0) to the liver (1): revealing it shows arterial blood arriving."""
    seg = route.segment("aorta", "liver")
    s = arc_length(seg)
    r = np.interp(s / s[-1], [0.0, 0.7, 0.8, 1.0], [11.0, 9.0, 3.5, 2.0])
    return capped_tube(seg, r, sides=16, param=s / s[-1])


def build(act):
    dissolve(act, first=True)
    body = models.iv_route("a1_body", with_liver=False)
    for name, opacity in (("a1_body", 0.10), ("a1_body_heart", 0.45),
                          ("a1_body_lung_right", 0.16), ("a1_body_lung_left", 0.16)):
        body = body.restyled(name, opacity=opacity, shading="vertex")
        act.add(body[name])
    parts = {n.name: n for n in body.nodes}
    lt = body.liver_transform
    liver = act.add(models.liver("a1_liver", transform=lt))
    act.subject(liver)                   # kept in frame at 1:1 and 9:16
    vessels = models.vasculature("a1_vessels", transform=lt)
    act.add([vessels["portal"], vessels["artery"]])
    inflow = act.add(models.vessels.portal_inflow("a1_inflow", transform=lt))
    aorta = act.add(MeshNode("a1_aorta", geometry=_inflow_artery(body.path),
                             material=Material("arterial_red", roughness=0.3, rim=0.35,
                                               rim_color="#FFE2D6", wrap=0.4, emissive=0.1)))

    # Light-up: arterial blood from the heart, venous blood from the gut; then both trees
    # from the hilum outward.
    for node in (aorta, inflow.node, vessels["portal"], vessels["artery"]):
        act.set(f"{node.name}.material.reveal", 0.0)
    gut = inflow["gut"]
    act.set(f"{gut.name}.material.opacity", 0.0)
    act.animate(gut, "material.opacity", 0.0, 0.3, over=(3.0, 4.2))
    act.animate(aorta, "material.reveal", 0.0, 1.0, over=(3.8, 5.6), ease="in_out_sine")
    act.animate(inflow.node, "material.reveal", 0.0, 1.0, over=(3.8, 5.2), ease="in_sine")
    act.animate(vessels["portal"], "material.reveal", 0.0, 1.0, over=(5.0, 8.2),
                ease="out_sine")
    act.animate(vessels["artery"], "material.reveal", 0.0, 1.0, over=(5.4, 8.4),
                ease="out_sine")
    for node in (vessels["portal"], vessels["artery"]):
        act.animate(node, "material.emissive", 0.0, 0.45, 0.1, over=(5.0, 9.4))
    # The liver turns see-through as the camera arrives; skin and lungs fade away.
    act.animate(liver, "material.opacity", 1.0, 0.2, over=(3.4, 5.4), ease="in_out_sine")
    for part in ("gallbladder", "falciform"):
        act.animate(liver[part], "material.opacity", 1.0, 0.3, over=(3.4, 5.4))
    act.animate(parts["a1_body"], "material.opacity", 0.10, 0.0, over=(4.5, 7.5))
    for lung in ("a1_body_lung_right", "a1_body_lung_left"):
        act.animate(parts[lung], "material.opacity", 0.16, 0.0, over=(4.0, 6.5))
    act.animate(parts["a1_body_heart"], "material.opacity", 0.45, 0.0, over=(6.5, 8.5))

    # The body emerges from the prologue's dip (the title moved there), then one push
    # from the torso to the porta hepatis.
    act.keyframes("scene.fade", {0.0: 1.0, 2.9: 0.62, 4.1: 0.0}, ease="in_out_sine")
    porta = lt.position + PORTA
    act.camera.glide({
        0.0: ((220.0, -1650.0, 300.0), (0.0, 0.0, 40.0)),
        3.4: ((200.0, -1420.0, 240.0), (-10.0, 0.0, 10.0)),
        6.0: (porta + (190.0, -620.0, 10.0), porta + (-10.0, 0.0, -40.0)),
        10.0: (porta + (40.0, -260.0, -40.0), porta + (-22.0, 0.0, 8.0)),
    })
    act.set("camera.fov", 32.0)
    act.set("camera.near", 20.0)
    act.set("camera.far", 5000.0)

    act.line("organ.blood_supply")
