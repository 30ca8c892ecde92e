"""Data cards drawn as charts (Pillow), each with its attribution (science_brief.md §6).

Each card is a function ``card(width, height) -> (premultiplied RGBA array, (x, y))``,
cached per frame size, used from an act as::

    act.caption(cards.ALT_TEXT["aclf"], over=(a, b), style="card", image=cards.aclf)

The caption text is the card's text alternative: it is what the subtitles say, so use
``ALT_TEXT`` (and keep the card up at least ``min_seconds(name)``).

Layout: the data cards sit in the right ~45 % of the frame, between 7 % and 71 % of its
height, so the 3D action stays visible on the left and a lower-third caption fits below;
``end_card`` is centred (a little above the middle, for the same reason).  Every size is a
multiple of one unit that follows the frame height, so a card reads the same at 480p and
2160p.  Shapes are drawn supersampled and scaled down (smooth edges); text is drawn at
the output size (crisp glyphs).  Text colours are the ``INKS``; each keeps at least 4.5:1
contrast against the panel wherever it is composited (over black or over white), and
``TEXT_CONTRAST[(card, width, height)]`` records, for every string drawn, its worst
contrast against the colours actually under its glyphs (what tests/test_cards.py checks).

Colour logic follows the brief (§5): Inflammation Ember for disease numbers, HepaStem
Teal and Resolution Blue for the therapy, Scar Ivory as the neutral, Lipid Gold for fat.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from ..scene.color import PALETTE
from .captions import PANEL, TEXT, wrap
from .fonts import font


def _hex(name: str) -> tuple[int, int, int]:
    s = PALETTE.get(name, name)
    return tuple(int(s[k:k + 2], 16) for k in (1, 3, 5))


def _mix(a, b, k: float) -> tuple[int, int, int]:
    """a → b by k (sRGB, 0 = a)."""
    return tuple(int(round(x + (y - x) * k)) for x, y in zip(a, b))


PANEL_OPACITY = 0.90          # the card panel: Deep Navy at 90 %
EMBER = _hex("inflammation_ember")
TEAL = _hex("hepastem_teal")
BLUE = _hex("resolution_blue")
IVORY = _hex("scar_ivory")
GOLD = _hex("lipid_gold")
ROSE = _hex("hepatocyte_rose")
EMBER_LIGHT = _mix(EMBER, IVORY, 0.45)      # the second part of a range / of a sum

# Every colour text is drawn in (the contrast test checks each against the panel).
INKS = {
    "text": TEXT,                             # #F4F7FB
    "muted": (0xB4, 0xC1, 0xD2),              # sources, axis labels
    "ember": _mix(EMBER, (255, 255, 255), 0.22),   # disease numbers (ember, lifted for text)
    "ember_light": EMBER_LIGHT,
    "teal": _mix(TEAL, (255, 255, 255), 0.15),     # therapy
    "blue": BLUE,
    "ivory": IVORY,
    "gold": GOLD,
    "rose": ROSE,
    "dark": PANEL,                            # only on the solid accent fills below
}
DARK_INK_FILLS = (GOLD, EMBER, ROSE)          # what "dark" text is drawn on

# Text alternatives: one sentence per card, passed as the card's caption text (subtitles).
ALT_TEXT = {
    "aclf": "ACLF develops in 31% of patients admitted with acute decompensation: "
            "20% on admission, 11% in hospital.",
    "aclf_patients": "Over 70,000 patients a year in Europe, the US and Japan have ACLF "
                     "(company estimate).",
    "nafld": "NAFLD affects 30–40% of US adults, and 6–35% of adults elsewhere.",
    "nash_share": "15–20% of people with NAFLD have NASH; about 3–5% of all people do.",
    "nas": "The NAS score adds steatosis (0–3), inflammation (0–3) and ballooning (0–2): "
           "0 to 8.",
    "end_card": "HepaStem is investigational; its efficacy is not established. "
                "Sponsor: Cellaion SA.",
}
READING_CPS = 15.0            # comfortable reading speed (characters per second)


def min_seconds(name: str) -> float:
    """How long the card's alt text needs on screen at READING_CPS, in whole seconds."""
    return float(math.ceil(len(ALT_TEXT[name]) / READING_CPS))


