"""The accessibility gate's measuring functions, generic over any film.

- `subtitles.subtitle_problems`: reading limits of the Netflix Timed Text Style Guides.
- `contrast.text_contrast` / `contrast.overlay_contrast`: WCAG 2.2 SC 1.4.3 on the pixels
  actually rendered behind the text.
- `flash.FlashMeter`: WCAG 2.2 SC 2.3.1 general- and red-flash counting, streamed.
- `safe_area.outside_title_safe`: EBU R 95 graphics-safe area (and social formats).
- `problems.report`: one line a failure, then ``problems=<n>``.
"""
from .contrast import WCAG_AA_TEXT, overlay_contrast, text_contrast
from .flash import FlashMeter
from .problems import Problem, report
from .safe_area import SAFE_MARGINS, outside_title_safe, safe_rect, title_safe_problems
from .subtitles import LIMITS, Limits, char_count, subtitle_problems, wrap_cue

__all__ = ["LIMITS", "Limits", "Problem", "SAFE_MARGINS", "WCAG_AA_TEXT", "FlashMeter",
           "char_count", "outside_title_safe", "overlay_contrast", "report", "safe_rect",
           "subtitle_problems", "text_contrast", "title_safe_problems", "wrap_cue"]
