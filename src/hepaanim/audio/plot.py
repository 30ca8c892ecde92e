"""Listening by looking: a waveform and loudness picture of a mix, as a PNG.

Frames are checked by opening them; the soundtrack is checked the same way.  The top
panel is the waveform as a min/max envelope per pixel column (speech intervals shaded,
so ducking and placement read at a glance); the bottom panel is the loudness over time,
momentary (400 ms) and short-term (3 s) in LUFS, against the target line, with the
integrated loudness and true peak in the title.  Pillow only (already a dependency).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..output import atomic
from . import levels
from .clips import RATE

BG = (250, 250, 248)
GRID = (222, 222, 218)
INK = (40, 44, 52)
WAVE = (20, 128, 118)        # the film's teal, darker for contrast on white
SPEECH = (255, 236, 200)     # speech intervals, a warm tint
MOMENTARY = (150, 170, 200)
SHORT_TERM = (30, 70, 150)
TARGET = (200, 60, 50)
LUFS_RANGE = (-50.0, -5.0)


def column_envelope(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) over both channels of each of `width` equal slices of x."""
    x = np.asarray(x, dtype=np.float32)
    mono_hi = x.max(axis=1) if x.ndim == 2 else x
    mono_lo = x.min(axis=1) if x.ndim == 2 else x
    edges = np.linspace(0, len(x), width + 1).astype(np.int64)
    edges = np.minimum(edges, max(len(x) - 1, 0))
    hi = np.maximum.reduceat(mono_hi, edges[:-1]) if len(x) else np.zeros(width)
    lo = np.minimum.reduceat(mono_lo, edges[:-1]) if len(x) else np.zeros(width)
    return lo, hi


def _tick_step(duration: float, width: int) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120):
        if duration / step <= width / 70:
            return step
    return 300.0


def plot_mix(x: np.ndarray, path: Path, rate: int = RATE, target_lufs: float = -16.0,
             speech=(), title: str = "", size: tuple[int, int] = (1600, 600),
             start: float = 0.0) -> Path:
    """Draw the mix `x` (its first sample at film time `start`) to a PNG at `path`.
    `speech` is a list of (start, end) film-time intervals to shade."""
    w, h = size
    left, right, top = 70, 20, 40
    wave_h = int((h - top - 40) * 0.45)
    gap = 30
    loud_top = top + wave_h + gap
    loud_h = h - loud_top - 36
    plot_w = w - left - right
    duration = len(x) / rate
    img = Image.new("RGB", size, BG)
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)
    big = ImageFont.load_default(size=16)

    def px(t):                       # film time -> x pixel
        return left + (t - start) / max(duration, 1e-9) * plot_w

    # speech shading behind both panels
    for s, e in speech:
        a, b = max(px(s), left), min(px(e), left + plot_w)
        if b > a:
            d.rectangle([a, top, b, top + wave_h], fill=SPEECH)
            d.rectangle([a, loud_top, b, loud_top + loud_h], fill=SPEECH)

    # time grid and ticks
    step = _tick_step(duration, plot_w)
    t = np.ceil(start / step) * step
    while t <= start + duration + 1e-9:
        xx = px(t)
        for y0, y1 in ((top, top + wave_h), (loud_top, loud_top + loud_h)):
            d.line([xx, y0, xx, y1], fill=GRID)
        label = f"{t:g} s"
        d.text((xx, loud_top + loud_h + 6), label, fill=INK, font=font, anchor="mt")
        t += step

    # waveform: min/max envelope per pixel column
    mid = top + wave_h / 2
    d.line([left, mid, left + plot_w, mid], fill=GRID)
    lo, hi = column_envelope(x, plot_w)
    for i, (a, b) in enumerate(zip(lo, hi)):
        y0 = mid - float(np.clip(b, -1, 1)) * wave_h / 2
        y1 = mid - float(np.clip(a, -1, 1)) * wave_h / 2
        d.line([left + i, y0, left + i, max(y1, y0 + 1)], fill=WAVE)
    for v in (1.0, 0.5, -0.5, -1.0):
        y = mid - v * wave_h / 2
        d.text((left - 8, y), f"{v:+.1f}", fill=INK, font=font, anchor="rm")
    d.rectangle([left, top, left + plot_w, top + wave_h], outline=INK)

    # loudness: grid every 10 LU, the target, momentary and short-term curves
    lmin, lmax = LUFS_RANGE

    def py(lufs):
        return loud_top + (lmax - np.clip(lufs, lmin, lmax)) / (lmax - lmin) * loud_h

    for v in np.arange(-50, -4, 10):
        d.line([left, py(v), left + plot_w, py(v)], fill=GRID)
        d.text((left - 8, py(v)), f"{v:g}", fill=INK, font=font, anchor="rm")
    for window, colour, width in ((levels.MOMENTARY_S, MOMENTARY, 1),
                                  (levels.SHORT_TERM_S, SHORT_TERM, 2)):
        ts, lufs = levels.loudness_curve(x, rate, window, hop=0.05)
        pts = [(px(start + tt - window / 2), float(py(v))) for tt, v in zip(ts, lufs)
               if np.isfinite(v)]
        if len(pts) > 1:
            d.line(pts, fill=colour, width=width)
    ty = py(target_lufs)
    for xx in range(left, left + plot_w, 12):
        d.line([xx, ty, min(xx + 6, left + plot_w), ty], fill=TARGET, width=2)
    d.text((left + plot_w - 4, ty - 4), f"target {target_lufs:g} LUFS", fill=TARGET,
           font=font, anchor="rb")
    d.rectangle([left, loud_top, left + plot_w, loud_top + loud_h], outline=INK)
    d.text((14, loud_top + loud_h / 2), "LUFS", fill=INK, font=font, anchor="lm")

    # title: what the meters say
    integ = levels.integrated_lufs(x, rate)
    peak = levels.true_peak_db(x)
    head = (f"{title}  " if title else "") + (
        f"integrated {integ:.1f} LUFS · true peak {peak:.1f} dBTP · {duration:.1f} s   "
        f"(loudness: momentary light, short-term dark; speech shaded)")
    d.text((left, 12), head, fill=INK, font=big)

    path = Path(path)
    tmp = atomic.temp_path(path)
    try:
        img.save(tmp, format="PNG")
        atomic.commit(tmp, path)
    except BaseException:
        atomic.discard(tmp)
        raise
    return path
