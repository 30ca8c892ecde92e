"""Act 7 (film 82–100 s): what HepaStem did in lab and animal studies (brief §3, §4 row 7).

The sinusoid cutaway of acts 3–5 (µm), still inflamed: ember Kupffer cells in their
cytokine clouds, an activated stellate cell (rust, spread thin) with ivory collagen in the
space of Disse.  A HepaStem cell has lodged in the lumen (squeezed into the ~10 µm vessel)
and acts paracrinely: it glows and releases Resolution Blue factors (HGF, PGE2, IDO…;
drawn enlarged and labelled so).  As they spread the cytokines thin out, the Kupffer cells
cool from ember to violet-blue, the whole grade turns from warm to cool, and the stellate
cell the factors reach rounds up and stops laying collagen, which thins.  The cell stays a
HepaStem cell: it never turns into a liver cell.  Captions say whose evidence this is.
"""
import numpy as np

from hepaanim import models
from hepaanim.scene.transform import Transform
from hepaanim.timeline import easing

from .common import bloom, cutaway, dissolve, warmth

NAME = "mode_of_action"
DURATION = 18.0
CELL_AT = np.array([-17.0, 0.0, 0.0])       # the lodged HepaStem cell (µm, sinusoid frame)
STELLATE_AT = (17.0, 0.0, 0.0)


def counted(act, node, count, a, b, over, ease="in_out_sine"):
    """Animate a particle cloud's ``amount`` in whole particles (every one shown is fully
    opaque, so the cloud is drawn before the translucent vessel wall, not sorted with it)."""
    f, (t0, t1) = easing.get(ease), over
    act.set(f"{node.name}.params.amount", a)
    act.procedural(f"{node.name}.params.amount",
                   lambda x: np.floor((a + (b - a) * float(f(min(x / (t1 - t0), 1.0))))
                                      * count + 1e-6) / count, over=(t0, t1 + 0.1))


def build(act):
    dissolve(act)
    bloom(act, 0.35)
    warmth(act, 1.0, 1.0)            # warm until the factors start to work
    warmth(act, 1.0, 0.0, over=(2.0, 16.5))
    act.set("camera.near", 0.5)
    act.set("camera.far", 600.0)

    tissue = models.sinusoid("a7_sin", seed=3, length=110.0, hepatocyte_state=0.26,
                             kupffer_state=0.5, stellate_state=1.0,
                             # A clearer wall than acts 3-5 (one surface: half the blending)
                             # and no sieve plates on its near side: the lumen is where
                             # this act happens.
                             wall="single", wall_opacity=0.26, pores="far")
    cutaway(act, tissue, keep=lambda h: abs(h.center[2]) < 1 and h.center[1] > 0,
            skip=("microvilli", "stellate_droplets"))
    stellate = tissue.stellate
    act.set(f"{stellate.name}.transform.position", STELLATE_AT)

    # The lodged cell: elongated and squeezed to fill the lumen (it is larger than it).
    cell = act.add(models.msc_cell("a7_hepastem", state=1.0, transform=Transform(
        position=CELL_AT, scale=(1.1, 0.68, 0.68))).restyled(opacity=1.0, shading="vertex"))
    act.subject(cell)                    # the HepaStem cell, kept at 1:1 and 9:16
    act.animate(cell, "secretion", 0.0, 1.0, over=(1.0, 4.0))
    act.animate(cell, "secretion", 1.0, 0.55, over=(12.0, 17.0))

    # Inflamed to start: Kupffer cells activated, each in its cloud of cytokines.
    clouds = []
    for k, (kc, x) in enumerate(zip(tissue.kupffer, (-47.0, 40.0))):
        p = np.array([x, kc.center[1], kc.center[2]])
        act.set(f"{kc.name}.transform.position", p)
        act.animate(kc, "state", 0.5, 1.0, over=(5.0 + 1.5 * k, 12.5 + 1.5 * k))
        cloud = act.add(models.cytokines(f"a7_cytokines_{k}", count=260, center=p + (0, 0, 3),
                                         radius=17.0, amount=1.0, seed=40 + k, spreads=True))
        act.set(f"{cloud.name}.params.spread", 1.0)
        counted(act, cloud, 260, 1.0, 0.06, over=(4.0 + 1.5 * k, 13.5 + 1.5 * k))
        clouds.append(cloud)

    # Paracrine factors spread out from the cell, through the lumen and into Disse.
    factors = act.add(models.paracrine_factors("a7_factors", count=420, center=CELL_AT,
                                               radius=36.0, amount=0.0, seed=71))
    counted(act, factors, 420, 0.0, 1.0, over=(1.5, 7.5), ease="out_cubic")
    act.animate(factors, "params.spread", 0.0, 1.0, over=(1.5, 12.0), ease="out_cubic")
    for node in (*clouds, factors):
        act.procedural(f"{node.name}.params.t", lambda x: x)

    # The activated stellate cell, once the factors reach it, rounds up and stops laying
    # collagen; the fibres in the space of Disse thin.
    fibres = act.add(models.collagen("a7_collagen", paths=tissue.disse_paths,
                                     amount=1.0).restyled(shading="vertex"))
    act.animate(stellate.node, "params.state", 1.0, 0.6, over=(8.0, 14.5))
    act.animate(fibres, "params.amount", 1.0, 0.35, over=(9.0, 16.5), ease="in_out_sine")

    act.camera.set(fov=38.0)
    act.camera.path({0.0: ((-22.0, -74.0, 30.0), (-14.0, 6.0, 0.0)),
                      6.0: ((-12.0, -62.0, 28.0), (-6.0, 6.0, 0.0)),
                      12.0: ((14.0, -50.0, 30.0), (12.0, 6.0, 2.0)),
                      18.0: ((4.0, -78.0, 36.0), (0.0, 6.0, 0.0))})

    act.line("mode_of_action.secretion")
    act.line("mode_of_action.inflammation")
    act.line("mode_of_action.stellate")
    act.line("mode_of_action.scale")
