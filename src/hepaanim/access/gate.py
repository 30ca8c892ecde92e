"""The accessibility gate over a whole film: ``hepaanim check SCENE [--lang L] [--aspect A]``.

It runs the measures of this package (issue 16) over one version of a film (a language at
an aspect) and returns their ``Problem``s:

* **subtitles** (``subtitles.subtitle_problems``): every subtitled caption as its cue, in
  that language, against the Netflix guide's reading limits; overlaps and gaps.
* **contrast** (``contrast.overlay_contrast``, WCAG 2.2 SC 1.4.3, 4.5:1): each caption's,
  label's, title's and card's overlay measured over the frame actually rendered behind it
  (the shot, graded and faded, without the text), at ``samples`` instants across its
  window (fades left out: the text is judged fully shown), at a small size
  (``contrast_short`` lines; the layout scales with the frame, so the same text boxes);
  the worst instant is reported.
* **title-safe** (``safe_area.title_safe_problems``): each overlay's drawn box (``inked``)
  at those instants
  against the format's title-safe area (EBU R 95 at 16:9; the apps' zones at 1:1, 9:16).
* **flashing** (``flash.FlashMeter``, WCAG 2.2 SC 2.3.1): every frame of the film at its
  fps, rendered small (``flash_short`` lines, 320x180 at 16:9) with that language's
  overlays: flashes are about large areas, so a small frame measures them.

Frames are drawn as the renderer draws versions: one 3D pass per aspect, every language
composited on it (``Renderer.render_versions``), so ``check_versions`` checks all the
languages of an aspect for the price of about one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..compose.captions import TEXT, overlay_items
from ..compose.cards import TEXT_CONTRAST
from ..compose.layout import frame_size
from .contrast import WCAG_AA_TEXT, overlay_contrast
from .flash import FlashMeter
from .problems import Problem
from .safe_area import title_safe_problems
from .subtitles import subtitle_problems


@dataclass(frozen=True)
class GateSettings:
    fps: float = 30.0            # the delivery frame rate (cue gaps, flash windows)
    contrast_short: int = 360    # lines of the frames contrast and title-safe are measured on
    flash_short: int = 180       # lines the flash meter sees (320x180 at 16:9; at 90 lines
                                 # thin vessels alias and flicker like a flash)
    samples: int = 3             # instants per caption window
    look: str = "full"           # the look measured (the film's, bloom included)
    flash_aa: str = "msaa4"      # the flash frames' anti-aliasing: a small frame drawn
                                 # without it shimmers where fine structure moves (pixels
                                 # snapping on and off), which a viewer never sees


def line_id(cap) -> str:
    """The script table's id, or (a caption not from the table) ``caption@<start>s``: one
    token, so the report's fields stay space-separated."""
    return getattr(cap, "line_id", None) or f"caption@{cap.start:.2f}s"


def _text(cap, lang: str) -> str:
    return cap.text if lang == "en" else cap.text_in(lang)


# --- subtitles ---------------------------------------------------------------------------
def cue_list(film, lang: str) -> list[tuple[float, float, str, str]]:
    """(start, end, text, line id) of every cue of the caption track, as the .srt holds
    them (``output.subtitles.caption_cues``: its styles, title sentence, line layout, long
    captions split, each language's own timing)."""
    from ..output import subtitles
    return [(a, b, text, line_id(c))
            for a, b, text, c in subtitles.caption_cues(film.timeline.captions, lang=lang)]


def subtitle_check(film, lang: str, fps: float = 30.0) -> list[Problem]:
    return subtitle_problems(cue_list(film, lang), lang, fps)


# --- overlays: contrast and title-safe ----------------------------------------------------
def sample_times(cap, n: int) -> list[float]:
    """``n`` instants across the caption's window, its fades left out (fully shown)."""
    a, b = cap.start + cap.fade, cap.end - cap.fade
    if b <= a:
        return [(cap.start + cap.end) / 2]
    return [float(t) for t in np.linspace(a, b, n)] if n > 1 else [(a + b) / 2]


def _matches(key, cap, lang: str) -> bool:
    if cap.style == "card":
        return key[0] == getattr(cap.image, "__name__", id(cap.image))
    fn = {"title": "title_card", "label": "corner_label"}.get(cap.style, "lower_third")
    return key[0] == fn and len(key) > 1 and key[1] == _text(cap, lang)


def placed(state, width: int, height: int, lang: str):
    """(caption, premultiplied RGBA image, rect) of each overlay drawn on this frame, as the
    compositor places them (a label that gives way to a card is not drawn, so not listed)."""
    items = overlay_items(state, width, height, lang=lang)
    out = []
    for cap, _ in state.captions_in(lang):
        for key, fn, rect, _alpha in items:
            if _matches(key, cap, lang):
                out.append((cap, fn(), rect))
                break
    return out


def inked(img: np.ndarray, rect) -> tuple[int, int, int, int]:
    """The part of an overlay that is drawn: (x, y, w, h) of its pixels with any alpha.
    A title is drawn on a transparent image as wide as the frame; the title-safe rule is
    about what is drawn (its words, its panel), not the empty rest of the image."""
    x, y = int(rect[0]), int(rect[1])
    a = img[..., 3] > 0
    rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
    if not len(rows):
        return x, y, 0, 0
    return (x + int(cols[0]), y + int(rows[0]), int(cols[-1] - cols[0] + 1),
            int(rows[-1] - rows[0] + 1))


