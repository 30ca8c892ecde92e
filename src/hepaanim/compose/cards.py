"""Info cards drawn with Pillow: a canvas in card units, two layouts and a general stat card.

A card is a function ``card(width, height) -> (premultiplied RGBA array, (x, y))``, cached
per frame size by its caller, shown from an act as a caption with ``style="card"`` and
``image=card`` (the caption's text is the card's text alternative: what subtitles say).
Which cards a film shows, their numbers, words and colours are the film's; this module only
lays them out and measures them:

* :class:`Canvas` draws in *units* (one unit follows the frame height, so a card reads the
  same at 480p and 2160p): shapes supersampled and scaled down (smooth edges), text drawn
  at the output size (crisp glyphs).  Text colours are named *inks* the film supplies;
  ``TEXT_CONTRAST[(card, width, height)]`` records, for every string drawn, its worst
  contrast against the colours actually under its glyphs (composited over black and over
  white, the extremes of any shot), so a test can hold each card to WCAG's 4.5:1.
* :func:`side_card`: a right-hand data card (kicker, title, a chart the caller draws,
  source line) in the right ~45 % of the frame, between 7 % and 71 % of its height, so the
  3D action stays visible on the left and a lower-third caption fits below.  At 1:1 and
  9:16 (``layout``) there is no room beside the subject: the card stacks at the top of the
  safe area, as wide as the safe area, scaled down to clear the lower-third band.
* :func:`centred`: where a centred card sits (a little above the middle, for the same
  reason; within the safe area in the other formats).
* :func:`stat_card`: a side card a user fills with a value, a label, a source line and a
  style, with no drawing code of their own.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from ..scene.color import PALETTE
from .captions import PANEL, TEXT, wrap
from .fonts import font
from .layout import SIDE_H, SIDE_W, layout

PANEL_OPACITY = 0.90          # the card panel: the caption panel colour at 90 %


def rgb255(name: str) -> tuple[int, int, int]:
    """A palette name or '#RRGGBB' as 0..255 integers."""
    s = PALETTE.get(name, name)
    return tuple(int(s[k:k + 2], 16) for k in (1, 3, 5))


def mix(a, b, k: float) -> tuple[int, int, int]:
    """a → b by k (sRGB, 0 = a)."""
    return tuple(int(round(x + (y - x) * k)) for x, y in zip(a, b))


IVORY_LINE = (0xED, 0xE3, 0xCF)     # hairlines and the panel's outline
BASE_INKS = {                       # every card can use these; films add their own
    "text": TEXT,
    "muted": (0xB4, 0xC1, 0xD2),    # sources, axis labels
    "dark": PANEL,                  # only on solid light fills
}

# SIDE_W, SIDE_H (from layout): side card size in units (unit = frame height / 100 at 16:9)


class Canvas:
    """A card's drawing surface: coordinates in units, shapes supersampled, text queued and
    drawn at output resolution in ``finish`` (where its contrast is measured)."""

    def __init__(self, w_units: float, h_units: float, unit: float, inks: dict | None = None,
                 lang: str = "en"):
        self.u = unit
        self.lang = lang             # the font and line breaking of the card's language
        self.wu, self.hu = w_units, h_units
        self.w, self.h = round(w_units * unit), round(h_units * unit)
        self.ss = 3 if self.h < 600 else 2
        self.img = Image.new("RGBA", (self.w * self.ss, self.h * self.ss), (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)
        self.texts = []
        self.panel_a = round(255 * PANEL_OPACITY)
        self.inks = {**BASE_INKS, **(inks or {})}

    # colours -----------------------------------------------------------------------
    def dim(self, color, k: float):
        """`color` at strength k over the panel (as opaque as the panel)."""
        return (*mix(PANEL, color, k), self.panel_a)

    def solid(self, color):
        return (*color, 255)

    # shapes (coordinates in units) -------------------------------------------------
    def _p(self, *v):
        return [v_ * self.u * self.ss for v_ in v]

    def panel(self, radius: float = 1.6):
        box = (0, 0, self.w * self.ss - 1, self.h * self.ss - 1)
        self.d.rounded_rectangle(box, radius=radius * self.u * self.ss,
                                 fill=(*PANEL, self.panel_a), outline=self.dim(IVORY_LINE, 0.16),
                                 width=max(1, round(0.12 * self.u * self.ss)))

    def rect(self, x0, y0, x1, y1, fill, radius: float = 0.0, outline=None, width: float = 0,
             corners=None):
        box = self._p(x0, y0, x1, y1)
        w = max(1, round(width * self.u * self.ss)) if outline else 0
        if radius > 0:
            self.d.rounded_rectangle(box, radius=radius * self.u * self.ss, fill=fill,
                                     outline=outline, width=w, corners=corners)
        else:
            self.d.rectangle(box, fill=fill, outline=outline, width=w)

    def circle(self, cx, cy, r, fill, outline=None, width: float = 0):
        w = max(1, round(width * self.u * self.ss)) if outline else 0
        self.d.ellipse(self._p(cx - r, cy - r, cx + r, cy + r), fill=fill, outline=outline,
                       width=w)

    def pie(self, cx, cy, r, a0, a1, fill):
        """Slice from fraction a0 to a1 of a turn, clockwise from 12 o'clock."""
        self.d.pieslice(self._p(cx - r, cy - r, cx + r, cy + r), -90 + 360 * a0,
                        -90 + 360 * a1, fill=fill)

    def line(self, x0, y0, x1, y1, fill, width: float):
        self.d.line(self._p(x0, y0, x1, y1), fill=fill,
                    width=max(1, round(width * self.u * self.ss)))

    def person(self, cx, top, h, fill):
        """A pictogram person `h` units tall: head and rounded shoulders."""
        r = h * 0.2
        self.circle(cx, top + r, r, fill)
        bw = h * 0.62
        self.rect(cx - bw / 2, top + 2.35 * r, cx + bw / 2, top + h, fill,
                  radius=bw * 0.45, corners=(True, True, False, False))

    # text (queued; drawn at output resolution) ----------------------------------------
    def font(self, size: float, weight: str = "regular"):
        return font(max(9, round(size * self.u)), weight, lang=self.lang)

    def text(self, x, y, s, size, ink="text", weight="regular", anchor="la"):
        self.texts.append((x * self.u, y * self.u, s, self.font(size, weight), ink, anchor))

    def length(self, s, size, weight="regular") -> float:
        """Width of `s` in units."""
        return self.font(size, weight).getlength(s) / self.u

    def para(self, x, y, s, size, max_w, ink="text", weight="regular", leading=1.28) -> float:
        """Wrapped text from the top-left; returns the y (units) below the last line."""
        f = self.font(size, weight)
        for line in wrap(s, f, max_w * self.u, self.lang):
            self.texts.append((x * self.u, y * self.u, line, f, ink, "la"))
            y += size * leading
        return y

    # finish ------------------------------------------------------------------------
    def finish(self, name: str, width: int, height: int) -> np.ndarray:
        small = self.img.convert("RGBa").resize((self.w, self.h), Image.Resampling.BOX)
        backdrop = np.asarray(small, dtype=np.float64)          # premultiplied shapes
        img = small.convert("RGBA")
        d = ImageDraw.Draw(img)
        report = []
        for x, y, s, f, ink, anchor in self.texts:
            d.text((x, y), s, font=f, fill=(*self.inks[ink], 255), anchor=anchor)
            report.append((s, ink, _worst_contrast(backdrop, (x, y), s, f, anchor, self.inks[ink])))
        key = (name, width, height) + (() if self.lang == "en" else (self.lang,))
        TEXT_CONTRAST[key] = report
        a = np.asarray(img, dtype=np.float32)
        a[..., :3] *= a[..., 3:4] / 255.0
        return np.round(a).astype(np.uint8)


