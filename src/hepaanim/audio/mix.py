"""The mix: voices placed at their times, the bed ducked under them, loudness to standard.

Order of work, and why:
1. each voice clip is levelled to the same loudness (-20 LUFS), so a recorded take and a
   scratch voice, or two takes from different sessions, sit at one level;
2. clips are placed on the span by absolute sample index (as the bed is), so a line lands
   on the same sample whatever span is mixed;
3. the bed is ducked (>= 10 dB) while speech plays: the speech intervals are known from
   the placed clips, so the gain curve is computed, not detected, with raised-cosine
   attack before each phrase and release after it, and short gaps bridged (no pumping
   between sentences);
4. with sparse narration the bed is raised (at most 9 dB) until voice + bed measures
   the voice's level, so that reaching the target does not squash the speech;
5. the sum is normalised to the target integrated loudness (-16 LUFS for web and social,
   -23 for EBU R128) measured with pyloudnorm, and a look-ahead limiter keeps the true
   peak (4x oversampled) at or under -1 dBTP, re-measured after.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from . import levels
from .clips import RATE, as_stereo, sample_index

VOICE_LUFS = -20.0       # each clip levelled to this before mixing
VOICE_PLR_DB = 12.0      # and its true peak limited to 12 dB above that
TARGET_LUFS = -16.0      # web and social; -23 for EBU R128 broadcast
CEILING_DBTP = -1.0
DUCK_DB = 12.0           # the bed drops 12 dB under speech (the issue asks >= 10)
ATTACK_S = 0.25          # the duck is complete when speech starts
RELEASE_S = 0.6          # and recovers over this after it ends
BRIDGE_S = 1.2           # gaps shorter than this stay ducked
BED_BOOST_MAX_DB = 9.0   # sparse narration may raise the bed this much (to 4 LU under speech)
BED_SLACK_DB = 3.0       # ... when voice + bed measures more than this under the voice level


@dataclass(frozen=True)
class Clip:
    """A sound placed on the film's time line: `audio` (n, 2) float32 starts at `start` s."""
    id: str
    start: float
    audio: np.ndarray

    @property
    def end(self) -> float:
        return self.start + len(self.audio) / RATE


def clips_from_voiced(voiced) -> list[Clip]:
    """`voice.Voiced` lines as clips at their lines' start times (silent lines left out)."""
    return [Clip(v.line.id, v.line.start, v.audio) for v in voiced if len(v.audio)]


@dataclass
class Mix:
    """A mixed span: the final audio and how it got there (gain, measured loudness and
    true peak, the limiter's deepest reduction and the bed's boost for sparse narration,
    in dB).  `voice` and `bed` are the two
    stems at the final gain (audio = voice + bed, before the limiter), kept on request for
    measurement; `speech` the film-time intervals the bed was ducked under."""
    audio: np.ndarray
    gain_db: float
    lufs: float
    true_peak_db: float
    reduction_db: float
    bed_boost_db: float
    speech: list[tuple[float, float]]
    voice: np.ndarray | None = field(default=None, repr=False)
    bed: np.ndarray | None = field(default=None, repr=False)


def _loudness(audio: np.ndarray) -> float:
    """Integrated loudness, or for clips too short to gate (< 0.4 s) the RMS level with
    BS.1770's offsets (two channels summed, -0.691 dB); -inf for silence."""
    now = levels.integrated_lufs(audio)
    if np.isfinite(now):
        return now
    rms = levels.rms_db(audio)
    return rms + 3.01 - 0.691 if np.isfinite(rms) else float("-inf")


def level_clip(audio: np.ndarray, lufs: float = VOICE_LUFS,
               plr_db: float | None = VOICE_PLR_DB) -> np.ndarray:
    """The clip at `lufs` integrated, its true peak at most `plr_db` above that.

    Speech is peaky (espeak-ng's peak-to-loudness ratio is ~15.5 dB): normalised to
    -16 LUFS its peaks would pass -1 dBTP and the final limiter would work on every
    line.  A few dB of limiting per clip, as a voice-over chain does, leaves the mix bus
    limiter idle when narration is dense.  The clip is levelled again after limiting."""
    audio = as_stereo(audio)
    now = _loudness(audio)
    if not np.isfinite(now):
        return audio
    y = (audio * np.float32(10.0 ** ((lufs - now) / 20.0))).astype(np.float32)
    if plr_db is not None and levels.true_peak_db(y) > lufs + plr_db:
        y, _ = limit(y, RATE, lufs + plr_db)
        y = (y * np.float32(10.0 ** ((lufs - _loudness(y)) / 20.0))).astype(np.float32)
    return y


