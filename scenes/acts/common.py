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
    else:
        act.set("scene.fade", 0.0)
    if not last:
        fade_out(act)


def warmth(act, start: float, end: float, over=None, ease: str = "in_out_sine"):
    """The palette's warmth (1 = inflamed ember, 0 = resolved blue): 'scene.warmth'."""
    if over is None:
        act.set("scene.warmth", start)
        return
    act.animate("scene.warmth", start, end, over=over, ease=ease)
