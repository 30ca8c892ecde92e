"""Act 2, dive (10–22 s): down a portal branch into a lobule, then into a sinusoid.

Units: micrometres throughout.  The organ's vessels (mm) are scaled ×1000 and placed so the
portal branch the camera follows ends just above a patch of lobules: one continuous camera
move crosses the scales, vessels (mm) → lobules (1.4 mm hexagons) → a sinusoid (10 µm
lumen, 25 µm hepatocytes).  The finer branching between that branch and the lobules is
skipped: the branch fades out as the lobules fade in.  Red cells (7.5 µm) run inward from
the portal corners to the central veins at ~150 µm/s, the order of sinusoidal flow.
"""
import numpy as np

from hepaanim.scene.reframe import Sphere
from hepaanim import models
from hepaanim.models.lobule import lobule_field
from hepaanim.scene import arc_length
from hepaanim.scene.transform import Transform, quat_from_axis_angle, quat_multiply
from hepaanim.timeline.motion import LaminarFlow

from .common import BLOOD_DEEP, NAVY, backdrop, cutaway, dissolve, occlusion, plates_under

NAME = "dive"
DURATION = 12.0
LEAF = 55                    # the portal branch followed (right lobe, front)
TIP = np.array([0.0, 0.0, 1500.0])   # where that branch ends, above the lobules (µm)
HEIGHT = 100.0               # lobule slab drawn (µm)
DIP = (4.3, 4.8, 5.3, 5.8)    # the dip to dark: down, dark from .. to, back up
SIN_ANGLE, SIN_R = np.radians(250.0), 430.0   # the sinusoid close-up: direction, radius


def _arc(u, v):
    """Quaternion turning unit vector u onto v (shortest arc)."""
    axis = np.cross(u, v)
    s = np.linalg.norm(axis)
    if s < 1e-9:
        return np.array([0.0, 0.0, 0.0, 1.0])
    return quat_from_axis_angle(axis / s, np.arctan2(s, float(np.dot(u, v))))


def _organ(act):
    """Portal vein and hepatic artery (mm ×1000), the followed branch ending at TIP."""
    tree = models.vessels.portal_tree(0, 5)
    path = tree.path_to(LEAF)[len(tree.branches[0].centerline):]
    d = path[-1] - path[-4]
    q = quat_multiply(quat_from_axis_angle(np.array([0, 0, 1.0]), np.radians(20.0)),
                      _arc(d / np.linalg.norm(d), np.array([0.0, 0.0, -1.0])))
    rot = Transform(rotation=q).matrix()[:3, :3]
    tr = Transform(position=TIP - 1000.0 * rot @ path[-1], rotation=q, scale=1000.0)
    vessels = models.vasculature("a2_vessels", transform=tr, detail=3)
    liver = models.liver("a2_liver", translucent=True, transform=tr)
    act.add([vessels["portal"], vessels["artery"], liver.node])
    world = path @ (1000.0 * rot).T + tr.position
    radius = np.interp(np.arange(len(path)), [0, len(path) - 1], [4800.0, 850.0])
    return vessels, liver, world, radius


def _flight(world, radius, t0, t1, count=7):
    """Camera keys following the branch: behind and beside it, the offset shrinking with
    the vessel's radius, looking down the branch (aim averaged over a stretch ahead, so
    the bends at branch points do not jolt the view)."""
    s = arc_length(world)

    def at(x):
        return np.array([np.interp(min(x, s[-1]), s, world[:, i]) for i in range(3)])
    keys = {}
    for k, u in enumerate(np.linspace(0.0, 1.0, count)):
        su = s[-1] * (0.22 + 0.765 * (1 - (1 - u) ** 1.6))
        p = at(su)
        r = float(np.interp(su, s, radius))
        ahead = np.mean([at(su + f * r) for f in (6, 8, 10, 12, 14)], axis=0)
        tan = (ahead - p) / max(np.linalg.norm(ahead - p), 1e-9)
        side = np.array([0.0, -1.0, 0.35]) - tan * np.dot([0.0, -1.0, 0.35], tan)
        side /= np.linalg.norm(side)
        keys[t0 + (t1 - t0) * k / (count - 1)] = (p + side * 9.0 * r - tan * 7.0 * r, ahead)
    return keys


