"""Act placeholder: inflammation (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "inflammation"
DURATION = 14.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("Dying cells trigger inflammation.", over=(1.0, DURATION - 1.0))
