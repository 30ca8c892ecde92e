"""Act 3, injury (16 s): fat fills the liver cells; one balloons and dies (brief §2.1–2.3).

A cutaway of a sinusoid (µm) with one row of hepatocytes either side.  Every cell turns
steatotic (droplets grow and fuse, the nucleus is pushed aside); the hero cell then
balloons to ~1.75× (its neighbours make room) and dies by programmed cell death: it
shrinks, blebs and falls apart into apoptotic bodies.  Cards: NAFLD, NASH, NAS.
"""
from hepaanim import models
from hepastem import cards

from .common import cutaway, dissolve, warmth

NAME = "injury"
DURATION = 16.0


def build(act):
    dissolve(act)
    warmth(act, 0.5, 0.72, over=(0, DURATION))
    tissue = models.sinusoid("inj", seed=3, length=125.0)
    heps = cutaway(act, tissue, keep=lambda h: abs(h.center[2]) < 1,
                   skip=("microvilli", "stellate", "stellate_droplets"))
    hero = next(h for h in heps if abs(h.center[0]) < 1 and h.center[1] > 0)
    act.subject(hero)                    # the ballooning cell, kept at 1:1 and 9:16

    # Steatosis everywhere (staggered), then the hero balloons and dies.
    for k, h in enumerate(heps):
        if h is hero:
            continue
        start = 0.6 + 0.45 * ((k * 5) % 7)
        act.animate(h, "state", 0.0, 0.22 + 0.02 * (k % 5), over=(start, start + 5.0))
    act.animate(hero, "state", 0.0, 1 / 3, over=(0.5, 5.8))
    act.animate(hero, "state", 1 / 3, 2 / 3, over=(6.2, 9.6))
    act.animate(hero, "state", 2 / 3, 1.0, over=(10.0, 14.0), ease="in_out_sine")

    # Neighbours make room while the hero swells, and settle back as it shrinks.
    x0, y0, z0 = hero.center
    act.animate(hero, "transform.position", (x0, y0, z0), (x0, y0 + 7.0, z0 + 2.0),
                over=(6.2, 9.6))
    for h in heps:
        if h.center[1] > 0 and abs(h.center[0]) > 1:
            side = 1.0 if h.center[0] > 0 else -1.0
            p = h.center
            act.animate(h, "transform.position", tuple(p), (p[0] + 9.5 * side, p[1], p[2]),
                        over=(6.2, 9.6))
            act.animate(h, "transform.position", (p[0] + 9.5 * side, p[1], p[2]), tuple(p),
                        over=(11.0, 15.0))

    act.camera.set(fov=38.0)
    act.set("camera.near", 0.5)
    act.set("camera.far", 3000.0)
    act.camera.path({0.0: ((-8.0, -44.0, 74.0), (18.0, 10.0, 0.0)),
                      9.5: ((-4.0, -34.0, 62.0), (20.0, 14.0, 0.0)),
                      16.0: ((-2.0, -28.0, 52.0), (16.0, 18.0, 0.0))})

    act.line("injury.hits")
    act.line("injury.ballooning")
    act.line("injury.death")
    act.line("nafld", image=cards.nafld)
    act.line("nash_share", image=cards.nash_share)
    act.line("nas", image=cards.nas)
