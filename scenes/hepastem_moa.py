"""HepaStem mode of action: the whole film (≈115 s), eight acts from the storyboard.

The film is the package ``scenes/hepastem/`` (its acts, cards, script table, claims and
references); this file is what ``hepaanim render scenes/hepastem_moa.py`` loads.
"""
from hepastem import build  # noqa: F401  (the loader calls build(film))
