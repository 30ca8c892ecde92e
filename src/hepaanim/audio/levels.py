"""Measurements: loudness (ITU-R BS.1770 through pyloudnorm), true peak, spectrum.

What the mix promises (-16 LUFS integrated, true peak <= -1 dBTP, the bed >= 10 dB under
speech, a warm bed darker than a cool one) is checked with these, never assumed.  Loudness
comes from pyloudnorm, a kept implementation of BS.1770-4, so the numbers match what a
broadcaster's meter reads; the momentary and short-term curves for the plot reuse its
K-weighting filters rather than a second hand-written copy.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pyloudnorm
from scipy.signal import firwin, resample_poly, sosfilt

from .clips import RATE

MOMENTARY_S = 0.4     # EBU Tech 3341: momentary loudness window
SHORT_TERM_S = 3.0    # and short-term


def _block_sums(power: np.ndarray, rate: int) -> np.ndarray:
    """Sums of `power` (per sample, channels summed) over BS.1770's 400 ms gating blocks
    every 100 ms, with pyloudnorm's block count (it reads past the end as silence: so do
    we).  Built from 100 ms sub-block sums, so it is one pass."""
    hop = int(round(0.1 * rate))
    n_blocks = int(np.round((len(power) / rate - 0.4) / 0.1)) + 1
    n_sub = n_blocks + 3
    sq = np.zeros(n_sub * hop)
    m = min(len(power), n_sub * hop)
    sq[:m] = power[:m]
    sub = sq.reshape(n_sub, hop).sum(axis=1)
    return (sub[:-3] + sub[1:-2] + sub[2:-1] + sub[3:])[:n_blocks] / (4 * hop)


def _gated(power: np.ndarray) -> float:
    """Integrated loudness from block mean-square powers: the -70 LUFS absolute gate,
    then the relative gate 10 LU under the absolutely-gated mean (BS.1770-4 eq. 5-7)."""
    with np.errstate(divide="ignore"):
        block_l = -0.691 + 10.0 * np.log10(power)
    gated = block_l >= -70.0
    if not gated.any():
        return float("-inf")
    rel = -0.691 + 10.0 * np.log10(power[gated].mean()) - 10.0
    keep = (block_l > rel) & (block_l > -70.0)
    if not keep.any():
        return float("-inf")
    return float(-0.691 + 10.0 * np.log10(power[keep].mean()))


def integrated_lufs(x: np.ndarray, rate: int = RATE) -> float:
    """Integrated, gated loudness in LUFS (-inf for silence or under 0.4 s).

    ITU-R BS.1770-4 exactly as pyloudnorm's Meter computes it (its K-weighting filters,
    400 ms blocks every 100 ms, the -70 LUFS absolute and -10 LU relative gates), but with
    the block energies from one reshape instead of a Python loop over blocks: the meter
    runs several times per mix (before and after limiting), and pyloudnorm's loop took
    about a second for the whole film.  The tests check it against pyloudnorm.Meter.
    """
    x = np.asarray(x)
    if len(x) < int(0.4 * rate) + 1:
        return float("-inf")
    y = k_weighted(x, rate)
    return _gated(_block_sums(np.einsum("cn,cn->n", y, y), rate))


def loudness_of_sum(a: np.ndarray, b: np.ndarray, rate: int = RATE):
    """A function k -> integrated LUFS of a + k*b, for choosing a gain k by search.

    K-weighting is linear, so the blocks' power of a + k*b is A + 2kB + k^2 C with A, B,
    C the block sums of Ka.Ka, Ka.Kb and Kb.Kb: two filter passes up front, and then each
    k costs a few thousand multiplications instead of a measurement of the whole mix."""
    if len(a) < int(0.4 * rate) + 1:
        return lambda k: float("-inf")
    ka, kb = k_weighted(a, rate), k_weighted(b, rate)
    A = _block_sums(np.einsum("cn,cn->n", ka, ka), rate)
    B = _block_sums(np.einsum("cn,cn->n", ka, kb), rate)
    C = _block_sums(np.einsum("cn,cn->n", kb, kb), rate)
    return lambda k: _gated(np.maximum(A + 2 * k * B + k * k * C, 0.0))


def integrated_lufs_reference(x: np.ndarray, rate: int = RATE) -> float:
    """pyloudnorm's own meter, unmodified: the yardstick `integrated_lufs` is tested on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # pyloudnorm warns on clipping; we measure it
        return float(pyloudnorm.Meter(rate).integrated_loudness(
            np.asarray(x, dtype=np.float64)))


@functools.lru_cache(maxsize=4)
def _k_sos(rate: int) -> np.ndarray:
    """pyloudnorm's two K-weighting stages (high shelf, then high pass) as one
    second-order-sections array, so scipy runs both in one compiled pass over both
    channels."""
    meter = pyloudnorm.Meter(rate)
    stages = [meter._filters["high_shelf"], meter._filters["high_pass"]]
    return np.array([np.concatenate([st.b, st.a]) / st.a[0] for st in stages])


def k_weighted(x: np.ndarray, rate: int = RATE) -> np.ndarray:
    """x through BS.1770's K-weighting (pyloudnorm's filters), float64, channel-major
    (ch, n): scipy filters along the last axis in place of copying strided columns."""
    y = np.asarray(x, dtype=np.float32)
    y = y[None, :] if y.ndim == 1 else y.T
    return sosfilt(_k_sos(rate), np.ascontiguousarray(y, dtype=np.float64), axis=-1)


