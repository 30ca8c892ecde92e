"""What the sound adds to a film render: a real render without sound, then its sound.

In one run: render a span of the film (default: act ``dive`` at ``-q low``) with
``--no-audio`` in a child process (its CPU time, all threads: llvmpipe renders on the
CPU), then, in this process, the audio step the render command runs after the chunks are
joined (voice the lines from the shipped takes, bed, duck, the whole film's levels, the
span's mix, the AAC mux): as a first render does (the whole film's levels come shipped
with the takes, ``voice/levels.json``), and with the levels not shipped (measured once,
then cached).  CPU time,
not wall time: the machine is shared and wall time on busy cores measures neighbours.

    python bench/sound_bench.py [--act dive] [--quality low] [--plot docs/sound.png]

``--plot`` also writes the whole film's mix as a waveform-and-loudness PNG.
The last line is ``overhead=<ratio>``: the first render's sound (empty chunk cache, the
film's shipped takes and levels) over the video's CPU time; the issue asks <= 0.05.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hepaanim  # noqa: F401  (one BLAS thread, as the command line sets)

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT / "scenes" / "hepastem_moa.py"


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu() -> float:
    return time.process_time() + children_cpu()


def render_video(out: Path, cache: Path, act: str, quality: str, extra=()) -> float:
    t = children_cpu()
    r = subprocess.run([sys.executable, "-m", "hepaanim", "render", str(SCENE), "--act", act,
                        "-q", quality, "--quiet", "--no-audio", "-o", str(out),
                        "--cache-dir", str(cache), *extra], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"render failed: {r.stderr.strip()}")
    return children_cpu() - t


def sound_step(film, video: Path, a: float, b: float, cache: Path,
               shipped: bool = True) -> float:
    """The render command's audio step (audio.cli.add_sound's work) on a copy of `video`;
    `shipped=False` hides the film's voice/levels.json (the whole film is measured)."""
    from hepaanim.audio import film as sound, mux
    out = video.with_name(f"sound-{cache.name}.mp4")
    keep = sound.LEVELS_FILE
    sound.LEVELS_FILE = keep if shipped else "no-such-levels.json"
    try:
        t = cpu()
        track = sound.soundtrack(film, a, b, cache_dir=cache)
        mux.mux(video, track.audio, out)
        return cpu() - t
    finally:
        sound.LEVELS_FILE = keep


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--act", default="dive")
    ap.add_argument("--quality", default="low")
    ap.add_argument("--plot", help="write the whole film's mix as a PNG here")
    args = ap.parse_args(argv)

    from hepaanim.loader import load
    film = load(SCENE)
    act = film.find_act(args.act)
    with tempfile.TemporaryDirectory(prefix="sound-bench-") as d:
        d = Path(d)
        video = d / "video.mp4"
        t_video = render_video(video, d / "chunks", args.act, args.quality)
        first = sound_step(film, video, act.start, act.end, d / "first")
        measure = sound_step(film, video, act.start, act.end, d / "measure", shipped=False)
        again = sound_step(film, video, act.start, act.end, d / "measure", shipped=False)
    print(f"act {act.name} ({act.end - act.start:g} s) at -q {args.quality}: video "
          f"{t_video:.1f} s CPU (render --no-audio)")
    print(f"sound, first render from the shipped takes and levels: {first:.2f} s CPU")
    print(f"sound, whole film measured (levels not shipped: a new recorded take, an act "
          f"retimed): {measure:.2f} s CPU once ({measure / t_video:.4f}), then "
          f"{again:.2f} s from the cache")
    if args.plot:
        plot_film(film, Path(args.plot))
        print(f"wrote {args.plot}")
    print(f"overhead={first / t_video:.4f}")


def plot_film(film, path: Path) -> None:
    """The whole film's mix, speech shaded, to a PNG."""
    from hepaanim.audio import film as sound, plot
    track = sound.soundtrack(film, 0.0, film.duration)
    speech = sound._intervals(track.voices)
    plot.plot_mix(track.audio, path, speech=speech,
                  title=f"{film.name}, whole film (narration shaded)")


if __name__ == "__main__":
    main()
