"""Act 5, fibrosis (14 s): stellate activation, scar, and where it leads (brief §2.5–2.7).

Close-up (µm): the stellate cell on the sinusoid sheds its gold vitamin-A droplets and
spreads into a flat rust myofibroblast; ivory collagen fibres grow out from it through
the space of Disse (chicken-wire) while the endothelium loses its fenestrae.  Then a pull
back over a patch of lobules (1.4 mm hexagons) as ivory septa bridge portal tracts and
ring the central veins; the first ACLF card comes up with a warm pulse.  Then a translucent
body (``organ_body``, mm) whose organs light up in turn, the ones ACLF can take down
(brief §2.7: liver, kidneys, brain, coagulation, circulation, lungs), under the second card,
and the seed's note that in over 40% of patients no trigger is found.
"""
import numpy as np

from hepaanim import models
from hepastem import cards
from hepaanim.models.lobule import lobule_field

from .common import occlusion, cutaway, dissolve, warmth

NAME = "fibrosis"
DURATION = 18.0
CUT = 6.4                     # close-up → lobules (a quick dip through the background)
BODY = 11.0                   # lobules → the body whose organs ACLF can take down
ORGANS = ("liver", "kidneys", "brain", "coagulation", "circulation", "lungs")


def fibres_from(origin_x, radius, count, seed):
    """Criss-crossing helical fibres in the space of Disse, starting at the cell (x, top)
    and running both ways along the sinusoid (µm, the sinusoid's frame)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        direction = 1.0 if k % 2 else -1.0
        hand = 1.0 if (k // 2) % 2 else -1.0
        t = np.linspace(0.0, 1.0, 28)
        x = origin_x + rng.uniform(-4, 4) + direction * t * rng.uniform(26, 58)
        a = np.pi / 2 + rng.uniform(-0.7, 0.7) + hand * t * rng.uniform(3.0, 7.0)
        r = radius + rng.uniform(-0.2, 0.2)
        out.append(np.stack([x, r * np.cos(a), r * np.sin(a)], -1))
    return out


def septa(field, depth, rng):
    """Septal paths at lobule scale: portal-to-portal edges, portal-to-central bridges and
    rings round the central veins, each a bundle of three wavy fibres."""
    z = depth
    lines = [(a, b) for a, b in field.edges]
    centers = field.centers
    for c in centers[:1]:
        for p in field.corners:
            if np.linalg.norm(p[:2] - c[:2]) < 800 and rng.uniform() < 0.5:
                lines.append((p, c))
    out = []
    for a, b in lines:
        t = np.linspace(0, 1, 14)[:, None]
        base = a[:2] + (b[:2] - a[:2]) * t
        n = np.array([-(b - a)[1], (b - a)[0]]) / max(np.linalg.norm((b - a)[:2]), 1e-9)
        for j in range(3):
            wob = np.sin(t * np.pi * rng.uniform(2, 5) + rng.uniform(0, 6)) * rng.uniform(4, 12)
            xy = base + n * (wob + (j - 1) * 11.0)
            out.append(np.column_stack([xy, np.full(len(xy), z + rng.uniform(-6, 2))]))
    for c in centers:
        ang = np.linspace(0, 2 * np.pi, 40)
        for r in (40.0, 52.0):
            out.append(np.column_stack([c[0] + r * np.cos(ang), c[1] + r * np.sin(ang),
                                        np.full(40, z)]))
    return out


def build(act):
    dissolve(act)
    occlusion(act, 0.8, 12.0)
    warmth(act, 0.9, 1.0, over=(0, DURATION))
    act.keyframes("scene.fade", {CUT - 0.4: 0.0, CUT: 1.0, CUT + 0.4: 0.0}, ease="in_out_sine")

    # --- close-up: the stellate cell activates and lays down collagen -------------------
    close = (0.0, CUT)
    tissue = models.sinusoid("fib", seed=3, length=125.0, hepatocyte_state=0.26,
                             kupffer_state=0.5)
    cutaway(act, tissue, keep=lambda h: h.center[2] < 1 and h.center[1] > 0
            and abs(h.center[0]) < 60, span=close)
    st = tissue.stellate
    act.animate(st, "state", 0.0, 1.0, over=(0.4, 5.2), ease="in_out_sine")
    act.animate(tissue["fenestrae"], "params.fenestration", 1.0, 0.35, over=(1.5, CUT))
    x0 = float(st.center[0])
    scar = act.add(models.collagen("fib_collagen", paths=fibres_from(
        x0, tissue.disse_radius, 16, seed=5), radius=0.1), span=close)
    act.animate(scar, "params.amount", 0.0, 1.0, over=(1.6, CUT), ease="in_out_sine")
    act.set("fib.material.opacity", 0.3)
    act.set("fib_fenestrae.material.color", "#5A4868")
    act.camera.set(fov=38.0)
    act.set("camera.near", 0.5)
    act.set("camera.far", 3000.0)
    act.camera.path({0.0: ((x0 - 30.0, -40.0, 34.0), (x0 + 4.0, 4.0, 0.0)),
                      CUT: ((x0 - 16.0, -26.0, 24.0), (x0 + 2.0, 4.0, 2.0))})

    # --- pull back: septa bridge the lobules ----------------------------------------------
    far = (CUT, BODY)
    field = lobule_field("fib_lobules", seed=2, height=100.0, rings=1)
    act.add(field, span=far)
    rng = np.random.default_rng(9)
    band = act.add(models.collagen("fib_septa", paths=septa(field, 50.0 - 6.0, rng),
                                   radius=8.0), span=far)
    act.animate(band, "params.amount", 0.0, 1.0, over=(CUT + 0.6, 10.6), ease="in_out_sine")
    for t in (7.3, BODY + 0.5):           # ACLF: two warm pulses as the cards come up
        act.keyframes("scene.exposure", {t - 0.1: 1.0, t + 0.25: 1.22, t + 0.9: 1.0},
                      ease="in_out_sine")
    act.set("camera.near", 5.0, at=CUT)
    act.set("camera.far", 20000.0, at=CUT)
    c = field.centers[0]
    act.camera.path({CUT: (c + (280.0, -380.0, 640.0), c + (285.0, 70.0, 0.0)),
                      8.2: (c + (250.0, -700.0, 1100.0), c + (300.0, 100.0, 0.0)),
                      BODY: (c + (60.0, -1250.0, 1550.0), c + (420.0, 100.0, 0.0))})

    # --- ACLF: the organs that can fail light up in turn ------------------------------
    act.keyframes("scene.fade", {BODY - 0.3: 0.0, BODY: 1.0, BODY + 0.3: 0.0},
                  ease="in_out_sine")
    body = act.add(models.organ_body("fib_body"), span=(BODY, DURATION))
    for k, organ in enumerate(ORGANS):
        t = BODY + 0.6 + 0.55 * k
        act.animate(f"{body.organs[organ]}.params.{organ}", 0.0, 1.0, over=(t, t + 0.5),
                    ease="in_out_sine")
    act.set("camera.near", 20.0, at=BODY)
    act.set("camera.far", 8000.0, at=BODY)
    act.camera.path({BODY: ((250.0, -2050.0, 330.0), (250.0, 0.0, 90.0)),
                     DURATION: ((230.0, -1800.0, 300.0), (230.0, 0.0, 100.0))})

    act.subject(scar, band, body)        # scar, septa, then the body (1:1 and 9:16)
    act.line("fibrosis.stellate")
    act.line("fibrosis.cirrhosis")
    act.line("fibrosis.aclf")
    act.line("aclf", image=cards.aclf)
    act.line("aclf_patients", image=cards.aclf_patients)
    act.line("fibrosis.aclf_organs")
    act.line("fibrosis.no_trigger")
