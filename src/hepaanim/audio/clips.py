"""The one sound currency: float32 arrays of shape (n, 2) at 48 kHz.

Every part of the sound engine (voice, music bed, mix, mux) speaks this one format, so a
clip can go from any of them to any other without a conversion table.  48 kHz is the rate
of video audio (AAC and Opus both run at it natively); stereo because the bed is wide and
players expect two channels.  Time is absolute sample index ``round(t * RATE)`` so that a
span [a, b) rendered alone holds the same samples as the same span of a whole-film render,
the audio twin of the frames' ``t = i / fps``.

Also here: the energy measure that finds where speech starts and stops.  It trims the
scratch voice (so a clip's first sample is its speech onset) and it is the yardstick the
tests use to check that speech lands where the captions say.
"""
from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

RATE = 48_000

# Energy frames for onset finding: 5 ms windows every 1 ms resolve an onset to a few ms,
# far finer than a frame (33 ms at 30 fps), yet skip a single-sample click.
WINDOW_S = 0.005
HOP_S = 0.001
# The first window that turns loud already holds the onset's first loud sample at its
# end (the one before it did not): the onset is that window's start + WINDOW_S - HOP_S.
LEAD_S = WINDOW_S - HOP_S
# Speech is what comes within 35 dB of the clip's loudest window: the trim and the onset
# measure share it, so a trimmed clip's measured onset is its first sample.
ONSET_DB = -35.0


def sample_index(t: float, rate: int = RATE) -> int:
    """The absolute sample at film time `t`: the one rounding every module shares."""
    return int(round(t * rate))


def as_stereo(x: np.ndarray) -> np.ndarray:
    """(n,) or (n, 1) or (n, 2) -> contiguous float32 (n, 2); mono is copied to both sides."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] not in (1, 2):
        raise ValueError(f"audio must be (n,), (n, 1) or (n, 2), got shape {x.shape}")
    if x.shape[1] == 1:
        x = np.repeat(x, 2, axis=1)
    return np.ascontiguousarray(x)


def resample(x: np.ndarray, rate_from: int, rate_to: int = RATE) -> np.ndarray:
    """Polyphase resampling (scipy's resample_poly: a kept library, exact rational ratio,
    deterministic).  espeak-ng speaks at 22,050 Hz: to 48 kHz is 320/147."""
    x = np.asarray(x, dtype=np.float32)
    if rate_from == rate_to:
        return x
    g = gcd(int(rate_from), int(rate_to))
    return resample_poly(x, rate_to // g, rate_from // g, axis=0).astype(np.float32)


def energy_db(x: np.ndarray, rate: int = RATE, window: float = WINDOW_S,
              hop: float = HOP_S) -> tuple[np.ndarray, np.ndarray]:
    """Mean-square energy (dB) of windows of `window` s every `hop` s: (frame starts in s, dB).

    Channels are averaged.  Cumulative sums make it O(n) whatever the window.
    """
    x = np.asarray(x, dtype=np.float64)
    mono_sq = np.square(x).mean(axis=1) if x.ndim == 2 else np.square(x)
    w, h = max(1, int(round(window * rate))), max(1, int(round(hop * rate)))
    if len(mono_sq) < w:
        return np.zeros(0), np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(mono_sq)])
    starts = np.arange(0, len(mono_sq) - w + 1, h)
    ms = np.maximum((c[starts + w] - c[starts]) / w, 0.0)
    with np.errstate(divide="ignore"):
        db = 10.0 * np.log10(ms)
    return starts / rate, db


def _active(x, rate, threshold_db, floor_db):
    """Frames louder than `threshold_db` below the loudest frame (and above `floor_db` dBFS,
    so a silent clip has no speech at all)."""
    t, db = energy_db(x, rate)
    if len(db) == 0 or not np.isfinite(db.max()):
        return t, np.zeros(len(db), bool)
    return t, db >= max(db.max() + threshold_db, floor_db)


def speech_intervals(x: np.ndarray, rate: int = RATE, threshold_db: float = ONSET_DB,
                     min_silence: float = 0.3, floor_db: float = -70.0
                     ) -> list[tuple[float, float]]:
    """Where speech sounds, as (start, end) seconds from the clip's first sample.

    Energy-based: a frame is speech when it is within `threshold_db` of the loudest frame.
    Gaps shorter than `min_silence` (between words, stop consonants) are bridged, so each
    interval is a phrase.  Resolution is the 1 ms hop: an abrupt onset is found to within
    a millisecond, a soft one where it first comes within `threshold_db` of the peak.
    """
    t, on = _active(x, rate, threshold_db, floor_db)
    if not on.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(np.int8), [0]])))
    # (a clip loud from its very first window starts at 0, not LEAD_S)
    runs = [(t[s] + (LEAD_S if s else 0.0), t[e - 1] + WINDOW_S)
            for s, e in zip(edges[::2], edges[1::2])]
    merged = [list(runs[0])]
    for s, e in runs[1:]:
        if s - merged[-1][1] < min_silence:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return [(float(s), float(e)) for s, e in merged]


def speech_onsets(x: np.ndarray, rate: int = RATE, **kwargs) -> list[float]:
    """The start of each phrase (see `speech_intervals`), in seconds from the clip start."""
    return [s for s, _ in speech_intervals(x, rate, **kwargs)]


def speech_span(x: np.ndarray, rate: int = RATE,
                threshold_db: float = ONSET_DB) -> tuple[int, int] | None:
    """(first, end) sample of the speech in a clip (``trim_silence`` cuts there), or None
    for a silent clip."""
    x = as_stereo(x)
    t, on = _active(x, rate, threshold_db, -90.0)
    if not on.any():
        return None
    idx = np.flatnonzero(on)
    a = int(round((t[idx[0]] + (LEAD_S if idx[0] else 0.0)) * rate))
    b = min(len(x), int(round(t[idx[-1]] * rate)) + int(round(WINDOW_S * rate)))
    return a, b


def trim_silence(x: np.ndarray, rate: int = RATE, threshold_db: float = ONSET_DB,
                 fade: float = 0.001) -> np.ndarray:
    """Cut leading and trailing silence so the clip's first sample is its speech onset.

    A synthesized or recorded take starts with some silence (espeak-ng: ~20-60 ms); placed
    as is, the voice would start late against its caption.  The cut is where the energy
    first rises within `threshold_db` of the loudest window (the onset `speech_onsets`
    reports); a `fade` (1 ms) ramp at each cut keeps the cut from clicking.
    """
    x = as_stereo(x)
    span = speech_span(x, rate, threshold_db)
    if span is None:
        return x[:0]
    a, b = span
    y = x[a:b].copy()
    n = min(len(y) // 2, int(round(fade * rate)))
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, endpoint=False, dtype=np.float32)[:, None]
        y[:n] *= ramp
        y[-n:] *= ramp[::-1]
    return y
