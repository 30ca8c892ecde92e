"""Time the sound engine on a film-length span: bed, voices, mix (and its picture).

Stub until the film has its script table: it mixes a synthetic soundtrack as long as the
film (125 s: a warm -> cool bed over five acts, one espeak-ng line every ~12 s) and
reports the CPU seconds of each stage, and the overhead against a film render of
``--render-seconds`` (4.5 min, the film at -q high on this machine kind).  When the film
is wired in, the render is timed in the same run, with and without sound.

    python bench/sound_bench.py [--seconds 125] [--render-seconds 270] [--plot PNG]

The last line is ``overhead=<ratio>`` (the issue asks <= 0.05).  Times are the best of
``--repeat`` runs of process CPU time: the machine is shared, and wall time on two busy
cores measures the neighbours.
"""
from __future__ import annotations

import argparse
import time

import hepaanim  # noqa: F401  (one BLAS thread, as the command line sets)
import numpy as np

from hepaanim.audio import levels, mix, music, plot, voice

# narration about as dense as an explainer's: a line of two sentences every ~12 s
LINES = ["The liver filters the blood that leaves the gut. It clears toxins and makes "
         "the proteins the body needs.",
         "In acute-on-chronic liver failure, inflammation spreads through the tissue. "
         "Immune cells gather and call in more of their kind.",
         "Stellate cells wake up and lay down scar tissue. The scar stiffens the liver "
         "and blood struggles to pass.",
         "Liver-derived stem cells are infused into a vein. They travel with the blood "
         "and settle in the liver.",
         "There they release signalling factors. The factors calm the immune cells and "
         "the inflammation settles.",
         "In studies so far, scarring was reduced. The liver's architecture begins to "
         "recover.",
         "This therapy is investigational. Its safety and efficacy are still being "
         "studied in clinical trials.",
         "Ask your doctor whether a clinical trial is right for you. Thank you for "
         "watching.",
         "Blood flows through the sinusoids, past the liver cells, toward the central "
         "vein.",
         "Each lobule repeats this pattern thousands of times across the organ."]


def synthetic(seconds: float, n_lines: int | None = None):
    """Segments (five acts, warm to cool) and `n_lines` voice clips (default one per
    12.5 s) spread over `seconds`."""
    cuts = np.linspace(0, seconds, 6)
    warmth = [1.0, 1.0, 1.0, (1.0, 0.0), 0.0]
    segs = tuple(music.Segment(float(a), float(b), w)
                 for a, b, w in zip(cuts[:-1], cuts[1:], warmth))
    n = n_lines or max(1, int(seconds // 12.5))
    lines = [voice.Line(f"l{i}", LINES[i % len(LINES)], 2.0 + i * seconds / n,
                        2.0 + (i + 1) * seconds / n) for i in range(n)]
    return segs, lines


def best(fn, repeat):
    out, times = None, []
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return out, min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=125.0)
    ap.add_argument("--render-seconds", type=float, default=270.0)
    ap.add_argument("--lines", type=int, help="narrated lines (default one per 12.5 s)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--plot", help="also write the waveform-and-loudness PNG here")
    args = ap.parse_args(argv)

    segs, lines = synthetic(args.seconds, args.lines)
    t = time.perf_counter()          # wall time: espeak-ng runs in a child process
    voiced = voice.voice_lines(lines, "en")
    t_voice = time.perf_counter() - t
    music.score.cache_clear()
    music.chord_loop.cache_clear()
    bed, t_bed_cold = best(lambda: music.render(segs, 0, args.seconds), 1)
    bed, t_bed = best(lambda: music.render(segs, 0, args.seconds), args.repeat)
    clips = [mix.Clip(v.line.id, v.line.start, v.audio) for v in voiced]
    m, t_mix = best(lambda: mix.mix(clips, bed, 0, args.seconds), args.repeat)
    print(f"span {args.seconds:g} s, {len(lines)} lines, 48 kHz stereo")
    print(f"voices (espeak-ng, {len(lines)} lines): {t_voice:.2f} s wall "
          f"(once per text: shipped as scratch takes)")
    print(f"bed: {t_bed_cold:.2f} s CPU first render (chord loops built), {t_bed:.2f} s after")
    print(f"mix (level, place, duck, normalise, limit): {t_mix:.2f} s CPU")
    print(f"result: {m.lufs:.2f} LUFS integrated, true peak {m.true_peak_db:.2f} dBTP, "
          f"gain {m.gain_db:+.1f} dB, limiter at most -{m.reduction_db:.1f} dB")
    if args.plot:
        plot.plot_mix(m.audio, args.plot, speech=m.speech,
                      title=f"synthetic {args.seconds:g} s mix")
        print(f"wrote {args.plot}")
    sound = t_bed_cold + t_mix
    print(f"sound {sound:.2f} s against a {args.render_seconds:g} s render "
          f"(scratch voices come from shipped takes, not counted)")
    print(f"overhead={sound / args.render_seconds:.4f}")
    # keep the reference meter honest in the numbers printed
    assert abs(levels.integrated_lufs_reference(m.audio) - m.lufs) < 0.01


if __name__ == "__main__":
    main()
