"""Act 4, inflammation (14 s): dying cells set off the liver's immune response (brief §2.4).

The sinusoid of act 3 (µm) in front of its far plate of hepatocytes (two rows), the dead
cell's apoptotic bodies where it stood.
The two Kupffer cells in the lumen turn ember, ruffle and glow, and release cytokines
(TNF-α, IL-1β, IL-6, CCL2: glowing particles, labelled as enlarged).  A neutrophil
(~11 µm) and a monocyte (~16 µm), squeezed in the 10 µm lumen, push through the
endothelium toward the dead cell.
"""
import numpy as np

from hepaanim import models

from .common import bloom, cutaway, dissolve, warmth

NAME = "inflammation"
DURATION = 14.0
TURN = (0.0, 0.0, np.sqrt(0.5), np.sqrt(0.5))      # a quarter turn about z: long axis → y
STRAIGHT = (0.0, 0.0, 0.0, 1.0)


def squeeze_through(act, cell, keys, turn_at, relax_at):
    """Move a leukocyte through keyed positions {t: xyz}, squeezed (state 1) while in the
    lumen; it turns to cross the wall at ``turn_at`` and rounds up again at ``relax_at``."""
    act.keyframes(f"{cell.name}.transform.position", keys, "cubic", "linear")
    act.keyframes(f"{cell.name}.transform.rotation",
                  {turn_at[0]: STRAIGHT, turn_at[1]: TURN}, "slerp", "in_out_sine")
    act.animate(cell, "state", 1.0, 0.35, over=relax_at)


def build(act):
    dissolve(act)
    bloom(act, 0.35)
    warmth(act, 0.72, 0.9, over=(0, DURATION))
    tissue = models.sinusoid("inf", seed=3, length=125.0, hepatocyte_state=0.26)
    heps = cutaway(act, tissue, keep=lambda h: h.center[2] < 1 and h.center[1] > 0
                   and abs(h.center[0]) < 60, skip=("microvilli", "stellate", "stellate_droplets"))
    act.set("inf.material.opacity", 0.3)                 # see into the lumen
    act.set("inf_fenestrae.material.color", "#5A4868")
    dead = next(h for h in heps if abs(h.center[0]) < 1 and abs(h.center[2]) < 1)
    dead.set("state", 1.0)
    act.set(f"{dead.name}.transform.position", dead.center + (0.0, 7.0, 2.0))

    # Kupffer cells a little apart from the site, so the leukocytes have room to pass.
    kupffer = tissue.kupffer
    for k, (kc, x) in enumerate(zip(kupffer, (-29.0, 31.0))):
        p = np.array([x, kc.center[1], kc.center[2]])
        act.set(f"{kc.name}.transform.position", p)
        act.animate(kc, "state", 0.0, 0.5, over=(0.6 + 0.6 * k, 3.6 + 0.6 * k))
        cloud = act.add(models.cytokines(f"inf_cytokines_{k}", count=260, center=p + (0, 0, 3),
                                         radius=15.0, amount=0.0, seed=40 + k, spreads=True))
        act.animate(cloud, "params.amount", 0.0, 1.0, over=(1.8 + 0.6 * k, 9.0))
        act.animate(cloud, "params.spread", 0.0, 1.0, over=(1.8 + 0.6 * k, 12.0),
                    ease="out_cubic")
        act.procedural(f"{cloud.name}.params.t", lambda x: x)
        act.set(f"{cloud.name}.material.emissive", 1.0)     # ember, not gold, after bloom

    # Leukocytes from the blood: squeezed in the lumen, then through the wall.
    neut = act.add(models.neutrophil("inf_neutrophil", state=1.0, position=(-12.5, 0.0, 0.6)))
    squeeze_through(act, neut, {0.0: (-12.5, 0.0, 0.6), 4.5: (-4.0, 0.4, 0.8),
                                7.0: (-3.5, 6.0, 1.5), 9.5: (-4.5, 12.0, 3.0),
                                14.0: (-5.0, 15.0, 3.5)},
                    turn_at=(4.0, 6.0), relax_at=(8.0, 11.5))
    mono = act.add(models.monocyte("inf_monocyte", state=1.0, position=(10.5, 0.0, 0.8)))
    act.subject(neut, mono)              # the recruited cells, kept at 1:1 and 9:16
    squeeze_through(act, mono, {0.0: (10.5, 0.0, 0.8), 6.5: (7.0, 0.3, 0.8),
                                9.5: (6.5, 6.5, 0.5), 12.0: (6.5, 12.0, -1.0),
                                14.0: (6.5, 13.5, -1.5)},
                    turn_at=(6.5, 8.5), relax_at=(10.5, 13.5))

    act.camera.set(fov=38.0)
    act.set("camera.near", 0.5)
    act.set("camera.far", 3000.0)
    act.camera.path({0.0: ((-20.0, -62.0, 44.0), (0.0, 6.0, -9.0)),
                      7.0: ((-16.0, -52.0, 38.0), (-1.0, 7.0, -8.0)),
                      14.0: ((-18.0, -40.0, 32.0), (-2.0, 8.0, -6.0))})

    act.line("inflammation.trigger")
    act.line("inflammation.kupffer")
    act.line("inflammation.recruitment")
    act.line("inflammation.scale")
