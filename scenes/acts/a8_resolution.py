"""Act placeholder: resolution (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "resolution"
DURATION = 15.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("HepaStem remains under clinical study.", over=(1.0, DURATION - 1.0))
