"""The film's data cards (science_brief.md §6): charts drawn with the engine's card toolkit
(``hepaanim.compose.cards``), each with its attribution.

Each card is ``card(width, height, lang="en") -> (premultiplied RGBA array, (x, y))``,
cached per (width, height, lang), placed from an act by its script-table line::

    act.line("aclf", image=cards.aclf)

Every word a card draws is a row of the film's script table (``script.csv``: the card's
parts ``aclf.title``, ``aclf.value`` … in each language), and so is each figure its chart
is drawn to: the bars, rings and pictograms are sized from the English row's figures
(``figure``), so a number is written once, where reviewers check it against its claim.
The card's own row (``aclf``) is its text alternative: what the subtitles say
(``ALT_TEXT``; keep the card up at least ``min_seconds(name)``).

Colour logic follows the brief (§5): Inflammation Ember for disease numbers, HepaStem
Teal and Resolution Blue for the therapy, Scar Ivory as the neutral, Lipid Gold for fat.
Every ink keeps at least 4.5:1 contrast against the panel wherever it is composited
(tests/test_cards.py).
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from hepaanim.compose.captions import PANEL
from hepaanim.script import film_data
from hepaanim.script.l10n import figures
from hepaanim.compose.cards import (BASE_INKS, SIDE_H, SIDE_W, TEXT_CONTRAST, Canvas, centred,
                                    mix, rgb255, side_card, swatch, wrap)

EMBER = rgb255("inflammation_ember")
TEAL = rgb255("therapy_teal")
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

FOLDER = Path(__file__).parent             # the film's data: script.csv and its ledger
READING_CPS = 15.0            # comfortable reading speed (characters per second)


def _line(line_id: str):
    script = film_data(FOLDER).script
    if line_id not in script:
        raise KeyError(f"{script.path}: no line {line_id!r} (a card draws every word from "
                       "the script table)")
    return script[line_id]


def words(card: str, lang: str = "en") -> dict[str, str]:
    """A card's parts in ``lang``, by part name (``{"title": …, "value": …}`` from the rows
    ``<card>.title``, ``<card>.value`` …).  A part without that language is an error naming
    its row: a card never mixes English into another language."""
    out = {}
    for ln in film_data(FOLDER).script:
        if ln.card == card and ln.id != card:
            if lang not in ln.text:
                raise ValueError(f"{ln.where()}: {ln.id} has no {lang!r} text")
            out[ln.id.split(".", 1)[1]] = ln.text[lang]
    return out


def figure(line_id: str, k: int = 0) -> float:
    """The k-th figure of a line's English text (``"30–40%"``: 30, then 40), what a chart
    is drawn to, so the drawing and the words show one number."""
    ln = _line(line_id)
    found = figures(ln.text["en"], "en")
    if len(found) <= k:
        raise ValueError(f"{ln.where()}: {line_id} shows {len(found)} figure(s), the card "
                         f"draws figure {k + 1}")
    return float(found[k])


def __getattr__(name):
    """``ALT_TEXT``: each card's text alternative (its own row's English text), read from
    the table when asked, so an edited table is what the subtitles say."""
    if name == "ALT_TEXT":
        return {card: _line(card).text["en"] for card in CARDS}
    raise AttributeError(name)


def min_seconds(name: str) -> float:
    """How long the card's alt text needs on screen at READING_CPS, in whole seconds."""
    return float(math.ceil(len(_line(name).text["en"]) / READING_CPS))




def _side(name, width, height, lang, draw, accent="ember"):
    w = words(name, lang)
    return side_card(name, width, height, w["kicker"], w["title"], w["source"], draw, accent,
                     EMBER if accent == "ember" else TEAL, INKS, lang)


