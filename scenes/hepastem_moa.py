"""HepaStem mode of action: the whole film (≈115 s), eight acts from the storyboard.

The film module sets the film's defaults and orders the acts; each act lives in
scenes/acts/ and builds its own shot (models, camera, captions, cards) on its slice of the
film's time line, starting from those defaults (nothing an act sets outlives it).
"""
from hepaanim.scene.grade import Grade

from acts import ACTS

# The film's colour logic (science brief §5): warm marks damage and inflammation, cool
# marks resolution.  The acts animate 'scene.warmth' in [0, 1] between these two looks.
GRADE = Grade(cool=(0.93, 0.99, 1.08), warm=(1.10, 0.95, 0.84),
              background_warm=((0.23, 0.11, 0.10), (0.09, 0.05, 0.06)), background_mix=0.8)


def build(film):
    film.scene.settings.params["grade"] = GRADE
    film.set("scene.bloom", 0.0)     # on only in the acts with emissive particles (4, 7)
    for module in ACTS:
        act = film.act(module.NAME, module.DURATION)
        module.build(act)
