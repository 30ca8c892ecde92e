"""What the acts share: transitions, the warm→cool palette track, scale conventions.

Acts are separate shots at different scales (mm for organ and body, µm inside the
liver); they are joined by short dissolves through the background colour, so the cut
between scales is always clean.
"""
from functools import partial

FADE = 0.5           # seconds of each dissolve half


def fade_in(act, seconds: float = FADE):
    act.animate("scene.fade", 1.0, 0.0, over=(0, seconds), ease="in_out_sine")


def fade_out(act, seconds: float = FADE):
    act.animate("scene.fade", 0.0, 1.0, over=(act.duration - seconds, act.duration),
                ease="in_out_sine")


def dissolve(act, first: bool = False, last: bool = False):
    """Fade in at the act's start and out at its end (skipping what the film does not need)."""
    if not first:
        fade_in(act)
    if not last:
        fade_out(act)


def bloom(act, amount: float):
    """The act's bloom strength ('scene.bloom'; the film's default is 0).

    Bloom is for shots with emissive particles (cytokines, secreted factors); elsewhere,
    measured over each act, it changed no pixel by more than 6/255 yet cost ~9 ms of CPU
    a 1080p frame, so the film leaves it off and only those acts turn it on."""
    act.set("scene.bloom", amount)


def occlusion(act, amount: float = 0.0, radius: float = 0.0):
    """The act's ambient occlusion: strength 'scene.ao' and reach 'scene.ao_radius' (in
    the act's units); off (the film's default) in acts that do not call this.

    Only where contact shading helps the shot read (hepatocytes sitting in rows on their
    plates, fibres against a cell); the "final" look (-q 4k) draws it, while -q high
    leaves it out (15-20 ms a 1080p frame on a CPU, beyond its 12 fps budget)."""
    act.set("scene.ao", amount)
    act.set("scene.ao_radius", radius)


def warmth(act, start: float, end: float, over=None, ease: str = "in_out_sine"):
    """The palette's warmth (1 = inflamed ember, 0 = resolved blue): 'scene.warmth'."""
    if over is None:
        act.set("scene.warmth", start)
        return
    act.animate("scene.warmth", start, end, over=over, ease=ease)


_PORES: dict = {}


def _outer_pores(derive, node):
    """The sinusoid's fenestrae as seen from outside the wall: the model draws each pore
    on both faces (inner half first); seen from outside the two coincide, so keep one,
    and of those every other one (the sieve plates still read, at half the ~35 ms a
    1080p frame spent on 18,600 pore impostors).
    Cached per (model, fenestration): a pure function of them."""
    f = round(float(node.params.get("fenestration", 1.0)), 2)    # closes in 1% steps
    key = (derive, f)
    inst = _PORES.get(key)
    if inst is None:
        d = derive(node.copy(params={**node.params, "fenestration": f}))
        i, h = d.instances, d.count // 2
        keep = slice(h, None, 2)
        inst = i.copy(position=i.position[keep], orientation=i.orientation[keep],
                      scale=i.scale[keep], opacity=i.opacity[keep],
                      color=None if i.color is None else i.color[keep])
        if len(_PORES) > 8:
            _PORES.clear()
        _PORES[key] = inst
    return node.copy(instances=inst)


def cutaway(act, tissue, keep=lambda h: True, skip=("microvilli",), span=None):
    """Add a sinusoid model as a cutaway seen from outside: only the hepatocytes ``keep(h)``
    accepts (h is a hepatocyte model; h.center is its place beside the sinusoid), none of
    ``skip``'s parts (name endings), on screen over ``span`` (act seconds; default the
    whole act).  Returns the hepatocytes kept."""
    heps = [h for h in tissue.data["hepatocytes"] if keep(h)]
    dropped = {n.name for h in tissue.data["hepatocytes"] if h not in heps for n in h.nodes}
    for n in tissue.nodes:
        if n.name in dropped or any(n.name.endswith("_" + s) for s in skip):
            continue
        if n.name.endswith("_fenestrae"):
            n = n.copy(derive=partial(_outer_pores, n.derive))
            n = n.derive(n)
        elif n is tissue.node:            # the wall: a big translucent surface, lit per vertex
            n = n.copy(material=n.material.copy(shading="vertex"))
        act.add(n, span=span)
    return heps


def camera_path(act, keys: dict, ease: str = "linear"):
    """A smooth camera move through shots: ``keys`` = {act_time: (position, target)}
    (Catmull-Rom through the keys; the act's dissolves hide its first and last instants)."""
    times = sorted(keys)
    act.keyframes("camera.position", {t: keys[t][0] for t in times}, "cubic", ease)
    act.keyframes("camera.target", {t: keys[t][1] for t in times}, "cubic", ease)