# ----------------------------------------------------------------------------------------
# the cards
# ----------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def aclf(width: int, height: int, lang: str = "en"):
    """31 % of admissions: a ring, 20 % at admission + 11 % during the stay."""
    w = words("aclf", lang)
    p1, total = figure("aclf.part1_value") / 100, figure("aclf.value") / 100

    def draw(c, top, bottom):
        cy = (top + bottom) / 2
        r_out = min(14.5, (bottom - top) / 2)
        cx = 4.5 + r_out
        r_in = r_out * 0.66
        gap = 0.006
        c.circle(cx, cy, r_out, c.dim(IVORY, 0.22))
        c.pie(cx, cy, r_out, 0.0, p1, c.solid(EMBER))
        c.pie(cx, cy, r_out, p1 + gap, total, c.solid(EMBER_LIGHT))
        c.pie(cx, cy, r_out, p1, p1 + gap, (*PANEL, c.panel_a))
        c.circle(cx, cy, r_in, (*PANEL, c.panel_a))
        c.text(cx, cy + 0.6, w["value"], r_in * 0.62, ink="text", weight="bold", anchor="ms")
        c.text(cx, cy + 1.6, w["value_label"], 2.4, ink="muted", anchor="mt")
        x = cx + r_out + 5.0
        rows = [(c.solid(EMBER), w["part1_value"], "ember", w["part1"]),
                (c.solid(EMBER_LIGHT), w["part2_value"], "ember_light", w["part2"]),
                (c.dim(IVORY, 0.22), w["rest_value"], "muted", w["rest"])]
        label_w = SIDE_W - 4.5 - x - 4.0
        heights = [5.0 + 2.5 * 1.25 * len(wrap(lb, c.font(2.5), label_w * c.u, c.lang))
                   for *_, lb in rows]
        gap = 2.2
        y = cy - (sum(heights) + gap * 2) / 2
        for (sw, num, ink, label), hgt in zip(rows, heights):
            swatch(c, x, y + 0.9, sw, 2.6)
            c.text(x + 4.0, y, num, 3.8, ink=ink, weight="bold")
            c.para(x + 4.0, y + 4.8, label, 2.5, label_w, leading=1.25)
            y += hgt + gap

    return _side("aclf", width, height, lang, draw)


@lru_cache(maxsize=16)
def aclf_patients(width: int, height: int, lang: str = "en"):
    """> 70,000 a year: a big number, a pictogram row and three regional markers."""
    w = words("aclf_patients", lang)
    people = round(figure("aclf_patients.value") / figure("aclf_patients.legend"))

    def draw(c, top, bottom):
        m = 4.5
        c.text(m, top - 0.6, w["value"], 10.5, ink="ember", weight="bold")
        c.text(m, top + 11.4, w["value_label"], 2.9)
        # pictogram row: one figure a 10,000 (7) and a "more" arrow
        py, ph = top + 17.0, 6.2
        step = 6.0
        for k in range(people):
            c.person(m + 2.0 + k * step, py, ph, c.solid(EMBER))
        ax = m + 2.0 + people * step - 1.6
        c.text(ax, py + ph * 0.62, "+", 4.0, ink="ember", weight="bold", anchor="lm")
        c.person(m + 50.5, py + 1.2, 3.6, c.dim(EMBER, 0.85))
        c.text(m + 53.2, py + 3.3, w["legend"], 2.3, ink="muted", anchor="lm")
        # regions
        y = py + ph + 3.6
        x = m
        for name in (w["region1"], w["region2"], w["region3"]):
            tag = c.length(name, 2.5) + 6.0
            c.rect(x, y, x + tag, y + 5.0, c.dim(IVORY, 0.14), radius=2.5,
                   outline=c.dim(IVORY, 0.55), width=0.16)
            c.circle(x + 2.5, y + 2.5, 0.9, c.solid(EMBER))
            c.text(x + 4.4, y + 2.5, name, 2.5, anchor="lm")
            x += tag + 1.8
        # the caveat, impossible to miss
        y += 7.6
        c.rect(m, y, SIDE_W - m, y + 5.4, c.dim(GOLD, 0.16), radius=1.0,
               outline=c.solid(GOLD), width=0.16)
        c.circle(m + 2.8, y + 2.7, 1.6, c.solid(GOLD))
        c.text(m + 2.8, y + 2.75, "!", 2.6, ink="dark", weight="bold", anchor="mm")
        c.text(m + 5.6, y + 2.7, w["caveat"], 2.4, ink="gold", anchor="lm")

    return _side("aclf_patients", width, height, lang, draw)


