"""Act 8, resolution (100–115 s): pull back from a calm sinusoid to a calmer lobule; end card.

Units: micrometres.  The proposed outcome, stated as the company's proposal: Kupffer cells
resting (violet cooled toward blue), the stellate cell quiescent again with its gold
droplets, only a few thin collagen fibres (Scar Ivory) in the space of Disse and along the
portal-to-portal borders of the lobules; the palette fully cool (warmth 0).  No HepaStem
cells: they act paracrinely and are short-lived.  The end card states that HepaStem is
investigational; the 3D dims under it.
"""
import numpy as np

from hepaanim.scene.reframe import Sphere
from hepaanim import models
from hepastem import cards
from hepaanim.models.lobule import lobule_field
from hepaanim.scene.transform import Transform, quat_from_axis_angle
from hepaanim.timeline.motion import LaminarFlow

from .common import (BLOOD_DEEP, NAVY, backdrop, cutaway, dissolve, occlusion, plates_under,
                     warmth)

NAME = "resolution"
DURATION = 15.0
HEIGHT = 100.0
SIN_ANGLE, SIN_R = np.radians(20.0), 400.0
CARD = 9.6                      # the end card from here to the end
DIP = (3.0, 3.55, 4.05, 4.6)    # the dip to dark: down, dark from .. to, back up


def _septa(edges, seed=8):
    """Thin wavy collagen strands along each lobule border, on the tissue's top face."""
    rng = np.random.default_rng(seed)
    paths = []
    for a, b in edges:
        for _ in range(2):
            t = np.linspace(0.0, 1.0, 12)[:, None]
            d = b - a
            n = np.array([-d[1], d[0], 0.0]) / np.linalg.norm(d)
            wave = np.sin(t * np.pi * rng.uniform(2, 4) + rng.uniform(0, 6.3)) * rng.uniform(4, 9)
            p = a + d * t + n * (wave + rng.uniform(-6, 6)) + [0, 0, HEIGHT / 2 + 2.0]
            paths.append(p)
    return paths


def build(act):
    dissolve(act, last=True)
    occlusion(act, 0.8, 12.0)
    warmth(act, 0.0, 0.0)

    axis = -np.array([np.cos(SIN_ANGLE), np.sin(SIN_ANGLE), 0.0])
    side = np.array([-axis[1], axis[0], 0.0])
    c = np.array([SIN_R * np.cos(SIN_ANGLE), SIN_R * np.sin(SIN_ANGLE), HEIGHT / 2 - 12.5])

    def keep(p):
        d = p - c
        return ~((np.abs(d @ axis) < 70.0) & (np.abs(d @ side) < 40.0))
    field = lobule_field("a8_lobules", seed=3, height=HEIGHT, keep=keep, blood=2400,
                         floor=False)
    backdrop(act, NAVY)                   # the dissolve in starts from the film's navy
    backdrop(act, BLOOD_DEEP, over=(0.0, 0.6), start=NAVY)
    backdrop(act, NAVY, over=(CARD - 0.4, CARD + 0.8), start=BLOOD_DEEP)
    act.add([n for n in field.nodes if not n.name.endswith("_outline")])
    act.procedural("a8_lobules_blood.params.t", lambda x: x)
    # As the camera pulls back, the close-up's cells hand over to the plates they replaced.
    patch = lobule_field("a8_patch", seed=3, height=HEIGHT, keep=lambda p: ~keep(p),
                         floor=False)
    for n in (patch.node, patch["walls"]):
        act.add(n)
        act.set(f"{n.name}.material.opacity", 0.0)
        act.animate(n, "material.opacity", 0.0, 1.0, over=(3.4, 4.8))
    act.add(models.collagen("a8_septa", paths=_septa(field.edges),
                                    radius=2.2, amount=1.0))

    tissue = models.sinusoid("a8_sinusoid", seed=4, kupffer_state=1.0, stellate_state=0.15,
                             transform=Transform(position=c, rotation=quat_from_axis_angle(
                                 np.array([0, 0, 1.0]), SIN_ANGLE + np.pi)), wall_opacity=0.5)
    tissue = tissue.open_top(2.0)
    under = plates_under(act, "a8_sinusoid_plates", c, axis, HEIGHT)
    tissue = tissue.restyled("fenestrae", color="#A58FB0", roughness=0.7)
    cutaway(act, tissue, keep=lambda h: abs(h.center[2]) < 1.0)
    shown = act.film.scene.nodes
    for n in tissue.nodes + [under]:
        if n.name in shown:
            act.animate(n, "material.opacity", shown[n.name].material.opacity, 0.0,
                        over=(3.6, 5.0))
    m = Transform(position=c, rotation=quat_from_axis_angle(
        np.array([0, 0, 1.0]), SIN_ANGLE + np.pi)).matrix()
    fibres = [p @ m[:3, :3].T + m[:3, 3] for p in tissue.disse_paths[:6]]
    act.add(models.collagen("a8_disse_collagen", paths=fibres, radius=0.25, amount=0.35))
    line = tissue.centerline
    line = np.vstack([line[0] - axis * 60, line, line[-1] + axis * 60]) + [0.0, 0.0, 1.0]
    flow = LaminarFlow(line, 8, core=1.0, v_max=150.0, seed=9, tumble=0.6)
    act.add(models.red_blood_cells("a8_sinusoid_rbc", flow.positions(0.0), seed=9))
    act.procedural("a8_sinusoid_rbc.instances.position", flow.positions)
    act.procedural("a8_sinusoid_rbc.instances.orientation", flow.orientations)

    # A pull-back from the sinusoid to the lobule, a dip to the blood's dark red, and the
    # patch of lobules seen from far above, drifting slowly under the end card (the 3D dims
    # so the card reads).  Why the dip: flown out continuously, the lobule's radial rows of
    # cells streamed past at a bead a frame, flickering over a third of the frame at 7
    # flashes a second (WCAG 2.3.1, the gate's flash meter); across the dip, nothing moves
    # on screen faster than the drift.
    mid = (c - axis * 150 - side * 30 + [0, 0, 150.0], c + axis * 30)
    act.camera.glide({
        0.0: (c - axis * 70 - side * 8 + [0, 0, 44.0], c + axis * 4 - [0, 0, 3.0]),
        3.0: mid,
        DIP[1]: mid,
        DIP[2]: (np.array([250.0, -1500.0, 1500.0]), np.array([0.0, -100.0, 0.0])),
        15.0: (np.array([520.0, -1900.0, 2100.0]), np.array([60.0, 0.0, 0.0])),
    }, near_fraction=0.02, near_min=0.5)
    act.animate("scene.fade", 0.0, 1.0, 1.0, 0.0, over=(DIP[0], DIP[3]), ease="in_out_sine")
    act.set("camera.fov", 38.0)
    # Under the card the tissue dims, then gives way to the plain background; once it is
    # gone its nodes leave the scene (nothing left to draw for the last seconds).
    act.animate("scene.fade", 0.0, 0.55, 0.55, 1.0, over=(CARD - 0.4, CARD + 3.6),
                ease="in_out_sine")
    scene = act.film.scene
    for name in [k for k in scene.nodes if k.startswith("a8_")]:
        scene.spans[name] = (scene.spans[name][0], act.start + CARD + 3.6)

    act.subject(Sphere(tuple(c), 20.0), mode="keep")   # a pull-back: keep the 16:9 width
    act.line("resolution.proposal")
    act.line("resolution.status")
    act.line("end_card", image=cards.end_card)