def _card_contrast(cap, width: int, height: int, lang: str) -> float | None:
    """A card's worst text contrast as the card measured it while drawing its glyphs
    (``compose.cards.TEXT_CONTRAST``: each glyph core against the card composited over black
    and over white, so whatever the shot shows behind it lies between the two).  A card has
    many fills and inks, which the one-ink overlay measure cannot tell from its drawings;
    the card's own glyph masks can.  None for a card not drawn with the toolkit."""
    key = (getattr(cap.image, "__name__", ""), width, height) + (() if lang == "en" else (lang,))
    found = TEXT_CONTRAST.get(key)
    return min((r for _, _, r in found), default=None) if found else None


def overlay_checks(film, langs, aspect: str, gate: GateSettings = GateSettings(),
                   start: float = 0.0, end: float | None = None) -> dict[str, list[Problem]]:
    """Contrast and title-safe problems per language for one aspect (one 3D pass)."""
    from ..render.frames import _state
    from ..render.settings import Settings
    end = film.duration if end is None else end
    w, h = frame_size(aspect, gate.contrast_short)
    settings = Settings(w, h, gate.fps, look=gate.look)
    worst: dict[tuple, tuple[float, float]] = {}     # (lang, line) -> (ratio, t)
    safe: dict[tuple, Problem] = {}
    times = sorted({t for c in film.timeline.captions if c.end > start and c.start < end
                    for t in sample_times(c, gate.samples)})
    with settings.renderer() as r:
        for t in times:
            state = _state(r, film, t)
            shot = r.render_versions(state, [None])[0]
            frame = np.frombuffer(shot, np.uint8).reshape(h, w, 4)
            for lang in langs:
                for cap, img, rect in placed(state, w, h, lang):
                    lid = line_id(cap)
                    if (lang, lid) not in safe:
                        for p in title_safe_problems(t, lid, inked(img, rect), w, h, aspect):
                            safe[(lang, lid)] = p
                    ratio = (_card_contrast(cap, w, h, lang) if cap.style == "card"
                             else None)
                    if ratio is None:
                        ratio = overlay_contrast(frame, img, rect, TEXT)
                    if ratio < worst.get((lang, lid), (np.inf, 0))[0]:
                        worst[(lang, lid)] = (ratio, t)
    out: dict[str, list[Problem]] = {lang: [] for lang in langs}
    for (lang, lid), (ratio, t) in worst.items():
        if ratio < WCAG_AA_TEXT:
            out[lang].append(Problem(t, lid, "contrast",
                                     f"{ratio:.2f}:1 < {WCAG_AA_TEXT}:1 at {w}x{h}"))
    for (lang, _), p in safe.items():
        out[lang].append(p)
    return out


# --- flashing -----------------------------------------------------------------------------
def flash_checks(film, langs, aspect: str, gate: GateSettings = GateSettings(),
                 start: float = 0.0, end: float | None = None) -> dict[str, list[Problem]]:
    """Every frame at the film's fps, small, through one FlashMeter per language."""
    from ..render.frames import _state, frame_range
    from ..render.settings import Settings
    w, h = frame_size(aspect, gate.flash_short)
    w, h = max(w, 16), max(h, 16)
    settings = Settings(w, h, gate.fps, aa=gate.flash_aa, look=gate.look)
    frames = frame_range(film, gate.fps, start, end)
    meters = {lang: FlashMeter(gate.fps, (w, h), start=frames.first / gate.fps)
              for lang in langs}
    with settings.renderer() as r:
        for i in range(frames.first, frames.stop):
            state = _state(r, film, i / gate.fps)
            for lang, buf in zip(langs, r.render_versions(state, langs)):
                meters[lang].add(np.frombuffer(buf, np.uint8).reshape(h, w, 4))
    return {lang: m.problems() for lang, m in meters.items()}


# --- the gate -----------------------------------------------------------------------------
def check_versions(film, langs, aspects, gate: GateSettings = GateSettings(),
                   start: float = 0.0, end: float | None = None,
                   flashes: bool = True) -> dict[tuple[str, str], list[Problem]]:
    """Every problem of every (language, aspect) version: one pass per aspect for the
    overlays, one for the flashes, each feeding all the languages."""
    out = {(lang, a): [] for a in aspects for lang in langs}
    subs = {lang: [p for p in subtitle_check(film, lang, gate.fps)
                   if end is None or start <= p.time < end] for lang in langs}
    for a in aspects:
        for lang, found in overlay_checks(film, langs, a, gate, start, end).items():
            out[(lang, a)] += subs[lang] + found
        if flashes:
            for lang, found in flash_checks(film, langs, a, gate, start, end).items():
                out[(lang, a)] += found
    return out


def check(film, lang: str = "en", aspect: str = "16:9", gate: GateSettings = GateSettings(),
          **kw) -> list[Problem]:
    """The problems of one version (``check_versions`` for one language and aspect)."""
    return check_versions(film, [lang], [aspect], gate, **kw)[(lang, aspect)]




def run(film, langs, aspects, gate: GateSettings = GateSettings(), out=print,
        start: float = 0.0, end: float | None = None) -> int:
    """What ``hepaanim check`` prints: for each version checked (when more than one), a
    header line ``# <lang> <aspect>``, then one line per problem and ``problems=<n>`` (n
    summed over the versions, last).  Returns n."""
    from .problems import report
    found = check_versions(film, langs, aspects, gate, start, end)
    total = 0
    for (lang, aspect), problems in found.items():
        text = report(problems)
        if len(found) > 1:
            out(f"# {lang} {aspect}: {len(problems)} problem(s)")
        for line in text.splitlines()[:-1]:
            out(line)
        total += len(problems)
    out(f"problems={total}")
    return total
