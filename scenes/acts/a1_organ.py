"""Act placeholder: organ (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "organ"
DURATION = 10.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("The liver receives blood from the gut and the heart.", over=(1.0, DURATION - 1.0))