# (card, width, height[, lang]) -> [(text, ink name, worst contrast ratio)], filled as
# cards draw (the language only where it is not English)
TEXT_CONTRAST: dict[tuple[str, int, int], list[tuple[str, str, float]]] = {}


def _lum(rgb255: np.ndarray) -> np.ndarray:
    c = np.clip(rgb255 / 255.0, 0, 1)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _worst_contrast(backdrop, xy, s, f, anchor, ink) -> float:
    """WCAG contrast of `ink` against what lies under the glyphs' cores, the card composited
    over black and over white (whatever the shot shows lies between the two)."""
    x0, y0, x1, y1 = (int(math.floor(v)) for v in ImageDraw.Draw(Image.new("L", (1, 1)))
                      .textbbox(xy, s, font=f, anchor=anchor))
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(backdrop.shape[1], x1 + 1), min(backdrop.shape[0], y1 + 1)
    if x1 <= x0 or y1 <= y0:
        return 0.0                                     # outside the card: fail loudly
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    ImageDraw.Draw(mask).text((xy[0] - x0, xy[1] - y0), s, font=f, fill=255, anchor=anchor)
    core = np.asarray(mask) > 160
    if not core.any():
        return float("inf")
    under = backdrop[y0:y1, x0:x1][core]
    rgb, alpha = under[:, :3], under[:, 3:4] / 255.0
    lums = np.concatenate([_lum(rgb), _lum(rgb + 255.0 * (1 - alpha))])
    l_ink = float(_lum(np.array(ink, dtype=np.float64)))
    ratios = (np.maximum(lums, l_ink) + 0.05) / (np.minimum(lums, l_ink) + 0.05)
    return float(ratios.min())


