"""The HepaStem mode-of-action film: its defaults, its look and the order of its acts.

A film is a package of its own, beside the engine (``src/hepaanim`` knows no film):

* ``acts/``: one module an act (``NAME``, ``DURATION``, ``build(act)``), in storyboard order
  (science_brief.md §4); each act is a clip that starts from the defaults set here, and
  nothing it sets outlives it.
* ``cards.py``: the film's data cards, drawn with the engine's card toolkit.
* ``script.csv`` (every on-screen word, per language, with its claim ids),
  ``claims.csv`` and ``references.json`` (the claims ledger and its CSL-JSON sources),
  ``film.toml`` (the film's name, the company its claims must name, the citation style).

``scenes/hepastem_moa.py`` is the scene file the command line renders; it calls
:func:`build`.
"""
from pathlib import Path

from hepaanim.audio.film import follow_voice
from hepaanim.scene.grade import Grade

from .acts import ACTS

# The film's colour logic (science brief §5): warm marks damage and inflammation, cool
# marks resolution.  The acts animate 'scene.warmth' in [0, 1] between these two looks.
GRADE = Grade(cool=(0.93, 0.99, 1.08), warm=(1.10, 0.95, 0.84),
              background_warm=((0.23, 0.11, 0.10), (0.09, 0.05, 0.06)), background_mix=0.8)


def build(film):
    """The film's words (the script table beside this file), its defaults (every act
    starts from them), then its acts end to end."""
    film.use_script(Path(__file__).parent)
    film.scene.settings.params["grade"] = GRADE
    film.set("scene.bloom", 0.0)     # on only in the acts with emissive particles (4, 7)
    for module in ACTS:
        act = film.act(module.NAME, module.DURATION)
        module.build(act)
    follow_voice(film)               # captions leave with their speech (voice/ takes)
