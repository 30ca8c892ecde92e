"""The music bed: soft sustained pads made in code, warm and low or cool and bright.

No downloaded music: the bed is additive synthesis of a few sustained chords, computed
here from the film's segments and a seed.  Like a frame, any sample is a pure function of
its absolute time: a note is a closed-form oscillator (phase = f * n / rate + phase0 for
absolute sample n) under a closed-form envelope, so a span [a, b) rendered alone equals
the same samples of a whole-film render and the bed can be rendered in chunks, in any
order, on any worker.  Nothing is filtered (a filter would carry state from sample to
sample); timbre comes from the wavetables instead.

Warmth follows the palette's warm-to-cool logic: warmth 1 (the disease acts) plays the
chords low (bass near A1-A2, pads around A3-E4) on a dark wavetable (few, soft harmonics);
warmth 0 (the resolution acts) plays them an octave up on a bright wavetable with an upper
shimmer.  Both layers play the same harmony, so a warmth ramp is an equal-power
cross-fade between them, and each segment's chords cross-fade into the next segment's at
their boundary.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .clips import RATE, sample_index

CHORD_S = 7.0          # a chord every 7 s: slow movement under narration
CHORD_XFADE_S = 2.5    # chords overlap this long (raised-cosine)
SEGMENT_XFADE_S = 3.0  # default cross-fade at segment (act) boundaries
LOOP_S = 4             # each chord's waveform repeats every 4 s (frequencies on a 0.25 Hz grid)
DETUNE_HZ = 0.25       # left side a grid step flat, right side a step sharp: slow beating, width
LEVEL = 0.04           # bed gain: the bed alone measures about -33.5 LUFS, warm or cool alike
                       # (13 LU under a voice levelled to -20; ducked, 25 LU under)

# Chords as (bass MIDI note, pad MIDI notes) in A minor, warm voicing.  The cool layer
# plays each an octave higher and adds a shimmer note two octaves above the first pad.
CHORDS = {
    "i": (45, (57, 60, 64)),      # A2 | A3 C4 E4
    "VI": (41, (57, 60, 64)),     # F2 | A3 C4 E4  (Fmaj7 colour)
    "III": (48, (55, 60, 64)),    # C3 | G3 C4 E4
    "VII": (43, (55, 59, 62)),    # G2 | G3 B3 D4
    "iv": (50, (57, 62, 65)),     # D3 | A3 D4 F4
}
PROGRESSIONS = (("i", "VI", "III", "VII"), ("i", "iv", "VI", "i"),
                ("VI", "III", "VII", "i"), ("i", "VI", "iv", "VII"))

# Timbre per layer: (harmonics, slope): harmonic k at 1/k**slope.  Six soft harmonics are
# dark and round; twelve at a shallow slope are bright.
TIMBRE = {"warm": (6, 2.2), "cool": (12, 1.1)}


@dataclass(frozen=True)
class Segment:
    """A stretch of the bed: [start, end) seconds of film time, its warmth (1 warm and
    dark, 0 cool and bright; a pair ramps from the first to the second across the
    segment) and a gain in dB.  Segments are usually the film's acts."""
    start: float
    end: float
    warmth: float | tuple[float, float] = 1.0
    gain_db: float = 0.0

    @property
    def warmth_span(self) -> tuple[float, float]:
        w = self.warmth
        return (float(w[0]), float(w[1])) if isinstance(w, tuple) else (float(w), float(w))


@dataclass(frozen=True)
class Chord:
    """One chord of one layer ('warm' or 'cool') sounding over [t0, t1): it rises over
    [t0, t0 + rise), holds, and falls over [t1 - fall, t1), at `gain`."""
    name: str
    layer: str
    gain: float
    t0: float
    t1: float
    rise: float
    fall: float


def _midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69.0) / 12.0)


def voicing(name: str, layer: str) -> list[tuple[float, float]]:
    """(MIDI note, amplitude) of a chord in a layer: warm is low (bass an octave down),
    cool an octave up with a faint shimmer two octaves above the first pad note."""
    bass, pads = CHORDS[name]
    if layer == "warm":
        return [(bass - 12, 0.55), *[(p, 0.22) for p in pads]]
    return [(bass, 0.35), *[(p + 12, 0.2) for p in pads], (pads[0] + 24, 0.07)]


