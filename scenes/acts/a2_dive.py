"""Act placeholder: dive (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "dive"
DURATION = 12.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("Blood filters past plates of liver cells, watched by resident immune cells.", over=(1.0, DURATION - 1.0))
