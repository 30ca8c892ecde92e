"""The film's acts, in storyboard order (science_brief.md §4; act 0 is the prologue)."""
from . import (a0_prologue, a1_organ, a2_dive, a3_injury, a4_inflammation, a5_fibrosis,
               a6_iv_route, a7_action, a8_resolution)

ACTS = [a0_prologue, a1_organ, a2_dive, a3_injury, a4_inflammation, a5_fibrosis, a6_iv_route,
        a7_action, a8_resolution]
