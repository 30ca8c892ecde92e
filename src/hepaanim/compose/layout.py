"""Where overlays go in each delivery format: safe areas and places per overlay kind.

The film is designed at 16:9 (congress screens, web players) and delivered also at 1:1
(feed posts) and 9:16 (phone stories and reels).  A frame's format is read from its size
(:func:`aspect_name`); its :class:`Layout` says where text may go and where each kind of
overlay sits.  The compositor (``captions.py``, ``cards.py``) draws; this module only
measures, so a check (the accessibility gate) can ask the same questions.

Safe areas (text must lie inside; pixels, y down):

* **16:9**: EBU R 95's graphics-safe area (the same as SMPTE ST 2046-1 and ITU-R BT.1848):
  5 % of the width at the sides, 5 % of the height at the top and bottom.  (The film was
  first designed with 4 % of the height on every side, 2.25 % of the width at the sides:
  fine on a projector, cut by a television that overscans, and outside what the
  accessibility gate accepts.)
* **1:1**: 5 % at the sides and top, 10 % at the bottom (a feed draws its mute and tag
  buttons over the bottom corners).
* **9:16**: 6 % at the sides, the top 10 % (the app's header) and the lower fifth (caption,
  author and music lines, the progress bar) are covered by the phone app.

Text sizes follow the frame's short side (the height at 16:9, so 16:9 is as before; the width
at 9:16, so a caption on a phone is the size it would be on a 1080-line screen).

Places: at 16:9 everything is where the 16:9 film has always put it (lower thirds bottom
left, side cards in the right ~45 % beside the 3D subject, titles and end cards centred).
At 1:1 and 9:16 the frame is too narrow for a card beside the subject, so cards *stack*: a
side card spans the safe width at the top of the safe area, scaled down until it clears the
band kept for lower thirds (``caption_band``) at the bottom; the picture the subject should
stay in is what is left between them (``picture``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral

ASPECTS = {"16:9": 16 / 9, "1:1": 1.0, "9:16": 9 / 16}
# safe-area insets (left, top, right, bottom) as fractions of (width, height, width, height);
# ``access.safe_area`` checks text against these same figures (module docstring)
INSETS = {"16:9": (0.05, 0.05, 0.05, 0.05), "1:1": (0.05, 0.05, 0.05, 0.10),
          "9:16": (0.06, 0.10, 0.06, 0.20)}

# lower-third geometry, in fractions of its font size (captions.lower_third draws with these)
LT_SIZE, LT_PAD, LT_BAR, LT_LEAD = 0.040, 0.7, 0.16, 1.32
STACK_LINES = 3                      # lower-third lines kept free below a stacked card
TITLE_PAD = 0.55                     # title scrim margin, fraction of the title's size
GAP = 0.02                           # between stacked overlays, fraction of the short side
SIDE_W, SIDE_H = 76.0, 64.0          # a side card's size in card units (cards.side_card)

Rect = tuple[int, int, int, int]     # (x0, y0, x1, y1), pixels, y down, x1/y1 exclusive


def aspect_name(width: int, height: int) -> str:
    """The delivery format nearest to width × height (by log ratio; 4:3 and wider are
    16:9, so any landscape frame keeps the 16:9 layout)."""
    r = width / height
    if r >= 4 / 3:
        return "16:9"
    return min(("1:1", "9:16"), key=lambda k: abs(math.log(r / ASPECTS[k])))


def frame_size(aspect: str, short_side: int) -> tuple[int, int]:
    """(width, height) of ``aspect`` for a quality preset's line count (its short side):
    1080 gives 1920×1080, 1080×1080, 1080×1920; 480 gives 854×480, 480×480, 480×854."""
    if aspect not in ASPECTS:
        raise ValueError(f"aspect {aspect!r}: use one of {', '.join(ASPECTS)}")
    r = ASPECTS[aspect]
    long_side = 2 * round(short_side * max(r, 1 / r) / 2)
    return (long_side, short_side) if r > 1 else (short_side, long_side) if r < 1 \
        else (short_side, short_side)


def lower_third_height(size: int, lines: int) -> int:
    """Height in pixels of a lower-third panel of ``lines`` lines at font ``size``."""
    pad, lh = round(size * LT_PAD), round(size * LT_LEAD)
    return int(lh * lines + 2 * pad - (lh - size) * 0.6)


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    aspect: str                      # "16:9", "1:1" or "9:16"
    unit: int                        # text scale in pixels: the short side
    safe: Rect                       # where text may go

    @property
    def stacked(self) -> bool:
        """Cards stack above the picture (1:1, 9:16) instead of standing beside it."""
        return self.aspect != "16:9"

    @property
    def safe_w(self) -> int:
        return self.safe[2] - self.safe[0]

    @property
    def safe_h(self) -> int:
        return self.safe[3] - self.safe[1]

    @property
    def gap(self) -> int:
        return round(self.unit * GAP)

    # --- lower thirds -----------------------------------------------------------------
    def lower_third_size(self) -> int:
        return round(self.unit * LT_SIZE)

    def lower_third_wrap(self) -> float:
        """Width of a lower third's text column: 62 % of the frame at 16:9 (as designed);
        elsewhere the safe width less the panel's bar and padding."""
        if not self.stacked:
            return self.width * 0.62
        size = self.lower_third_size()
        pad, bar = round(size * LT_PAD), max(2, round(size * LT_BAR))
        return self.safe_w - (2 * pad + bar + pad * 0.4) - 1

    def lower_third_at(self, w: int, h: int) -> tuple[int, int]:
        if not self.stacked:
            return round(self.width * 0.06), round(self.height * 0.93) - h
        return self.safe[0], self.safe[3] - h

    def caption_band(self) -> Rect:
        """The band at the bottom of the safe area kept for lower thirds of up to
        ``STACK_LINES`` lines (stacked cards end above it)."""
        top = self.safe[3] - lower_third_height(self.lower_third_size(), STACK_LINES)
        return self.safe[0], top, self.safe[2], self.safe[3]

    # --- titles -----------------------------------------------------------------------
    def title_sizes(self) -> tuple[int, int]:
        return round(self.unit * 0.075), round(self.unit * 0.034)

    def title_wraps(self) -> tuple[float, float]:
        """Text widths of a title's head line and of its subtitle."""
        if not self.stacked:
            return self.width * 0.8, self.width * 0.7
        room = self.safe_w - 2 * self.title_pad()      # the scrim stays in the safe area
        return room, room * 0.92

    def title_pad(self) -> int:
        """The title scrim's margin around its words (and its soft edge)."""
        return round(self.title_sizes()[0] * TITLE_PAD)

    def title_y(self, h: int) -> int:
        if not self.stacked:
            return round((self.height - h) / 2)
        return round((self.safe[1] + self.safe[3] - h) / 2)

    # --- corner labels ----------------------------------------------------------------
    def label_size(self) -> int:
        return round(self.unit * 0.026)

    def label_at(self, w: int, h: int, position: str, avoid=()) -> tuple[int, int] | None:
        """A corner label's place: its corner of the safe area (``position`` as
        ``Act.caption``'s, "bottom" meaning bottom left).  If it would overlap one of the
        rectangles in ``avoid`` (a card, a lower third on screen at the same time), it moves
        to the mirrored corner at 16:9, or along its edge past the obstacles, or else to the
        corners of the other edge (top for bottom); None where no
        place in the safe area is free (1:1 with a card and a lower third up: the card hides
        the picture the label speaks of, so the label is not shown)."""
        right, top = position.endswith("right"), position.startswith("top")
        x0, y0, x1, y1 = self.safe

        def free(x, y):
            return (x0 <= x and y0 <= y and x + w <= x1 and y + h <= y1
                    and not any(_overlaps((x, y, x + w, y + h), r) for r in avoid))

        xs = [x1 - w if right else x0]
        if not self.stacked:
            xs.append(x0 if right else x1 - w)          # the other corner, the 3D side
        for down in (top, not top):                     # its edge first, then the other
            y_corner = y0 if down else y1 - h
            for x in xs:
                if free(x, y_corner):
                    return x, y_corner
            for x in xs:
                y = y_corner
                for _ in range(len(avoid) + 1):         # slide off each obstacle in turn
                    if free(x, y):
                        return x, y
                    hit = [r for r in avoid if _overlaps((x, y, x + w, y + h), r)]
                    if not hit:
                        break
                    y = (max(r[3] for r in hit) + self.gap if down
                         else min(r[1] for r in hit) - self.gap - h)
        return None

    # --- cards ------------------------------------------------------------------------
    def side_unit(self, w_units: float, h_units: float) -> float:
        """Pixels per card unit for a side card of w_units × h_units: at 16:9 the frame
        height / 100 (narrowed to fit the right 45 %); stacked, the safe width, or less so
        the card ends a gap above the caption band."""
        if not self.stacked:
            return min(self.height / 100.0, self.width * 0.45 / w_units)
        room = self.caption_band()[1] - self.gap - self.safe[1]
        return min(self.safe_w / w_units, room / h_units)

    def side_at(self, w: int, h: int) -> tuple[int, int]:
        if not self.stacked:
            return self.safe[2] - w, round(0.07 * self.height)
        return self.safe[0] + (self.safe_w - w) // 2, self.safe[1]

    def centred_at(self, w: int, h: int, at: float = 0.42) -> tuple[int, int]:
        """A centred card: its middle at ``at`` of the frame height (16:9) or of the safe
        area's height (stacked), kept inside the safe area."""
        if not self.stacked:
            return (self.width - w) // 2, max(0, round(at * self.height - h / 2))
        y = round(self.safe[1] + at * self.safe_h - h / 2)
        return (self.width - w) // 2, max(self.safe[1], min(y, self.safe[3] - h))

    # --- the picture ------------------------------------------------------------------
    def picture(self, card: bool = False) -> Rect:
        """Where the 3D subject should stay visible (for ``scene.reframe``'s window, via
        ``reframe.ndc_window``): the safe area, less the side card's column (16:9) or the
        stacked card and the caption band (stacked) when a card is up.  Where a stacked
        card leaves less than a fifth of the safe height (1:1: the card fills the picture,
        the subject is seen through its 90 % panel at most) the safe area is returned."""
        x0, y0, x1, y1 = self.safe
        if not card:
            return self.safe if self.stacked else (0, 0, self.width, self.height)
        if not self.stacked:
            cw = round(SIDE_W * self.side_unit(SIDE_W, SIDE_H))
            return 0, 0, self.safe[2] - cw - self.gap, self.height
        ch = round(SIDE_H * self.side_unit(SIDE_W, SIDE_H))
        top, bottom = y0 + ch + self.gap, self.caption_band()[1] - self.gap
        return (x0, top, x1, bottom) if bottom - top >= self.safe_h / 5 else self.safe


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@lru_cache(maxsize=64)
def layout(width: int, height: int) -> Layout:
    """The layout of a width × height frame."""
    if not (isinstance(width, Integral) and isinstance(height, Integral)
            and width > 0 and height > 0):
        raise ValueError(f"frame size {width}x{height}: give positive whole pixels")
    width, height = int(width), int(height)
    aspect = aspect_name(width, height)
    l, t, r, b = INSETS[aspect]
    safe = (round(width * l), round(height * t), width - round(width * r),
            height - round(height * b))
    return Layout(width, height, aspect, min(width, height), safe)