def build(act):
    dissolve(act)
    occlusion(act, 0.8, 12.0)
    vessels, liver, world, radius = _organ(act)

    axis = -np.array([np.cos(SIN_ANGLE), np.sin(SIN_ANGLE), 0.0])        # toward the centre
    side = np.array([-axis[1], axis[0], 0.0])
    c = np.array([SIN_R * np.cos(SIN_ANGLE), SIN_R * np.sin(SIN_ANGLE), HEIGHT / 2 - 12.5])

    def keep(p):                          # room in the plates for the sinusoid close-up
        d = p - c
        return ~((np.abs(d @ axis) < 70.0) & (np.abs(d @ side) < 40.0))
    field = act.add(lobule_field("a2_lobules", height=HEIGHT, keep=keep, blood=2400,
                                     floor=False))
    act.procedural("a2_lobules_blood.params.t", lambda x: x)
    tissue = models.sinusoid("a2_sinusoid", transform=Transform(
        position=c, rotation=quat_from_axis_angle(np.array([0, 0, 1.0]), SIN_ANGLE + np.pi)),
        wall_opacity=0.5)
    # Sieve plates: a soft texture, not dark grit.
    tissue = tissue.restyled("fenestrae", color="#A58FB0", roughness=0.7).open_top(2.0)
    under = plates_under(act, "a2_sinusoid_plates", c, axis, HEIGHT)
    tissue = tissue.restyled(*(kc.name for kc in tissue.kupffer), emissive=0.2)
    cutaway(act, tissue, keep=lambda h: abs(h.center[2]) < 1.0,
            skip=("microvilli", "stellate", "stellate_droplets"))
    line = tissue.centerline
    line = np.vstack([line[0] - axis * 60, line, line[-1] + axis * 60]) + [0.0, 0.0, 1.0]
    flow = LaminarFlow(line, 8,
                       core=1.0, v_max=150.0, seed=5, tumble=0.6)
    rbc = act.add(models.red_blood_cells("a2_sinusoid_rbc", flow.positions(0.0), seed=5))
    act.procedural("a2_sinusoid_rbc.instances.position", flow.positions)
    act.procedural("a2_sinusoid_rbc.instances.orientation", flow.orientations)

    # Scale crossing: the organ's vessels fade as the lobules come up from the dark.
    for n in (vessels["portal"], vessels["artery"], liver.node):
        act.animate(n, "material.opacity", n.material.opacity, 0.0, over=(3.3, 4.4))
    backdrop(act, NAVY)
    backdrop(act, BLOOD_DEEP, over=(3.1, 4.3), start=NAVY)
    backdrop(act, NAVY, over=(DURATION - 0.5, DURATION), start=BLOOD_DEEP)
    for n in field.nodes + [under]:
        act.set(f"{n.name}.material.opacity", 0.0)
        act.animate(n, "material.opacity", 0.0, n.material.opacity, over=(3.1, 4.3))

    # The descent onto the lobules dips to the blood's dark red (``DIP``) while the camera
    # covers its fastest stretch.  Why: flown through continuously, the lobules' radial rows
    # of cells streamed past at a bead a frame and flickered over a tenth of the frame at
    # 5 flashes a second (WCAG 2.3.1, the gate's flash meter); after the dip the descent
    # to the sinusoid is slow enough to read.
    keys = _flight(world, radius, 0.0, 3.6)
    cv = np.zeros(3)
    keys.update({
        DIP[1]: (np.array([0.0, -1500.0, 2300.0]), cv),
        DIP[2]: (c - axis * 250 - side * 60 + [0, 0, 420.0], c + axis * 140),
        9.4: (c - axis * 110 - side * 14 + [0, 0, 78.0], c + axis * 10),
        12.0: (c - axis * 74 - side * 8 + [0, 0, 46.0], c + axis * 2 - [0, 0, 3.0]),
    })
    act.camera.glide(keys, near_fraction=0.02, near_min=0.5)
    act.animate("scene.fade", 0.0, 1.0, 1.0, 0.0, over=(DIP[0], DIP[3]), ease="in_out_sine")
    act.subject(Sphere(tuple(c), 20.0), mode="keep")   # a flight: keep the 16:9 width
    act.set("camera.fov", 38.0)

    act.line("dive.flow")
    act.line("dive.kupffer")
