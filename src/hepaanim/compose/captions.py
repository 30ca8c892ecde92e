"""Lower-third captions, title cards and corner labels as premultiplied RGBA images.

Each image is drawn once per (text, style, frame size) and cached as a texture by the
renderer; a frame only sets its position and fade alpha.  Sizes scale with frame height so
a caption reads the same at 480p and 2160p.  White text on a deep-navy panel of at least
72 % opacity keeps the contrast above 4.5:1 whatever the shot behind it shows.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..scene.color import rgb
from .breaks import PHRASE_LANGS, phrase_wrap
from .fonts import font
from .layout import layout

_SPACES = re.compile(r"[ \t\r\f\v]+")    # not str.split(): that also breaks at no-break spaces

TEXT = (244, 247, 251)
PANEL = tuple(int(round(255 * c)) for c in rgb("deep_navy"))
PANEL_ALPHA = 0.78
ACCENT = tuple(int(round(255 * c)) for c in rgb("therapy_teal"))


def wrap(text: str, fnt, max_width: float, lang: str = "en") -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` in ``fnt`` (``\\n`` always breaks).

    Latin scripts break at ordinary spaces only, so a no-break space (French "30 %",
    "Foie :") keeps its figure and sign together.  Japanese has no spaces between words:
    it breaks between phrases (``breaks.phrase_wrap``: BudouX, with kinsoku)."""
    if lang.split("-")[0].lower() in PHRASE_LANGS:
        return phrase_wrap(text, fnt, max_width)
    lines = []
    for para in text.split("\n"):
        words, cur = [w for w in _SPACES.split(para) if w], ""
        for w in words:
            trial = f"{cur} {w}".strip()
            if cur and fnt.getlength(trial) > max_width:
                lines.append(cur)
                cur = w
            else:
                cur = trial
        lines.append(cur)
    return lines


def _premultiply(img: Image.Image) -> np.ndarray:
    a = np.asarray(img, dtype=np.float32)
    a[..., :3] *= a[..., 3:4] / 255.0
    return np.round(a).astype(np.uint8)


@lru_cache(maxsize=128)
def lower_third(text: str, width: int, height: int,
                lang: str = "en") -> tuple[np.ndarray, tuple[int, int]]:
    """Panel image and its top-left position: bottom left of the frame at 16:9, of the safe
    area in the other formats (``layout``: above the band a phone app covers at 9:16)."""
    lay = layout(width, height)
    size = lay.lower_third_size()
    fnt = font(size, lang=lang)
    pad = round(size * 0.7)
    bar = max(2, round(size * 0.16))
    lines = wrap(text, fnt, lay.lower_third_wrap(), lang)
    lh = round(size * 1.32)
    tw = max(fnt.getlength(s) for s in lines)
    w = int(tw + 2 * pad + bar + pad * 0.4)
    h = int(lh * len(lines) + 2 * pad - (lh - size) * 0.6)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=round(size * 0.35),
                        fill=(*PANEL, round(255 * PANEL_ALPHA)))
    d.rectangle((0, round(pad * 0.6), bar - 1, h - round(pad * 0.6)), fill=(*ACCENT, 255))
    y = pad - round(size * 0.12)
    for s in lines:
        d.text((bar + pad, y), s, font=fnt, fill=(*TEXT, 255))
        y += lh
    return _premultiply(img), lay.lower_third_at(w, h)


