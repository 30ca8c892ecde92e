"""HepaStem mode of action: the whole film (≈115 s), eight acts from the storyboard.

The film module only orders the acts; each act lives in scenes/acts/ and builds its own
shot (models, camera, captions, cards) on its slice of the film's time line.
"""
from acts import ACTS


def build(film):
    for module in ACTS:
        act = film.act(module.NAME, module.DURATION)
        module.build(act)
