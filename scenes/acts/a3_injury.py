"""Act placeholder: injury (being built; see the storyboard in science_brief.md §4)."""
from .common import dissolve

NAME = "injury"
DURATION = 16.0


def build(act):
    dissolve(act, first=NAME == "organ", last=NAME == "resolution")
    act.caption("Repeated hits (excess fat, toxins, viruses) stress and kill liver cells.", over=(1.0, DURATION - 1.0))
