"""Act placeholder: iv_route (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "iv_route"
DURATION = 16.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("HepaStem, an investigational cell therapy, is infused into a vein.", over=(1.0, DURATION - 1.0))