@lru_cache(maxsize=16)
def nafld(width: int, height: int, lang: str = "en"):
    """30–40 of 100 US adults highlighted in a pictogram grid; elsewhere 6–35 %."""
    w = words("nafld", lang)
    us_lo, us_hi = figure("nafld.value"), figure("nafld.value", 1)
    el_lo, el_hi = figure("nafld.elsewhere"), figure("nafld.elsewhere", 1)
    median, axis = figure("nafld.median"), figure("nafld.axis_max")

    def draw(c, top, bottom):
        m = 4.5
        size = min(33.0, bottom - top)
        cell = size / 10
        for i in range(100):
            row, col = divmod(i, 10)
            color = (c.solid(EMBER) if i < us_lo else c.solid(EMBER_LIGHT) if i < us_hi
                     else c.dim(IVORY, 0.24))
            c.person(m + col * cell + cell / 2, top + row * cell + cell * 0.08, cell * 0.78,
                     color)
        x = m + size + 4.0
        wcol = SIDE_W - m - x
        c.text(x, top - 0.6, w["value"], 7.4, ink="ember", weight="bold")
        c.text(x, top + 7.8, w["value_label"], 2.7)
        y = top + 13.2
        swatch(c, x, y + 0.2, c.solid(EMBER), 2.2)
        c.text(x + 3.4, y, w["legend_low"], 2.4)
        swatch(c, x, y + 3.6, c.solid(EMBER_LIGHT), 2.2)
        c.text(x + 3.4, y + 3.4, w["legend_high"], 2.4)
        # elsewhere: a range on a 0–50 % axis, the US range above it for comparison
        y = top + size - 12.2
        c.text(x, y, w["elsewhere"], 2.4, weight="bold")
        c.text(x, y + 3.0, w["median"], 2.2, ink="muted")
        ay = top + size - 2.2

        def xs(p):
            return x + wcol * p / axis

        c.rect(x, ay - 0.5, x + wcol, ay + 0.5, c.dim(IVORY, 0.28), radius=0.5)
        c.rect(xs(us_lo), ay - 2.6, xs(us_hi), ay - 1.2, c.solid(EMBER), radius=0.7)
        c.rect(xs(el_lo), ay - 0.8, xs(el_hi), ay + 0.8, c.solid(IVORY), radius=0.8)
        c.rect(xs(median) - 0.25, ay - 1.6, xs(median) + 0.25, ay + 1.6, c.solid(PANEL))
        c.text(x, ay + 1.5, w["axis_min"], 2.0, ink="muted")
        c.text(x + wcol, ay + 1.5, w["axis_max"], 2.0, ink="muted", anchor="ra")
        c.text(xs(us_hi) + 1.0, ay - 1.9, w["axis_us"], 2.0, ink="ember", anchor="lm")

    return _side("nafld", width, height, lang, draw)


@lru_cache(maxsize=16)
def nash_share(width: int, height: int, lang: str = "en"):
    """Three populations, three bars: NASH within NAFLD, within everyone, in one cohort."""
    w = words("nash_share", lang)

    def share(k):
        """(lo, hi) % of row k's value ("15–20% have NASH"; one figure: lo = hi)."""
        found = figures(_line(f"nash_share.row{k}_value").text["en"], "en")
        return float(found[0]), float(found[1] if len(found) > 1 else found[0])

    def draw(c, top, bottom):
        m = 4.5
        wbar = SIDE_W - 2 * m
        rows = [(w["row1"], w["row1_value"], *share(1), None),
                (w["row2"], w["row2_value"], *share(2), None),
                (w["row3"], w["row3_value"], *share(3), figure("nash_share.row3"))]
        step = (bottom - top) / 3

        def xs(p):
            return m + wbar * p / 100

        for k, (pop, val, lo, hi, nafld_) in enumerate(rows):
            y = top + k * step
            c.text(m, y, pop, 2.6)
            c.text(SIDE_W - m, y - 0.4, val, 3.0, ink="ember", weight="bold", anchor="ra")
            by = y + 4.4
            c.rect(m, by, m + wbar, by + 3.0, c.dim(IVORY, 0.20), radius=0.6)
            if nafld_:
                c.rect(m, by, xs(nafld_), by + 3.0, c.dim(EMBER, 0.38), radius=0.6)
                c.text(xs(nafld_) - 0.8, by + 1.5, w["row3_bar"], 2.0, ink="text", anchor="rm")
            if hi > lo:
                c.rect(m, by, xs(hi), by + 3.0, c.solid(EMBER_LIGHT), radius=0.6)
            c.rect(m, by, xs(lo), by + 3.0, c.solid(EMBER), radius=0.6)
            if k == 0:
                c.text(SIDE_W - m - 0.9, by + 1.5, w["row1_scale"], 2.0, ink="text",
                       anchor="rm")
            if k == 1:
                c.text(SIDE_W - m - 0.9, by + 1.5, w["row2_scale"], 2.0, ink="text",
                       anchor="rm")

    return _side("nash_share", width, height, lang, draw)