def camera_glide(act, keys: dict, near_fraction: float = 0.0, near_min: float = 0.05):
    """A camera move through ``keys`` = {act_time: (position, target)} with monotone cubic
    (PCHIP) interpolation per coordinate: C1-smooth and never overshooting a key, so it can
    sweep across scales (organ mm → cell µm) without swinging past small keys.  With
    ``near_fraction`` > 0 the near and far planes follow the distance to the target
    (near = fraction × distance, far = 4·10⁴ × near)."""
    import numpy as np
    from scipy.interpolate import PchipInterpolator
    ts = np.array(sorted(keys), float)
    pos = PchipInterpolator(ts, np.array([keys[t][0] for t in ts], float), axis=0)
    tgt = PchipInterpolator(ts, np.array([keys[t][1] for t in ts], float), axis=0)
    span = (float(ts[0]), float(ts[-1]))

    def at(fn, x):
        return fn(min(max(x + span[0], span[0]), span[1]))
    act.procedural("camera.position", lambda x: at(pos, x), over=span)
    act.procedural("camera.target", lambda x: at(tgt, x), over=span)
    if near_fraction > 0:
        def near(x):
            d = float(np.linalg.norm(at(pos, x) - at(tgt, x)))
            return max(near_min, near_fraction * d)
        act.procedural("camera.near", near, over=span)
        act.procedural("camera.far", lambda x: near(x) * 4e4, over=span)


def _below(z: float, derive, node):
    d = derive(node) if derive is not None else node
    i = d.instances
    m = i.position[:, 2] < z
    return d.copy(instances=i.copy(position=i.position[m], orientation=i.orientation[m],
                                   scale=i.scale[m], opacity=i.opacity[m]))


def open_top(tissue, z: float = 1.5):
    """Slice the top off a sinusoid's endothelial tube (and its fenestrae) above local
    height ``z``: an open trough that shows the lumen's contents crisply from above.  Call
    before ``cutaway``; changes the model's nodes in place."""
    from hepaanim import Geometry
    wall = tissue.node
    g = wall.geometry
    keep = g.positions[g.indices][:, :, 2].max(axis=1) < z
    wall.geometry = Geometry(g.positions, g.normals, g.indices[keep], g.param)
    wall.material = wall.material.copy(double_sided=True)
    for k, n in enumerate(tissue.nodes):
        if n.name.endswith("_fenestrae"):
            n2 = n.copy(derive=partial(_below, z, n.derive))
            tissue.nodes[k] = n2.derive(n2)


NAVY = ("#17304F", "#0B1A2E")          # the film's background (top, bottom)
BLOOD_DEEP = ("#43131A", "#2C0B10")    # tissue depths: blood in the sinusoids below the plates


def backdrop(act, colors, over=None, start=None, ease: str = "in_out_sine"):
    """Animate the background gradient to ``colors`` (top, bottom) over ``over`` (from
    ``start``, or from whatever it is then); without ``over``, set it at the act's start.
    Lobule shots use BLOOD_DEEP: the gaps between plates then read as blood-filled depths
    without drawing a floor (a full-screen layer the renderer would shade twice).  An act
    that changes it should hand NAVY back by its end."""
    from hepaanim import rgb
    for k, key in enumerate(("background_top", "background_bottom")):
        path = f"scene.{key}"
        if over is None:
            act.set(path, rgb(colors[k]))
        elif start is None:
            act.animate(path, to=rgb(colors[k]), over=over, ease=ease)
        else:
            act.animate(path, rgb(start[k]), rgb(colors[k]), over=over, ease=ease)


def plates_under(act, name: str, center, axis, height: float, length: float = 124.0):
    """Plate walls under a sinusoid close-up set into a ``lobule_field``: the two plates it
    runs between (±17.8 µm, the sinusoid model's hepatocyte rows) continue down to the
    tissue's depths, so the close-up does not float.  ``axis``: the sinusoid's direction."""
    import numpy as np
    from hepaanim import Material, MeshNode, rgb
    from hepaanim.models.lobule import plate_walls
    c, a = np.asarray(center, float), np.asarray(axis, float)
    side = np.array([-a[1], a[0], 0.0])
    t = np.linspace(-length / 2, length / 2, 6)[:, None]
    lines = [c[:2] + a[:2] * t + side[:2] * s for s in (17.8, -17.8)]
    geo = plate_walls(lines, -height / 2 + 4.0, c[2] - 11.0, 10.0)
    return act.add(MeshNode(name, geometry=geo, material=Material(
        color=rgb("hepatocyte_rose") * 0.86, roughness=0.7, rim=0.12, rim_color="#F3C5B6",
        wrap=0.65, shading="vertex")))