# ----------------------------------------------------------------------------------------
# drawing: a canvas in card units (u), shapes supersampled, text at output resolution
# ----------------------------------------------------------------------------------------
SIDE_W, SIDE_H = 76.0, 64.0   # side card size in units (unit = frame height / 100 at 16:9)
END_W, END_H = 108.0, 61.0


class _Canvas:
    def __init__(self, w_units: float, h_units: float, unit: float):
        self.u = unit
        self.wu, self.hu = w_units, h_units
        self.w, self.h = round(w_units * unit), round(h_units * unit)
        self.ss = 3 if self.h < 600 else 2
        self.img = Image.new("RGBA", (self.w * self.ss, self.h * self.ss), (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)
        self.texts = []
        self.panel_a = round(255 * PANEL_OPACITY)

    # colours -----------------------------------------------------------------------
    def dim(self, color, k: float):
        """`color` at strength k over the panel (as opaque as the panel)."""
        return (*_mix(PANEL, color, k), self.panel_a)

    def solid(self, color):
        return (*color, 255)

    # shapes (coordinates in units) -------------------------------------------------
    def _p(self, *v):
        return [v_ * self.u * self.ss for v_ in v]

    def panel(self, radius: float = 1.6):
        box = (0, 0, self.w * self.ss - 1, self.h * self.ss - 1)
        self.d.rounded_rectangle(box, radius=radius * self.u * self.ss, fill=(*PANEL, self.panel_a), outline=self.dim(IVORY, 0.16),
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
        return font(max(9, round(size * self.u)), weight)

    def text(self, x, y, s, size, ink="text", weight="regular", anchor="la"):
        self.texts.append((x * self.u, y * self.u, s, self.font(size, weight), ink, anchor))

    def length(self, s, size, weight="regular") -> float:
        """Width of `s` in units."""
        return self.font(size, weight).getlength(s) / self.u

    def para(self, x, y, s, size, max_w, ink="text", weight="regular", leading=1.28) -> float:
        """Wrapped text from the top-left; returns the y (units) below the last line."""
        f = self.font(size, weight)
        for line in wrap(s, f, max_w * self.u):
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
            d.text((x, y), s, font=f, fill=(*INKS[ink], 255), anchor=anchor)
            report.append((s, ink, _worst_contrast(backdrop, (x, y), s, f, anchor, INKS[ink])))
        TEXT_CONTRAST[(name, width, height)] = report
        a = np.asarray(img, dtype=np.float32)
        a[..., :3] *= a[..., 3:4] / 255.0
        return np.round(a).astype(np.uint8)


# (card, width, height) -> [(text, ink name, worst contrast ratio)], filled as cards draw
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
    return min(height / 100.0, width * 0.45 / SIDE_W)


def _side(name: str, width: int, height: int, kicker: str, title: str, source: str, draw,
          accent="ember"):
    """A right-hand data card: kicker, title, chart (draw(c, top, bottom)), source line."""
    u = _side_unit(width, height)
    c = _Canvas(SIDE_W, SIDE_H, u)
    c.panel()
    m = 4.5
    c.rect(0, 3.6, 0.7, 12.5, c.solid(EMBER if accent == "ember" else TEAL))
    c.text(m, 3.8, kicker.upper(), 2.2, ink=accent, weight="bold")
    y = c.para(m, 7.3, title, 3.9, SIDE_W - 2 * m, weight="bold", leading=1.2)
    # the source: up to two lines from the bottom, above it a hairline
    f_lines = wrap(source, c.font(2.15), (SIDE_W - 2 * m) * u)
    sy = SIDE_H - 3.2 - 2.15 * 1.3 * len(f_lines)
    c.line(m, sy - 1.6, SIDE_W - m, sy - 1.6, c.dim(IVORY, 0.28), 0.12)
    c.para(m, sy, source, 2.15, SIDE_W - 2 * m, ink="muted", leading=1.3)
    draw(c, y + 2.2, sy - 3.4)
    x = width - c.w - round(0.035 * width)
    return c.finish(name, width, height), (x, round(0.07 * height))


def _swatch(c, x, y, color, size=2.2):
    c.rect(x, y, x + size, y + size, color, radius=size * 0.2)


# ----------------------------------------------------------------------------------------
# the cards
# ----------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def aclf(width: int, height: int):
    """31 % of admissions: a ring, 20 % at admission + 11 % during the stay."""
    def draw(c, top, bottom):
        cy = (top + bottom) / 2
        r_out = min(14.5, (bottom - top) / 2)
        cx = 4.5 + r_out
        r_in = r_out * 0.66
        gap = 0.006
        c.circle(cx, cy, r_out, c.dim(IVORY, 0.22))
        c.pie(cx, cy, r_out, 0.0, 0.20, c.solid(EMBER))
        c.pie(cx, cy, r_out, 0.20 + gap, 0.31, c.solid(EMBER_LIGHT))
        c.pie(cx, cy, r_out, 0.20, 0.20 + gap, (*PANEL, c.panel_a))
        c.circle(cx, cy, r_in, (*PANEL, c.panel_a))
        c.text(cx, cy + 0.6, "31%", r_in * 0.62, ink="text", weight="bold", anchor="ms")
        c.text(cx, cy + 1.6, "had ACLF", 2.4, ink="muted", anchor="mt")
        x = cx + r_out + 5.0
        rows = [(c.solid(EMBER), "20%", "ember", "already at admission"),
                (c.solid(EMBER_LIGHT), "11%", "ember_light", "developed it during the "
                 "hospital stay"),
                (c.dim(IVORY, 0.22), "69%", "muted", "did not develop ACLF")]
        label_w = SIDE_W - 4.5 - x - 4.0
        heights = [5.0 + 2.5 * 1.25 * len(wrap(lb, c.font(2.5), label_w * c.u))
                   for *_, lb in rows]
        gap = 2.2
        y = cy - (sum(heights) + gap * 2) / 2
        for (sw, num, ink, label), hgt in zip(rows, heights):
            _swatch(c, x, y + 0.9, sw, 2.6)
            c.text(x + 4.0, y, num, 3.8, ink=ink, weight="bold")
            c.para(x + 4.0, y + 4.8, label, 2.5, label_w, leading=1.25)
            y += hgt + gap

    return _side("aclf", width, height, "Acute-on-chronic liver failure",
                 "ACLF in patients admitted with acute decompensation",
                 "Seed text; probably CANONIC, Moreau et al., Gastroenterology 2013",
                 draw)


@lru_cache(maxsize=16)
def aclf_patients(width: int, height: int):
    """> 70,000 a year: a big number, a pictogram row and three regional markers."""
    def draw(c, top, bottom):
        m = 4.5
        c.text(m, top - 0.6, "> 70,000", 10.5, ink="ember", weight="bold")
        c.text(m, top + 11.4, "patients with ACLF each year", 2.9)
        # pictogram row: 7 figures of 10,000 and a "more" arrow
        py, ph = top + 17.0, 6.2
        step = 6.0
        for k in range(7):
            c.person(m + 2.0 + k * step, py, ph, c.solid(EMBER))
        ax = m + 2.0 + 7 * step - 1.6
        c.text(ax, py + ph * 0.62, "+", 4.0, ink="ember", weight="bold", anchor="lm")
        c.person(m + 50.5, py + 1.2, 3.6, c.dim(EMBER, 0.85))
        c.text(m + 53.2, py + 3.3, "= 10,000", 2.3, ink="muted", anchor="lm")
        # regions
        y = py + ph + 3.6
        x = m
        for name in ("Europe", "United States", "Japan"):
            w = c.length(name, 2.5) + 6.0
            c.rect(x, y, x + w, y + 5.0, c.dim(IVORY, 0.14), radius=2.5,
                   outline=c.dim(IVORY, 0.55), width=0.16)
            c.circle(x + 2.5, y + 2.5, 0.9, c.solid(EMBER))
            c.text(x + 4.4, y + 2.5, name, 2.5, anchor="lm")
            x += w + 1.8
        # the caveat, impossible to miss
        y += 7.6
        c.rect(m, y, SIDE_W - m, y + 5.4, c.dim(GOLD, 0.16), radius=1.0,
               outline=c.solid(GOLD), width=0.16)
        c.circle(m + 2.8, y + 2.7, 1.6, c.solid(GOLD))
        c.text(m + 2.8, y + 2.75, "!", 2.6, ink="dark", weight="bold", anchor="mm")
        c.text(m + 5.6, y + 2.7, "Company estimate: no primary source traced", 2.4,
               ink="gold", anchor="lm")

    return _side("aclf_patients", width, height, "Acute-on-chronic liver failure",
                 "ACLF in Europe, the US and Japan",
                 "Seed text; company estimate (Promethera), no primary source traced",
                 draw)


@lru_cache(maxsize=16)
def nafld(width: int, height: int):
    """30–40 of 100 US adults highlighted in a pictogram grid; elsewhere 6–35 %."""
    def draw(c, top, bottom):
        m = 4.5
        size = min(33.0, bottom - top)
        cell = size / 10
        for i in range(100):
            row, col = divmod(i, 10)
            color = (c.solid(EMBER) if i < 30 else c.solid(EMBER_LIGHT) if i < 40
                     else c.dim(IVORY, 0.24))
            c.person(m + col * cell + cell / 2, top + row * cell + cell * 0.08, cell * 0.78,
                     color)
        x = m + size + 4.0
        wcol = SIDE_W - m - x
        c.text(x, top - 0.6, "30–40%", 7.4, ink="ember", weight="bold")
        c.text(x, top + 7.8, "of adults in the US", 2.7)
        y = top + 13.2
        _swatch(c, x, y + 0.2, c.solid(EMBER), 2.2)
        c.text(x + 3.4, y, "30 in 100", 2.4)
        _swatch(c, x, y + 3.6, c.solid(EMBER_LIGHT), 2.2)
        c.text(x + 3.4, y + 3.4, "up to 40 in 100", 2.4)
        # elsewhere: a range on a 0–50 % axis, the US range above it for comparison
        y = top + size - 12.2
        c.text(x, y, "Elsewhere: 6–35%", 2.4, weight="bold")
        c.text(x, y + 3.0, "median about 20%", 2.2, ink="muted")
        ay = top + size - 2.2

        def xs(p):
            return x + wcol * p / 50

        c.rect(x, ay - 0.5, x + wcol, ay + 0.5, c.dim(IVORY, 0.28), radius=0.5)
        c.rect(xs(30), ay - 2.6, xs(40), ay - 1.2, c.solid(EMBER), radius=0.7)
        c.rect(xs(6), ay - 0.8, xs(35), ay + 0.8, c.solid(IVORY), radius=0.8)
        c.rect(xs(20) - 0.25, ay - 1.6, xs(20) + 0.25, ay + 1.6, c.solid(PANEL))
        c.text(x, ay + 1.5, "0", 2.0, ink="muted")
        c.text(x + wcol, ay + 1.5, "50%", 2.0, ink="muted", anchor="ra")
        c.text(xs(40) + 1.0, ay - 1.9, "US", 2.0, ink="ember", anchor="lm")

    return _side("nafld", width, height, "Non-alcoholic fatty liver disease (now MASLD)",
                 "NAFLD is common",
                 "US: seed text; probably AASLD guidance (Chalasani et al.). "
                 "Elsewhere: seed text", draw)


@lru_cache(maxsize=16)
def nash_share(width: int, height: int):
    """Three populations, three bars: NASH within NAFLD, within everyone, in one cohort."""
    def draw(c, top, bottom):
        m = 4.5
        wbar = SIDE_W - 2 * m
        rows = [("Of people with NAFLD", "15–20%", 15, 20, None),
                ("Of all people", "3–5%", 3, 5, None),
                ("One US cohort (NAFLD 46%)", "12%", 12, 12, 46)]
        step = (bottom - top) / 3

        def xs(p):
            return m + wbar * p / 100

        for k, (pop, val, lo, hi, nafld_) in enumerate(rows):
            y = top + k * step
            c.text(m, y, pop, 2.6)
            c.text(SIDE_W - m, y - 0.4, f"{val} have NASH", 3.0, ink="ember", weight="bold",
                   anchor="ra")
            by = y + 4.4
            c.rect(m, by, m + wbar, by + 3.0, c.dim(IVORY, 0.20), radius=0.6)
            if nafld_:
                c.rect(m, by, xs(nafld_), by + 3.0, c.dim(EMBER, 0.38), radius=0.6)
                c.text(xs(nafld_) - 0.8, by + 1.5, "NAFLD", 2.0, ink="text", anchor="rm")
            if hi > lo:
                c.rect(m, by, xs(hi), by + 3.0, c.solid(EMBER_LIGHT), radius=0.6)
            c.rect(m, by, xs(lo), by + 3.0, c.solid(EMBER), radius=0.6)
            if k == 0:
                c.text(SIDE_W - m - 0.9, by + 1.5, "all NAFLD = 100%", 2.0, ink="text",
                       anchor="rm")
            if k == 1:
                c.text(SIDE_W - m - 0.9, by + 1.5, "everyone = 100%", 2.0, ink="text",
                       anchor="rm")

    return _side("nash_share", width, height, "Non-alcoholic steatohepatitis (now MASH)",
                 "How common is NASH? It depends on who is counted",
                 "Rows 1–2: seed text. Row 3: seed text; probably Williams et al., "
                 "Gastroenterology 2011", draw)


@lru_cache(maxsize=16)
def nas(width: int, height: int):
    """Three scored features as blocks that add up to the 0–8 NAS."""
    def draw(c, top, bottom):
        m = 4.5
        parts = [("Steatosis", "0–3", 3, GOLD, "gold"),
                 ("Lobular inflammation", "0–3", 3, EMBER, "ember"),
                 ("Ballooning", "0–2", 2, ROSE, "rose")]
        plus = 5.0
        avail = SIDE_W - 2 * m - 2 * plus
        gap = 0.8
        bw = (avail - 5 * gap) / 8
        bh = bw * 1.25
        y = top + 1.0
        x = m
        label_y = y + bh + 2.0
        low = label_y
        for k, (name, rng, n, col, ink) in enumerate(parts):
            gw = n * bw + (n - 1) * gap
            for j in range(n):
                bx = x + j * (bw + gap)
                c.rect(bx, y, bx + bw, y + bh, c.solid(col), radius=0.7)
                c.text(bx + bw / 2, y + bh / 2, str(j + 1), 2.6, ink="dark", weight="bold",
                       anchor="mm")
            ly = c.para(x, label_y, name, 2.5, gw + 1.0, leading=1.2)
            c.text(x, ly + 0.2, rng, 2.9, ink=ink, weight="bold")
            low = max(low, ly + 3.6)
            x += gw
            if k < 2:
                c.text(x + plus / 2, y + bh / 2, "+", 4.2, ink="muted", weight="bold",
                       anchor="mm")
                x += plus
        # the sum: one bar of 8 cells
        sy = min(bottom - 3.0, low + (bottom - low) / 2 + 2.0)
        c.text(m, sy - 4.4, "= NAS", 3.2, weight="bold")
        c.text(m + c.length("= NAS", 3.2, "bold") + 1.5, sy - 4.0, "0–8, unweighted sum",
               2.5, ink="muted")
        cw = (SIDE_W - 2 * m - 7 * 0.4) / 8
        cols = [GOLD] * 3 + [EMBER] * 3 + [ROSE] * 2
        for j, col in enumerate(cols):
            bx = m + j * (cw + 0.4)
            c.rect(bx, sy, bx + cw, sy + 3.0, c.solid(col))
        c.text(m, sy + 3.6, "0", 2.0, ink="muted")
        c.text(SIDE_W - m, sy + 3.6, "8", 2.0, ink="muted", anchor="ra")

    return _side("nas", width, height, "Scoring NASH on a liver biopsy",
                 "NAFLD Activity Score (NAS)",
                 "Seed text; probably Kleiner et al., Hepatology 2005", draw)


@lru_cache(maxsize=16)
def end_card(width: int, height: int):
    """Centred: investigational, efficacy not established, the trials so far, sponsor."""
    u = min(height / 100.0, width * 0.86 / END_W)
    c = _Canvas(END_W, END_H, u)
    c.panel(radius=2.0)
    m = 6.0
    c.rect(0, 5.0, 0.8, 15.0, c.solid(TEAL))
    c.text(m, 5.0, "WHERE THE EVIDENCE STANDS", 2.4, ink="teal", weight="bold")
    c.text(m, 8.4, "HepaStem is investigational", 6.2, weight="bold")
    y = c.para(m, 17.6, "Its efficacy has not been established; it remains under clinical "
               "study.", 3.3, END_W - 2 * m, ink="text")
    # the clinical record as a three-step strip: dots on a line, names and details below
    y += 3.0
    trials = [("Phase II, open-label", "24 patients with ACLF or acute decompensation; "
               "safety endpoint", BLUE, "blue"),
              ("PANASH (NASH)", "23 patients; safety study, completed 2020", BLUE, "blue"),
              ("DHELIVER (ACLF)", "Placebo-controlled; terminated", IVORY, "ivory")]
    gap = 3.0
    col_w = (END_W - 2 * m - 2 * gap) / 3
    c.line(m + 1.0, y + 1.0, m + 2 * (col_w + gap) + 1.0, y + 1.0, c.dim(IVORY, 0.4), 0.22)
    for k, (name, what, col, ink) in enumerate(trials):
        x = m + k * (col_w + gap)
        c.circle(x + 1.0, y + 1.0, 1.0, c.solid(col))
        c.text(x, y + 3.4, name, 2.6, ink=ink, weight="bold")
        c.para(x, y + 7.0, what, 2.4, col_w, ink="text")
    # sponsor and sources
    sy = END_H - 9.6
    c.line(m, sy - 1.8, END_W - m, sy - 1.8, c.dim(IVORY, 0.28), 0.14)
    c.text(m, sy, "Sponsor: Cellaion SA (formerly Promethera)", 2.8, weight="bold")
    c.text(m, sy + 4.0, "Sources: Nevens et al., JHEP Rep 2021; ClinicalTrials.gov "
           "NCT03963921, NCT04229901", 2.15, ink="muted")
    img = c.finish("end_card", width, height)
    h, w = img.shape[:2]
    return img, ((width - w) // 2, max(0, round(0.42 * height - h / 2)))


CARDS = {"aclf": aclf, "aclf_patients": aclf_patients, "nafld": nafld,
         "nash_share": nash_share, "nas": nas, "end_card": end_card}
__all__ = list(CARDS) + ["CARDS", "ALT_TEXT", "INKS", "PANEL_OPACITY", "TEXT_CONTRAST",
                         "min_seconds"]
