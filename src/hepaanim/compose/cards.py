"""Data cards drawn as charts (Pillow), with their attribution.

Each card is a function ``card(width, height) -> (premultiplied RGBA array, (x, y))``,
cached per frame size, used from an act as
``act.caption(alt_text, over=(a, b), style="card", image=cards.aclf)``; the alt text is
what the subtitles say.  (Placeholder panels until the charts land.)
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from .captions import ACCENT, PANEL, PANEL_ALPHA, TEXT, _premultiply, wrap
from .fonts import font


def _panel(title: str, lines: list[str], source: str, width: int, height: int):
    w, h = int(width * 0.42), int(height * 0.5)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 30, fill=(*PANEL, round(255 * 0.86)))
    fb, fr, fs = font(h // 11, "bold"), font(h // 15), font(h // 26)
    y = h // 14
    for s in wrap(title, fb, w * 0.86):
        d.text((w // 14, y), s, font=fb, fill=(*TEXT, 255))
        y += int(h / 11 * 1.25)
    d.rectangle((w // 14, y, w // 14 + w // 6, y + max(2, h // 120)), fill=(*ACCENT, 255))
    y += h // 20
    for s in lines:
        for t in wrap(s, fr, w * 0.86):
            d.text((w // 14, y), t, font=fr, fill=(*TEXT, 240))
            y += int(h / 15 * 1.3)
    for t in wrap(source, fs, w * 0.86):
        d.text((w // 14, h - h // 8), t, font=fs, fill=(*TEXT, 200))
    return _premultiply(img), (int(width * 0.53), int(height * 0.12))


@lru_cache(maxsize=16)
def aclf(width: int, height: int):
    return _panel("ACLF in acute decompensation", ["31 % of admissions",
                  "20 % at admission + 11 % in hospital"],
                  "Source: seed text; probably CANONIC (Moreau et al. 2013)", width, height)


@lru_cache(maxsize=16)
def aclf_patients(width: int, height: int):
    return _panel("> 70,000 patients a year", ["with ACLF in Europe, the US and Japan"],
                  "Company estimate (Promethera); no primary source traced", width, height)


@lru_cache(maxsize=16)
def nafld(width: int, height: int):
    return _panel("NAFLD in US adults", ["30–40 %"],
                  "Seed text; probably AASLD guidance (Chalasani et al.)", width, height)


@lru_cache(maxsize=16)
def nash_share(width: int, height: int):
    return _panel("NASH", ["15–20 % of NAFLD is NASH", "3–5 % of people have NASH"],
                  "Seed text (general population estimates)", width, height)


@lru_cache(maxsize=16)
def nas(width: int, height: int):
    return _panel("NAFLD Activity Score (0–8)", ["steatosis 0–3 + lobular inflammation 0–3",
                  "+ ballooning 0–2 (unweighted sum)"], "Kleiner et al., Hepatology 2005",
                  width, height)


@lru_cache(maxsize=16)
def end_card(width: int, height: int):
    img, _ = _panel("HepaStem is investigational", ["Its safety and efficacy are still under "
                    "clinical study."], "Sponsor: Cellaion SA (formerly Promethera)", width, height)
    h, w = img.shape[:2]
    return img, ((width - w) // 2, (height - h) // 2)


CARDS = {"aclf": aclf, "aclf_patients": aclf_patients, "nafld": nafld,
         "nash_share": nash_share, "nas": nas, "end_card": end_card}
__all__ = list(CARDS) + ["CARDS"]
_ = np