def _side_unit(width: int, height: int) -> float:
    return layout(width, height).side_unit(SIDE_W, SIDE_H)


def side_card(name: str, width: int, height: int, kicker: str, title: str, source: str,
              draw, accent: str, accent_color, inks: dict | None = None, lang: str = "en"):
    """A right-hand data card: kicker (in the ``accent`` ink, beside a bar of
    ``accent_color``), title, a chart ``draw(canvas, top, bottom)`` fills, source line.
    Returns (premultiplied RGBA, (x, y)); ``lang`` picks the font and line breaking."""
    u = _side_unit(width, height)
    c = Canvas(SIDE_W, SIDE_H, u, inks, lang)
    c.panel()
    m = 4.5
    c.rect(0, 3.6, 0.7, 12.5, c.solid(accent_color))
    if kicker:
        c.text(m, 3.8, kicker.upper(), 2.2, ink=accent, weight="bold")
    y = c.para(m, 7.3, title, 3.9, SIDE_W - 2 * m, weight="bold", leading=1.2) if title \
        else 7.3
    # the source: up to two lines from the bottom, above it a hairline
    f_lines = wrap(source, c.font(2.15), (SIDE_W - 2 * m) * u, lang)
    sy = SIDE_H - 3.2 - 2.15 * 1.3 * len(f_lines)
    c.line(m, sy - 1.6, SIDE_W - m, sy - 1.6, c.dim(IVORY_LINE, 0.28), 0.12)
    c.para(m, sy, source, 2.15, SIDE_W - 2 * m, ink="muted", leading=1.3)
    draw(c, y + 2.2, sy - 3.4)
    return c.finish(name, width, height), layout(width, height).side_at(c.w, c.h)


def swatch(c, x, y, color, size=2.2):
    """A small rounded square: a legend's key."""
    c.rect(x, y, x + size, y + size, color, radius=size * 0.2)




def centred(img: np.ndarray, width: int, height: int, at: float = 0.42) -> tuple[int, int]:
    """Where a centred card goes: centred across, its middle at ``at`` of the height (of
    the safe area's height at 1:1 and 9:16)."""
    h, w = img.shape[:2]
    return layout(width, height).centred_at(w, h, at)


def stat_card(name: str, width: int, height: int, value: str, label: str, source: str,
              kicker: str = "", title: str = "", accent_color=(0x4F, 0xC3, 0xF7),
              inks: dict | None = None):
    """A general side card: one big value, the label that says what it counts, and its
    source, with an optional kicker and title above; no drawing code needed.

    ``value`` is drawn in the ``accent`` ink (``accent_color`` lifted toward white for text
    unless ``inks`` names an ``accent``), so a film picks the colour its logic gives the
    number (e.g. warm for disease figures)."""
    inks = {"accent": mix(accent_color, (255, 255, 255), 0.22), **(inks or {})}

    def draw(c, top, bottom):
        m = 4.5
        size = min(12.0, max(6.0, (bottom - top) * 0.45))
        c.text(m, top - 0.6, value, size, ink="accent", weight="bold")
        c.para(m, top + size * 1.12, label, 3.0, SIDE_W - 2 * m)

    return side_card(name, width, height, kicker, title, source, draw, "accent",
                     accent_color, inks)