@lru_cache(maxsize=16)
def nas(width: int, height: int, lang: str = "en"):
    """Three scored features as blocks that add up to the 0–8 NAS."""
    w = words("nas", lang)
    top_score = [round(figure(f"nas.part{k}_range", 1)) for k in (1, 2, 3)]

    def draw(c, top, bottom):
        m = 4.5
        parts = [(w["part1"], w["part1_range"], top_score[0], GOLD, "gold"),
                 (w["part2"], w["part2_range"], top_score[1], EMBER, "ember"),
                 (w["part3"], w["part3_range"], top_score[2], ROSE, "rose")]
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
        c.text(m, sy - 4.4, w["sum"], 3.2, weight="bold")
        c.text(m + c.length(w["sum"], 3.2, "bold") + 1.5, sy - 4.0, w["sum_label"],
               2.5, ink="muted")
        cols = [GOLD] * top_score[0] + [EMBER] * top_score[1] + [ROSE] * top_score[2]
        cw = (SIDE_W - 2 * m - (len(cols) - 1) * 0.4) / len(cols)
        for j, col in enumerate(cols):
            bx = m + j * (cw + 0.4)
            c.rect(bx, sy, bx + cw, sy + 3.0, c.solid(col))
        c.text(m, sy + 3.6, w["axis_min"], 2.0, ink="muted")
        c.text(SIDE_W - m, sy + 3.6, w["axis_max"], 2.0, ink="muted", anchor="ra")

    return _side("nas", width, height, lang, draw)


@lru_cache(maxsize=16)
def end_card(width: int, height: int, lang: str = "en"):
    """Centred: investigational, efficacy not established, the trials so far, sponsor."""
    w = words("end_card", lang)
    u = min(height / 100.0, width * 0.86 / END_W)
    c = Canvas(END_W, END_H, u, INKS, lang)
    c.panel(radius=2.0)
    m = 6.0
    c.rect(0, 5.0, 0.8, 15.0, c.solid(TEAL))
    c.text(m, 5.0, w["kicker"], 2.4, ink="teal", weight="bold")
    c.text(m, 8.4, w["title"], 6.2, weight="bold")
    y = c.para(m, 17.6, w["status"], 3.3, END_W - 2 * m, ink="text")
    # the clinical record as a three-step strip: dots on a line, names and details below
    y += 3.0
    trials = [(w["trial1"], w["trial1_detail"], BLUE, "blue"),
              (w["trial2"], w["trial2_detail"], BLUE, "blue"),
              (w["trial3"], w["trial3_detail"], IVORY, "ivory")]
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
    c.text(m, sy, w["sponsor"], 2.8, weight="bold")
    c.text(m, sy + 4.0, w["source"], 2.15, ink="muted")
    img = c.finish("end_card", width, height)
    return img, centred(img, width, height)


CARDS = {"aclf": aclf, "aclf_patients": aclf_patients, "nafld": nafld,
         "nash_share": nash_share, "nas": nas, "end_card": end_card}
__all__ = list(CARDS) + ["CARDS", "ALT_TEXT", "INKS", "min_seconds"]