@lru_cache(maxsize=32)
def title_card(text: str, width: int, height: int,
               lang: str = "en") -> tuple[np.ndarray, tuple[int, int]]:
    """Centred title: first line large and bold, further lines as a subtitle (centred in
    the frame at 16:9, in the safe area in the other formats), on a soft-edged deep-navy
    scrim (``TITLE_SCRIM``): a title sits over the opening shot, whatever it shows, and
    light text over a lit organ read at 3.8:1 without one (WCAG 2.2 asks 4.5:1)."""
    lay = layout(width, height)
    head, *rest = text.split("\n")
    big, small = lay.title_sizes()
    fb, fs = font(big, "bold", lang=lang), font(small, "light", lang=lang)
    wrap_b, wrap_s = lay.title_wraps()
    lines_b = wrap(head, fb, wrap_b, lang)
    lines_s = wrap("\n".join(rest), fs, wrap_s, lang) if rest else []
    pad = lay.title_pad()                    # scrim beyond the words
    h = round(big * 1.2 * len(lines_b) + small * 1.5 * len(lines_s) + big * 0.6) + 2 * pad
    img = Image.new("RGBA", (width, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    widest = max([fb.getlength(s) for s in lines_b] + [fs.getlength(s) for s in lines_s])
    _scrim(img, ((width - widest) / 2 - pad, 0, (width + widest) / 2 + pad, h), pad)
    y = pad
    for s in lines_b:
        d.text(((width - fb.getlength(s)) / 2, y), s, font=fb, fill=(*TEXT, 255))
        y += round(big * 1.2)
    if lines_s:
        y += round(big * 0.25)
        d.rectangle(((width - big * 1.5) / 2, y, (width + big * 1.5) / 2, y + max(2, big // 18)),
                    fill=(*ACCENT, 255))
        y += round(big * 0.35)
    for s in lines_s:
        d.text(((width - fs.getlength(s)) / 2, y), s, font=fs, fill=(*TEXT, 235))
        y += round(small * 1.5)
    return _premultiply(img), (0, lay.title_y(h))


TITLE_SCRIM = 0.72      # the title scrim's opacity in its middle (lower thirds: PANEL_ALPHA)


def _scrim(img: Image.Image, box, soft: int) -> None:
    """A deep-navy panel of ``TITLE_SCRIM`` over ``box`` whose edges fade out over
    ``soft`` pixels (a blurred rounded rectangle: a title floats on the shot rather than
    sitting in a box), drawn under whatever ``img`` holds."""
    x0, y0, x1, y1 = box
    mask = Image.new("L", img.size, 0)
    inset = soft / 2
    ImageDraw.Draw(mask).rounded_rectangle(
        (max(0, x0 + inset), y0 + inset, min(img.width - 1, x1 - inset), y1 - inset),
        radius=round(soft), fill=round(255 * TITLE_SCRIM))
    mask = mask.filter(ImageFilter.GaussianBlur(soft / 4))
    panel = Image.new("RGBA", img.size, (*PANEL, 0))
    panel.putalpha(mask)
    img.alpha_composite(panel)


@lru_cache(maxsize=64)
def corner_label(text: str, width: int, height: int, position: str,
                 lang: str = "en") -> tuple[np.ndarray, tuple]:
    """A small tag ('molecules enlarged', 'time slowed 20×') in a corner of the safe area
    (``overlay_items`` moves it off a card or lower third on screen with it)."""
    lay = layout(width, height)
    size = lay.label_size()
    fnt = font(size, lang=lang)
    pad = round(size * 0.5)
    w, h = int(fnt.getlength(text) + 2 * pad), int(size * 1.25 + pad * 1.2)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=round(size * 0.3),
                        fill=(*PANEL, round(255 * PANEL_ALPHA)))
    d.text((pad, pad * 0.55), text, font=fnt, fill=(*TEXT, 255))
    return _premultiply(img), lay.label_at(w, h, position) or (lay.safe[0], lay.safe[1])


def overlay_items(state, width: int, height: int, lang: str = "en"):
    """What the renderer composites on this frame: (key, image fn, rect, alpha).

    ``lang``: the language drawn: a caption's ``text_in(lang)`` (English is its ``text``;
    a missing translation is an error, never English in a French film), with that
    language's font and line breaking; a card's function is called ``(width, height,
    lang)`` (``(width, height)`` for English, so engine cards need no language).

    A corner label gives way to the other overlays on screen with it (a card, a lower
    third): ``Layout.label_at`` moves it clear, or leaves it out where a card covers the
    picture it would label; nothing else moves."""
    out, labels = [], []
    for cap, alpha in state.captions_in(lang):
        text = cap.text if lang == "en" else cap.text_in(lang)
        tail = () if lang == "en" else (lang,)       # English: the calls as they always were
        if cap.style == "title":
            fn = title_card
            args = (text, width, height) + tail
        elif cap.style == "label":
            fn = corner_label
            args = (text, width, height, cap.position) + tail
            labels.append((len(out), cap.position))
        elif cap.style == "card" and cap.image is not None:
            fn = cap.image
            args = (width, height) + tail
        else:
            fn = lower_third
            args = (text, width, height) + tail
        img, (x, y) = fn(*args)
        key = (fn.__name__ if hasattr(fn, "__name__") else id(fn),) + args
        out.append((key, (lambda img=img: img), (x, y, img.shape[1], img.shape[0]), alpha))
    if labels and len(labels) < len(out):
        lay = layout(width, height)
        others = {i for i, _ in labels}
        avoid = [(x, y, x + w, y + h) for i, (_, _, (x, y, w, h), _) in enumerate(out)
                 if i not in others]
        for i, position in labels:
            key, fn, (x, y, w, h), alpha = out[i]
            at = lay.label_at(w, h, position, avoid)
            out[i] = None if at is None else (key, fn, (*at, w, h), alpha)
    return [item for item in out if item is not None]