@functools.lru_cache(maxsize=64)
def chord_loop(name: str, layer: str, side: int, seed: int, rate: int = RATE) -> np.ndarray:
    """One LOOP_S-second cycle of a chord on one side, float64.

    Built as a spectrum and inverse-FFT'd: every note is put on the 1/LOOP_S Hz grid, so
    each harmonic is exactly one FFT bin, the loop repeats seamlessly, and the sound is
    band-limited additive synthesis with no table interpolation.  Played as
    ``loop[n % len(loop)]`` for absolute sample n, which is what makes the bed random
    access.  Start phases come from (seed, chord, layer, side).
    """
    L = LOOP_S * rate
    spec = np.zeros(L // 2 + 1, np.complex128)
    rng = np.random.default_rng([int(seed), sorted(CHORDS).index(name),
                                 ("warm", "cool").index(layer), side])
    harmonics, slope = TIMBRE[layer]
    detune = (-DETUNE_HZ, DETUNE_HZ)[side]
    for midi, amp in voicing(name, layer):
        cycles = int(round((_midi_hz(midi) + detune) * LOOP_S))
        for k in range(1, harmonics + 1):
            b = k * cycles
            if b >= L // 2:
                break
            phase = 2 * np.pi * rng.random()
            spec[b] += amp / k ** slope * np.exp(1j * phase)
    # irfft of a unit bin gives amplitude 2/L: scale so a bin of 1 is a sine of amplitude 1
    return np.fft.irfft(spec, n=L) * (L / 2)


def _neighbours(segments):
    """For each segment: whether another segment ends where it starts / starts where it
    ends (those boundaries cross-fade; the others fade from or into silence)."""
    starts = {round(s.start, 6) for s in segments}
    ends = {round(s.end, 6) for s in segments}
    return [(round(s.start, 6) in ends, round(s.end, 6) in starts) for s in segments]


def _half_fade(seg: Segment, fade: float) -> float:
    return min(fade / 2.0, (seg.end - seg.start) / 3.0)


@functools.lru_cache(maxsize=16)
def score(segments: tuple[Segment, ...], seed: int = 0,
          fade: float = SEGMENT_XFADE_S) -> tuple[Chord, ...]:
    """Every chord of the bed, both layers: a pure function of the segments and the seed
    (each segment's progression comes from a generator seeded with (seed, segment index),
    so no segment depends on the ones before it)."""
    chords = []
    for i, (seg, (has_prev, has_next)) in enumerate(zip(segments, _neighbours(segments))):
        rng = np.random.default_rng([int(seed), i])
        prog = PROGRESSIONS[int(rng.integers(len(PROGRESSIONS)))]
        h = _half_fade(seg, fade)
        seg_t0 = seg.start - h if has_prev else seg.start
        seg_t1 = seg.end + h if has_next else seg.end
        gain = 10.0 ** (seg.gain_db / 20.0)
        n_chords = max(1, int(np.ceil((seg.end - seg.start) / CHORD_S - 1e-9)))
        xf = CHORD_XFADE_S
        for j in range(n_chords):
            first, last = j == 0, j == n_chords - 1
            t0 = seg_t0 if first else seg.start + j * CHORD_S - xf / 2
            t1 = seg_t1 if last else seg.start + (j + 1) * CHORD_S + xf / 2
            for layer in ("warm", "cool"):
                chords.append(Chord(prog[j % len(prog)], layer, gain, t0, t1,
                                    2 * h if first else xf, 2 * h if last else xf))
    return tuple(chords)


@functools.lru_cache(maxsize=16)
def _warmth_knots(segments: tuple[Segment, ...], fade: float):
    """The warmth curve's corners (times, values): each segment holds its value (or ramps)
    between its cross-fades, and adjacent segments are joined linearly across them."""
    xs, ws = [], []
    for seg, (has_prev, has_next) in zip(segments, _neighbours(segments)):
        h = _half_fade(seg, fade)
        w0, w1 = seg.warmth_span
        xs += [seg.start + h if has_prev else seg.start, seg.end - h if has_next else seg.end]
        ws += [w0, w1]
    order = np.argsort(xs, kind="stable")
    return tuple(np.asarray(xs, float)[order]), tuple(np.asarray(ws, float)[order])


def warmth_at(segments, t: np.ndarray, fade: float = SEGMENT_XFADE_S) -> np.ndarray:
    """The warmth curve at times `t` (1 where there are no segments)."""
    xs, ws = _warmth_knots(tuple(segments), float(fade))
    if not xs:
        return np.ones_like(np.asarray(t, dtype=np.float64))
    return np.interp(t, xs, ws)


def _add_loop(out: np.ndarray, loop: np.ndarray, n0: int, gain) -> None:
    """out += gain * loop[(n0 + i) % L] for i in range(len(out)), by whole slices
    (`gain` a number or an array as long as `out`)."""
    L, i = len(loop), 0
    while i < len(out):
        k = (n0 + i) % L
        m = min(L - k, len(out) - i)
        g = gain if np.isscalar(gain) else gain[i:i + m]
        out[i:i + m] += g * loop[k:k + m]
        i += m


def _ramp(t: np.ndarray, edge: float, length: float, rising: bool) -> np.ndarray:
    u = np.clip((t - edge) / length if rising else (edge - t) / length, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _chord_gain(chord: Chord, a: int, b: int, rate: int):
    """The chord's gain over absolute samples [a, b): a number while it holds, an array
    over its raised-cosine rise and fall."""
    held = (chord.rise <= 0 or a / rate >= chord.t0 + chord.rise) and \
           (chord.fall <= 0 or (b - 1) / rate < chord.t1 - chord.fall)
    if held:
        return chord.gain
    t = np.arange(a, b, dtype=np.float64) / rate
    env = np.full(b - a, chord.gain)
    if chord.rise > 0:
        env *= _ramp(t, chord.t0, chord.rise, True)
    if chord.fall > 0:
        env *= _ramp(t, chord.t1, chord.fall, False)
    return env


def _layer_gains(segments, a: int, b: int, rate: int, fade: float):
    """Equal-power warm and cool gains over absolute samples [a, b): numbers where the
    warmth holds still across the block, arrays where it ramps."""
    t_ends = np.array([a, b - 1], dtype=np.float64) / rate
    w_ends = warmth_at(segments, t_ends, fade)
    knots = _warmth_knots(tuple(segments), float(fade))[0]
    inside = any(t_ends[0] < x < t_ends[1] for x in knots)
    if w_ends[0] == w_ends[1] and not inside:
        w = float(w_ends[0])
    else:
        w = warmth_at(segments, np.arange(a, b, dtype=np.float64) / rate, fade)
    warm, cool = np.sin(w * np.pi / 2), np.cos(w * np.pi / 2)
    if np.isscalar(warm) or np.ndim(warm) == 0:
        return float(warm) if warm > 1e-7 else 0.0, float(cool) if cool > 1e-7 else 0.0
    warm[warm < 1e-7] = 0.0          # cos(pi/2) is 6e-17, not 0: a silent layer is skipped
    cool[cool < 1e-7] = 0.0
    return warm, cool


BLOCK = 16_384     # samples per block: the working arrays stay in cache


def render(segments, a: float, b: float, rate: int = RATE, seed: int = 0,
           fade: float = SEGMENT_XFADE_S, level: float = LEVEL) -> np.ndarray:
    """The bed over [a, b) of film time as (n, 2) float32, n = round(b*rate) - round(a*rate).

    Pure in (segments, rate, seed): every sample is computed from its absolute index
    alone, so rendering [a, b) alone gives the same samples as slicing a render of the
    whole film, and spans and chunks can be rendered anywhere.  Works block by block
    (blocks aligned to absolute multiples of BLOCK), skipping silent layers and chords.
    """
    segments = tuple(segments)
    i0, i1 = sample_index(a, rate), sample_index(b, rate)
    out = np.zeros((max(0, i1 - i0), 2), np.float32)
    chords = score(segments, int(seed), float(fade))
    spans = [(max(0, int(np.ceil(c.t0 * rate))), int(np.ceil(c.t1 * rate))) for c in chords]
    bs = i0
    while bs < i1:
        be = min(i1, (bs // BLOCK + 1) * BLOCK)
        gains = dict(zip(("warm", "cool"), _layer_gains(segments, bs, be, rate, fade)))
        mix = np.zeros((2, be - bs))
        for layer, lg in gains.items():
            if np.isscalar(lg) and lg == 0.0:
                continue
            bus = np.zeros((2, be - bs))
            for chord, (c0, c1) in zip(chords, spans):
                lo, hi = max(bs, c0), min(be, c1)
                if chord.layer != layer or hi <= lo:
                    continue
                g = _chord_gain(chord, lo, hi, rate)
                for side in (0, 1):
                    _add_loop(bus[side, lo - bs:hi - bs],
                              chord_loop(chord.name, layer, side, int(seed), rate), lo, g)
            mix += bus * lg
        # a little of each side in the other: wide, not two separate instruments
        out[bs - i0:be - i0, 0] = level * (mix[0] + 0.3 * mix[1])
        out[bs - i0:be - i0, 1] = level * (mix[1] + 0.3 * mix[0])
        bs = be
    return out


def segments_from_acts(acts, warmth_of) -> tuple[Segment, ...]:
    """Segments from (name, start, end) acts and a warmth for each name (a number or a
    (from, to) pair): the film's act table maps to the bed in one line."""
    return tuple(Segment(float(s), float(e), warmth_of(name)) for name, s, e in acts)
