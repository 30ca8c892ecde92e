"""Title-safe areas: where text must stay so no screen, crop or app interface hides it.

- 16:9 (and any landscape frame): EBU R 95 "Safe areas for 16:9 television production"
  (2008; the same figures as ITU-R BT.1848-1 and SMPTE ST 2046-1): the Graphics Safe Area
  is 90 % of the width and height, centred: 5 % each side.  (The often-quoted 10 % each
  side, "80 % safe title", is the older analogue-era SMPTE RP 218 figure.)
- 1:1 (feeds): no broadcast standard; the 5 % graphics-safe margin at the sides and top,
  and 10 % at the bottom, where feed players draw their mute and tag buttons (the same
  figures as compose/layout.py lays captions out with).
- 9:16 (phones): the apps draw over the picture: their header over the top 10 % and their
  caption, buttons and progress bar over the lower fifth (TikTok's bottom ~20 %; Meta's
  Stories safe zone keeps the bottom 20 % free), so text stays 10 % from the top, 20 %
  from the bottom and 6 % from the sides (Meta's side margin).  "9:16-reels" is Meta's
  stricter Reels safe zone (top 14 %, bottom 35 %, sides 6 %), for a version posted as a
  Reel.

Margins are fractions of the frame's width (left, right) and height (top, bottom).
"""
from __future__ import annotations

from ..compose.layout import INSETS
from .problems import Problem

# left, top, right, bottom: the compositor lays text out in these same areas (one table)
SAFE_MARGINS: dict[str, tuple[float, float, float, float]] = {
    **INSETS, "9:16-reels": (0.06, 0.14, 0.06, 0.35)}


def _margins(width: int, height: int, margin) -> tuple[float, float, float, float]:
    if margin is None:
        r = width / height
        margin = "16:9" if r > 1.2 else "1:1" if r > 0.8 else "9:16"
    if isinstance(margin, str):
        try:
            return SAFE_MARGINS[margin]
        except KeyError:
            raise ValueError(f"title-safe: unknown format {margin!r} "
                             f"(known: {', '.join(SAFE_MARGINS)})") from None
    if isinstance(margin, (int, float)):
        return (float(margin),) * 4
    m = tuple(float(v) for v in margin)
    if len(m) != 4:
        raise ValueError(f"title-safe: margin needs 4 fractions (left, top, right, bottom), "
                         f"got {margin!r}")
    return m


def safe_rect(width: int, height: int, margin=None) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the title-safe area; ``margin``: a format name from
    SAFE_MARGINS, one fraction for all sides, 4 fractions, or None (picked by aspect)."""
    left, top, right, bottom = _margins(width, height, margin)
    return (round(width * left), round(height * top),
            round(width * (1 - right)), round(height * (1 - bottom)))


def outside_title_safe(rect, width: int, height: int, margin=None) -> dict[str, int]:
    """How far (px) a text box ``rect`` = (x, y, w, h) reaches past each side of the
    title-safe area: {'left': 12, 'bottom': 30}; empty when it is inside."""
    x, y, w, h = (int(round(v)) for v in rect)
    x0, y0, x1, y1 = safe_rect(width, height, margin)
    over = {"left": x0 - x, "top": y0 - y, "right": x + w - x1, "bottom": y + h - y1}
    return {side: px for side, px in over.items() if px > 0}


def title_safe_problems(time: float, line: str, rect, width: int, height: int,
                        margin=None) -> list[Problem]:
    """A Problem for a text box outside the title-safe area, or none."""
    over = outside_title_safe(rect, width, height, margin)
    if not over:
        return []
    figure = ", ".join(f"{side} {px} px" for side, px in over.items())
    return [Problem(time, str(line), "outside-title-safe", f"{figure} past the safe area")]
