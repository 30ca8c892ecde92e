"""Bloodstream (≈8 s): HepaStem cells carried with the blood in a small vein.

Units are micrometres.  A 56 µm vein (a small venule's calibre) with a translucent wall;
red cells 7.8 × 2.5 µm (Evans & Fung profile), platelets 2–3 µm, HepaStem cells ~20 µm
(the brief's assumed diameter), flowing with a Poiseuille profile.  Real flow in such a
vessel is about 1 mm/s; the shot shows it slowed about 20× and says so on screen.
"""
import numpy as np

from hepaanim import InstancedNode, Instances, Material, MeshNode
from hepaanim.scene import tube
from hepaanim.scene.transform import quat_look_rotation, quat_multiply, quat_from_axis_angle
from hepaanim.timeline.motion import LaminarFlow

SEED = 11
LUMEN = 28.0          # µm inner radius
SLOWED = 20           # on-screen flow is this many times slower than life
V_MAX = 1000.0 / SLOWED * 1.6   # centre-line speed (mean ≈ 1 mm/s in life)
AXIS = np.stack([np.linspace(-420, 420, 64), np.zeros(64), np.zeros(64)], axis=1)


def _rot(q):
    from hepaanim.scene.transform import quat_to_matrix
    return quat_to_matrix(q)


def flowing(name, flow, shape, scale, material, color=None):
    """An instanced node whose positions and orientations follow `flow` in time."""
    node = InstancedNode(name, shape=shape, material=material, instances=Instances(
        flow.positions(0.0), flow.orientations(0.0), scale, color))
    return node


def build(film):
    act = film.act("bloodstream", 8.0)
    rng = np.random.default_rng(SEED)

    act.add(MeshNode("vein_wall", geometry=tube(AXIS, LUMEN + 2.0, sides=72),
                            material=Material("#6C78C8", opacity=0.1, roughness=0.35,
                                              rim=0.55, rim_color="#B8C4FF", wrap=0.6,
                                              shading="vertex")))

    # Endothelial nuclei lining the wall, elongated along the flow as in a real vein.
    n_nuc = 260
    x = rng.uniform(AXIS[0, 0], AXIS[-1, 0], n_nuc)
    ang = rng.uniform(0, 2 * np.pi, n_nuc)
    radial = np.stack([np.zeros(n_nuc), np.cos(ang), np.sin(ang)], axis=1)
    facing = quat_look_rotation(radial)                   # local z = the wall's normal
    # turn each about its normal so the long (x) axis runs along the vessel
    local_x = np.einsum("nij,j->ni", _rot(facing), [1.0, 0.0, 0.0])
    twist = np.arctan2(np.einsum("ni,ni->n", np.cross(local_x, [1.0, 0, 0]), radial),
                       local_x[:, 0])
    orient = quat_multiply(facing, quat_from_axis_angle(np.tile([0, 0, 1.0], (n_nuc, 1)),
                                                        twist))
    act.add(InstancedNode("endothelial_nuclei", shape="sphere", instances=Instances(
        np.stack([x, np.zeros(n_nuc), np.zeros(n_nuc)], 1) + radial * (LUMEN + 1.2),
        orient, np.tile([6.5, 2.6, 0.9], (n_nuc, 1)) * rng.uniform(0.8, 1.2, (n_nuc, 1)),
        opacity=np.full(n_nuc, 0.2)),
        material=Material("#A9B3F0", roughness=0.6, rim=0.3, wrap=0.7)))

    rbc_flow = LaminarFlow(AXIS, 340, core=LUMEN - 4.0, v_max=V_MAX, seed=SEED, tumble=0.9)
    shade = 0.92 + 0.08 * rng.uniform(size=(340, 1))
    rbc_color = np.array([[0.78, 0.13, 0.12]]) * shade
    rbc = act.add(flowing("red_cells", rbc_flow, "biconcave", (3.91, 3.91, 1.25),
                          Material("#C62828", roughness=0.35, rim=0.25, rim_color="#FF9A8A",
                                   wrap=0.5), rbc_color))

    plt_flow = LaminarFlow(AXIS, 40, core=LUMEN - 2.0, v_max=V_MAX, seed=SEED + 1,
                           tumble=1.2, radial_bias=0.3)
    platelets = act.add(flowing("platelets", plt_flow, "sphere", (1.4, 1.4, 0.5),
                                Material("#E9D9C4", roughness=0.5, rim=0.3)))

    msc_flow = LaminarFlow(AXIS, 5, core=10.0, v_max=V_MAX, seed=SEED + 2, tumble=0.15)
    msc_flow.s0 = np.array([330.0, 380.0, 420.0, 470.0, 510.0])   # placed to cross the shot
    hepastem = act.add(flowing("hepastem", msc_flow, "sphere", 10.0,
                               Material("therapy_teal", opacity=0.93, emissive=0.18,
                                        roughness=0.3, rim=0.9, rim_color="#9FFFF0",
                                        wrap=0.6)))
    hepastem.params.update(nucleus=0.35, ruffle=0.18)

    for node, flow in ((rbc, rbc_flow), (platelets, plt_flow), (hepastem, msc_flow)):
        act.procedural(f"{node.name}.instances.position", flow.positions)
        act.procedural(f"{node.name}.instances.orientation", flow.orientations)

    act.camera.set(position=(-150.0, -175.0, 55.0), target=(-70.0, 0.0, -4.0), fov=38.0)
    act.camera.dolly(by=(130.0, 0.0, 0.0), over=(0.0, 8.0), ease="in_out_sine")
    act.caption("Infused into a vein, HepaStem cells travel with the blood.",
                over=(1.2, 7.4))
    act.caption(f"Flow slowed about {SLOWED}×", over=(0.0, 8.0), style="label",
                position="top_right", fade=0.3)
