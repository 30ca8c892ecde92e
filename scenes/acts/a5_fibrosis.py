"""Act placeholder: fibrosis (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "fibrosis"
DURATION = 14.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("Activated stellate cells lay down scar.", over=(1.0, DURATION - 1.0))
