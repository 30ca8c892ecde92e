"""End-to-end render benchmark: the standard scene to MP4, as `hepaanim render` does it.

    python bench/render_bench.py [--resolution WxH] [--seconds S] [--aa none|edge|fxaa]

Prints render-only fps (no encoder), end-to-end fps (render + encode to H.264), CPU ms per
frame (this process and ffmpeg together), peak RSS, and last `fps=<end-to-end>`.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hepaanim  # noqa: E402,F401  (before numpy, as the command line: one BLAS thread)
import standard_scene  # noqa: E402

from hepaanim.render.frames import FrameRange, Settings, make_renderer, render_frames  # noqa: E402,E501
from hepaanim.timeline import Film  # noqa: E402


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--aa", default="none",
                    help="none (as DESIGN.md measured), fxaa (the presets' default), edge")
    ap.add_argument("--look", default="draft",
                    help="draft (as DESIGN.md measured: no bloom or depth of field) or full")
    ap.add_argument("--skip-render-only", action="store_true")
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.lower().split("x"))
    standard_scene.SECONDS = a.seconds
    film = Film("standard", a.fps)
    standard_scene.build(film)
    n = film.frame_count(a.fps)
    aa = a.aa
    print(f"standard scene: {film.scene.counts()}  {w}x{h} aa={aa} look={a.look}  {n} frames")

    if not a.skip_render_only:
        with make_renderer(w, h, aa, a.look) as r:
            r.render(film.evaluate(0))
            m = min(n, 150)
            t0, c0 = time.perf_counter(), cpu_seconds()
            for i in range(m):
                r.render(film.evaluate(i / a.fps))
            dt, dc = time.perf_counter() - t0, cpu_seconds() - c0
        print(f"render only: {m / dt:.1f} fps, {dt / m * 1000:.1f} ms/frame wall, "
              f"{dc / m * 1000:.1f} ms/frame CPU")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        t0, c0 = time.perf_counter(), cpu_seconds()
        render_frames(film, "mp4", out, Settings(w, h, a.fps, aa, a.look), FrameRange(0, n),
                      quiet=True)
        dt, dc = time.perf_counter() - t0, cpu_seconds() - c0
        size = out.stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"end to end: {n / dt:.1f} fps, {dc / n * 1000:.1f} ms/frame CPU (render + encode), "
          f"{size / 1e6:.1f} MB, peak RSS {rss:.0f} MB")
    print(f"peak_rss_mb={rss:.0f}")
    print(f"fps={n / dt:.2f}")


if __name__ == "__main__":
    main()