def place(clips, a: float, b: float, rate: int = RATE) -> np.ndarray:
    """Sum the clips into the span [a, b) as (n, 2) float32; a clip partly outside is cut."""
    i0, i1 = sample_index(a, rate), sample_index(b, rate)
    out = np.zeros((max(0, i1 - i0), 2), np.float32)
    for c in clips:
        s = sample_index(c.start, rate)
        lo, hi = max(i0, s), min(i1, s + len(c.audio))
        if hi > lo:
            out[lo - i0:hi - i0] += as_stereo(c.audio)[lo - s:hi - s]
    return out


def speech_intervals(clips, bridge: float = BRIDGE_S) -> list[tuple[float, float]]:
    """Film-time intervals where the clips sound, gaps shorter than `bridge` joined."""
    spans = sorted((c.start, c.end) for c in clips if len(c.audio))
    merged: list[list[float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] < bridge:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def duck_gain(intervals, a: float, b: float, rate: int = RATE, depth_db: float = DUCK_DB,
              attack: float = ATTACK_S, release: float = RELEASE_S) -> np.ndarray:
    """The bed's gain over [a, b) as (n,) float32: 1 away from speech, 10**(-depth/20)
    inside each interval, raised-cosine ramps of `attack` before and `release` after.

    A pure function of film time (like the bed), so a span's curve equals the whole film's.
    """
    i0, i1 = sample_index(a, rate), sample_index(b, rate)
    n = max(0, i1 - i0)
    duck = np.zeros(n)        # 0 .. 1: how far ducked
    for s, e in intervals:
        lo, hi = max(i0, sample_index(s - attack, rate)), min(i1, sample_index(e + release, rate))
        if hi <= lo:
            continue
        t = np.arange(lo, hi, dtype=np.float64) / rate
        up = np.clip((t - (s - attack)) / attack, 0.0, 1.0) if attack > 0 else (t >= s) * 1.0
        down = np.clip(((e + release) - t) / release, 0.0, 1.0) if release > 0 else (t < e) * 1.0
        d = 0.5 - 0.5 * np.cos(np.pi * np.minimum(up, down))
        np.maximum(duck[lo - i0:hi - i0], d, out=duck[lo - i0:hi - i0])
    gain = np.ones(n, np.float32)
    on = np.flatnonzero(duck)                 # the power only where the bed is ducked
    gain[on] = 10.0 ** (-depth_db * duck[on] / 20.0)
    return gain


def limit(x: np.ndarray, rate: int = RATE, ceiling_db: float = CEILING_DBTP,
          lookahead: float = 0.003) -> tuple[np.ndarray, float]:
    """Look-ahead peak limiter on the true-peak envelope (4x oversampled where peaks come
    near the ceiling): a gain that is at most ceiling / peak at every sample, reached by a
    ramp of 2 x `lookahead` (a minimum filter over +-lookahead, then a moving average of
    the same width, which never exceeds the minimum it averages around).  Returns the
    limited audio and the deepest gain reduction in dB (0 when nothing was over)."""
    ceiling = 10.0 ** (ceiling_db / 20.0)
    x = levels.as_frames(x)
    half = max(1, int(round(lookahead * rate)))
    w = 2 * half + 1
    y, deepest = None, 1.0
    # hot runs are whole 2,048-sample blocks apart, so the widened ranges never overlap
    for a, b in levels.hot_runs(x, ceiling * 10.0 ** (-levels.SEARCH_DB / 20.0)):
        # the gain ramps reach 2 x half samples beyond an over: take a little more
        lo, hi = max(0, a - 3 * w), min(len(x), b + 3 * w)
        env = levels.oversampled_peaks(x, lo, hi)
        if env.max() <= ceiling:
            continue
        need = np.minimum(1.0, ceiling / np.maximum(env, 1e-12))
        g = uniform_filter1d(minimum_filter1d(need, w, mode="nearest"), w, mode="nearest")
        if y is None:
            y = x.copy()
        gain = np.minimum(g, need)
        deepest = min(deepest, float(gain.min()))
        y[lo:hi] *= gain[:, None].astype(np.float32)
    return (x if y is None else y), -20.0 * np.log10(deepest)


@dataclass(frozen=True)
class Levelled:
    """What `normalise` did and measured: the gain applied, the limiter's deepest gain
    reduction (0 when it did not act; more than ~3 dB is audible on speech: it means the
    target asks more loudness than the peaks allow), and the result's integrated loudness
    and true peak."""
    gain_db: float
    reduction_db: float
    lufs: float
    true_peak_db: float

    @property
    def limited(self) -> bool:
        return self.reduction_db > 0.0


def normalise(x: np.ndarray, rate: int = RATE, target_lufs: float = TARGET_LUFS,
              ceiling_db: float = CEILING_DBTP, gain_db: float | None = None
              ) -> tuple[np.ndarray, Levelled]:
    """x at `target_lufs` integrated with true peak <= `ceiling_db`.  `gain_db` given
    skips the loudness measurement (a span without speech takes the nominal gain rather
    than pushing the bed up to speech loudness).

    Limiting lowers the loudness (speech is peaky: an espeak-ng line has a ~20 dB crest
    factor), so after limiting the loudness is measured again and the gain corrected, a
    few rounds, until it is within 0.2 LU of the target."""
    measure = gain_db is None
    lufs = levels.integrated_lufs(x, rate)
    if measure:
        gain_db = target_lufs - lufs if np.isfinite(lufs) else 0.0
    lufs += gain_db
    reduction = 0.0
    for _ in range(4):
        y = (x * np.float32(10.0 ** (gain_db / 20.0))).astype(np.float32)
        peak = levels.true_peak_db(y)
        if peak <= ceiling_db:
            reduction = 0.0
            break
        # aim 0.1 dB under the ceiling: the gain ramps themselves add a hair of overshoot
        y, reduction = limit(y, rate, ceiling_db - 0.1)
        peak = levels.true_peak_db(y)
        lufs = levels.integrated_lufs(y, rate)
        if not measure or abs(target_lufs - lufs) <= 0.2:
            break
        gain_db += target_lufs - lufs
    return y, Levelled(float(gain_db), float(reduction), float(lufs), float(peak))


def mix(clips, bed: np.ndarray | None, a: float, b: float, rate: int = RATE,
        target_lufs: float = TARGET_LUFS, ceiling_db: float = CEILING_DBTP,
        voice_lufs: float | None = VOICE_LUFS, duck_db: float = DUCK_DB,
        keep_stems: bool = False) -> Mix:
    """Mix voice `clips` over the `bed` (the span's bed, (n, 2), or None) for [a, b).

    With speech in the span the mix is measured and normalised to `target_lufs`; without,
    it gets the gain a narrated span would get (target - voice level), so a music-only
    span is not pushed up to speech loudness.
    """
    clips = [Clip(c.id, c.start, level_clip(c.audio, voice_lufs) if voice_lufs is not None
                  else as_stereo(c.audio)) for c in clips]
    voice = place(clips, a, b, rate)
    n = len(voice)
    speech = [(s, e) for s, e in speech_intervals(clips) if e > a and s < b]
    if bed is None:
        bed_d = np.zeros_like(voice)
    else:
        if len(bed) != n:
            raise ValueError(f"bed has {len(bed)} samples, the span {n}")
        bed_d = bed * duck_gain(speech, a, b, rate, duck_db)[:, None]
    boost_db = 0.0
    if speech and bed is not None and voice_lufs is not None:
        boost_db = bed_boost(voice, bed_d, voice_lufs, rate)
        if boost_db > 0.0:
            bed_d *= np.float32(10.0 ** (boost_db / 20.0))
    x = voice + bed_d
    nominal = target_lufs - (voice_lufs if voice_lufs is not None else VOICE_LUFS)
    y, lv = normalise(x, rate, target_lufs, ceiling_db, None if speech else nominal)
    g = np.float32(10.0 ** (lv.gain_db / 20.0))
    return Mix(y, lv.gain_db, lv.lufs, lv.true_peak_db, lv.reduction_db, boost_db, speech,
               voice * g if keep_stems else None, bed_d * g if keep_stems else None)


def bed_boost(voice: np.ndarray, bed: np.ndarray, voice_lufs: float = VOICE_LUFS,
              rate: int = RATE, most_db: float = BED_BOOST_MAX_DB,
              slack_db: float = BED_SLACK_DB) -> float:
    """How many dB to raise the (ducked) bed so that voice + bed measures at least
    `voice_lufs` - `slack_db` integrated: 0 when it already does (narration with the
    usual pauses between lines measures 1-2 LU under its lines), up to `most_db`.  The
    slack is left to the normalising gain: speech levelled to -20 LUFS with its peaks
    at -8 dBTP takes 4 + 3 dB before it reaches -1 dBTP.

    Integrated loudness is of the whole programme.  With sparse narration (an act with one
    line, a music-led stretch) the quiet bed pulls the measure down, and normalising to
    -16 LUFS would push the speech into the limiter (7-10 dB of gain reduction: audibly
    squashed).  Raising the bed in its pauses instead is what a mixer does: the music
    carries the passages without words, the speech keeps its level and its peaks."""
    measure = levels.loudness_of_sum(voice, bed, rate)
    goal = voice_lufs - slack_db
    if not measure(1.0) < goal:
        return 0.0
    top = 10.0 ** (most_db / 20.0)
    if measure(top) <= goal:
        return most_db
    lo, hi = 1.0, top
    for _ in range(30):                  # bisection on the gain: monotone, cheap per step
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if measure(mid) < goal else (lo, mid)
    return float(20.0 * np.log10(0.5 * (lo + hi)))
