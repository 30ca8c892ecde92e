"""Act placeholder: mode_of_action (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "mode_of_action"
DURATION = 18.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("In laboratory and animal studies, the cells' secreted factors dampened inflammation.", over=(1.0, DURATION - 1.0))
