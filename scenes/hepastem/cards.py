"""The film's data cards (science_brief.md §6): charts drawn with the engine's card toolkit
(``hepaanim.compose.cards``), each with its attribution.

Each card is ``card(width, height) -> (premultiplied RGBA array, (x, y))``, cached per frame
size, used from an act as::

    act.caption(cards.ALT_TEXT["aclf"], over=(a, b), style="card", image=cards.aclf)

The caption text is the card's text alternative: it is what the subtitles say, so use
``ALT_TEXT`` (and keep the card up at least ``min_seconds(name)``).

Colour logic follows the brief (§5): Inflammation Ember for disease numbers, HepaStem
Teal and Resolution Blue for the therapy, Scar Ivory as the neutral, Lipid Gold for fat.
Every ink keeps at least 4.5:1 contrast against the panel wherever it is composited
(tests/test_cards.py).
"""
from __future__ import annotations

import math
from functools import lru_cache

from hepaanim.compose.captions import PANEL
from hepaanim.compose.cards import (BASE_INKS, SIDE_H, SIDE_W, TEXT_CONTRAST, Canvas, centred,
                                    mix, rgb255, side_card, swatch, wrap)

EMBER = rgb255("inflammation_ember")
TEAL = rgb255("hepastem_teal")
BLUE = rgb255("resolution_blue")
IVORY = rgb255("scar_ivory")
GOLD = rgb255("lipid_gold")
ROSE = rgb255("hepatocyte_rose")
EMBER_LIGHT = mix(EMBER, IVORY, 0.45)      # the second part of a range / of a sum

# Every colour text is drawn in (the contrast test checks each against the panel).
INKS = {
    **BASE_INKS,                              # text #F4F7FB, muted, dark (on solid fills)
    "ember": mix(EMBER, (255, 255, 255), 0.22),    # disease numbers (ember, lifted for text)
    "ember_light": EMBER_LIGHT,
    "teal": mix(TEAL, (255, 255, 255), 0.15),      # therapy
    "blue": BLUE,
    "ivory": IVORY,
    "gold": GOLD,
    "rose": ROSE,
}
DARK_INK_FILLS = (GOLD, EMBER, ROSE)          # what "dark" text is drawn on
END_W, END_H = 108.0, 61.0

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




def _side(name, width, height, kicker, title, source, draw, accent="ember"):
    return side_card(name, width, height, kicker, title, source, draw, accent,
                     EMBER if accent == "ember" else TEAL, INKS)


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
            swatch(c, x, y + 0.9, sw, 2.6)
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
        swatch(c, x, y + 0.2, c.solid(EMBER), 2.2)
        c.text(x + 3.4, y, "30 in 100", 2.4)
        swatch(c, x, y + 3.6, c.solid(EMBER_LIGHT), 2.2)
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
    c = Canvas(END_W, END_H, u, INKS)
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
    return img, centred(img, width, height)


CARDS = {"aclf": aclf, "aclf_patients": aclf_patients, "nafld": nafld,
         "nash_share": nash_share, "nas": nas, "end_card": end_card}
__all__ = list(CARDS) + ["CARDS", "ALT_TEXT", "INKS", "min_seconds"]
