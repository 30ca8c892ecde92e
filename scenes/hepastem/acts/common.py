"""What the acts share: transitions, the warm→cool palette track, scale conventions.

Acts are separate shots at different scales (mm for organ and body, µm inside the
liver); they are joined by short dissolves through the background colour, so the cut
between scales is always clean.
"""
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


def cutaway(act, tissue, keep=lambda h: True, skip=("microvilli",), span=None):
    """Add a sinusoid model as a cutaway seen from outside (``Sinusoid.cutaway``): only
    the hepatocytes ``keep(h)`` accepts, none of ``skip``'s parts, on screen over ``span``
    (act seconds; default the whole act).  Returns the hepatocytes kept."""
    cut = act.add(tissue.cutaway(keep=keep, skip=skip), span=span)
    return cut.hepatocytes


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