def loudness_curve(x: np.ndarray, rate: int = RATE, window: float = MOMENTARY_S,
                   hop: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Loudness over time, LUFS, of windows `window` s long every `hop` s (0.4 s: momentary,
    3 s: short-term).  Returns (window end times in s, LUFS); silence is -inf."""
    y = k_weighted(x, rate)
    sq = np.einsum("cn,cn->n", y, y)       # channel gains are 1 for L and R
    w, h = int(round(window * rate)), int(round(hop * rate))
    if len(sq) < w:
        return np.zeros(0), np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(sq)])
    ends = np.arange(w, len(sq) + 1, h)
    ms = np.maximum((c[ends] - c[ends - w]) / w, 0.0)
    with np.errstate(divide="ignore"):
        return ends / rate, -0.691 + 10.0 * np.log10(ms)


# True peak is looked for only where the sample peak comes within this of the loudest
# sample: band-limited audio overshoots its samples by far less (about 0.7 dB at most for
# music and speech at 48 kHz), and oversampling a whole film 4x took seconds.
SEARCH_DB = 6.0
_BLOCK = 2048
_MARGIN = 64          # resample_poly's filter reaches 10 input samples each side at 4x


def _hot_runs(x: np.ndarray, floor: float) -> list[tuple[int, int]]:
    """Sample ranges [a, b), whole blocks, whose sample peak reaches `floor`.  The block
    peaks come from one pass over the interleaved samples (the array's own memory order):
    a reduction across the two channels of each sample took ten times longer."""
    n = len(x)
    nb = -(-n // _BLOCK)
    flat = x.reshape(-1)
    full = (n // _BLOCK) * _BLOCK * x.shape[1]
    peaks = np.abs(flat[:full].reshape(-1, _BLOCK * x.shape[1])).max(axis=1)
    if full < flat.size:
        peaks = np.append(peaks, np.abs(flat[full:]).max())
    hot = np.flatnonzero(peaks >= floor)
    if len(hot) == 0:
        return []
    runs = np.split(hot, np.flatnonzero(np.diff(hot) > 1) + 1)
    return [(int(r[0]) * _BLOCK, min(n, (int(r[-1]) + 1) * _BLOCK)) for r in runs]


@functools.lru_cache(maxsize=4)
def _upsampler(oversample: int) -> np.ndarray:
    """resample_poly's own default low-pass (Kaiser, beta 5, 10 zero crossings a side),
    designed once: it is called per hot run, and firwin took more time than the filter."""
    return firwin(2 * 10 * oversample + 1, 1.0 / oversample,
                  window=("kaiser", 5.0)).astype(np.float32)


def oversampled_peaks(x: np.ndarray, a: int, b: int, oversample: int = 4) -> np.ndarray:
    """Per sample of [a, b), the largest |value| of the `oversample`x upsampled signal
    within that sample's interval (and the sample's own): where the true peak lives, for
    the meter and the limiter alike.  (b - a,) float32."""
    n = len(x)
    lo, hi = max(0, a - _MARGIN), min(n, b + _MARGIN)
    chans = np.ascontiguousarray(x[lo:hi].T)                  # filter along rows
    up = np.abs(resample_poly(chans, oversample, 1, axis=-1, window=_upsampler(oversample)))
    up = up[:, (a - lo) * oversample:(b - lo) * oversample].max(axis=0)
    up = up.reshape(b - a, oversample).max(axis=1)
    return np.maximum(up, np.abs(x[a:b]).max(axis=1)).astype(np.float32)


def as_frames(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    return x[:, None] if x.ndim == 1 else x


def true_peak_db(x: np.ndarray, oversample: int = 4) -> float:
    """True peak in dBTP: the sample peak of a 4x oversampled copy (BS.1770-4 Annex 2),
    which catches the inter-sample overs a DAC or a lossy codec will produce.  Only the
    blocks whose sample peak comes within SEARCH_DB of the loudest are oversampled."""
    x = as_frames(x)
    if x.size == 0:
        return float("-inf")
    top = float(np.abs(x.reshape(-1)).max())
    if top == 0.0:
        return float("-inf")
    floor = top * 10.0 ** (-SEARCH_DB / 20.0)
    peak = max(float(oversampled_peaks(x, a, b, oversample).max())
               for a, b in _hot_runs(x, floor))
    return 20.0 * np.log10(peak)


def hot_runs(x: np.ndarray, floor: float) -> list[tuple[int, int]]:
    """Public face of `_hot_runs` for the limiter (x as (n, ch) float32)."""
    return _hot_runs(as_frames(x), floor)


def rms_db(x: np.ndarray) -> float:
    """RMS level in dBFS over all samples and channels (-inf for silence)."""
    ms = float(np.mean(np.square(np.asarray(x, dtype=np.float64)))) if np.size(x) else 0.0
    return 10.0 * np.log10(ms) if ms > 0 else float("-inf")


def spectral_centroid(x: np.ndarray, rate: int = RATE) -> float:
    """The power spectrum's centre of mass in Hz: lower means darker, warmer timbre."""
    x = np.asarray(x, dtype=np.float64)
    mono = x.mean(axis=1) if x.ndim == 2 else x
    p = np.square(np.abs(np.fft.rfft(mono * np.hanning(len(mono)))))
    f = np.fft.rfftfreq(len(mono), 1.0 / rate)
    return float((f * p).sum() / p.sum()) if p.sum() > 0 else 0.0
