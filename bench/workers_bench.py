"""Parallel-render benchmark: `hepaanim render SCENE -q medium --workers 1` against `--workers 2`.

    python bench/workers_bench.py [SCENE] [-q medium] [--workers 2] [--repeat 1] [--to S]
    python bench/workers_bench.py [SCENE] --memory     # peak RSS per worker vs film length

Each run is the CLI in a fresh process, with an empty cache folder (so every chunk is
rendered), timed end to end (interpreter start, scene load, worker start-up, render,
encode, join).  The outputs are decoded and compared frame by frame.  With --repeat, the
configurations alternate and the best time of each counts (the machine may be shared).
The last line is `speedup=<fps with N workers / fps with 1>`.

--memory renders the scene at -q low with its acts stretched 1×, 4× and 16× (same
content, more frames) and prints each worker's peak RSS: it should not grow with length.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def run_one(scene: Path, out: Path, cache: Path, quality: str, workers: int,
            to: float | None) -> dict:
    """One render in a fresh process; returns its result dict and wall time."""
    code = ("import json, sys\n"
            "from hepaanim.loader import load\n"
            "from hepaanim.render.frames import QUALITY, frame_range\n"
            "from hepaanim.pipeline.chunked import render_chunked\n"
            "scene, out, cache, q, n, to = sys.argv[1:7]\n"
            "p = QUALITY[q]\n"
            "film = load(scene)\n"
            "fr = frame_range(film, p.fps, None, float(to) if to != 'None' else None)\n"
            "res = render_chunked(scene, film, 'mp4', out, p, fr,\n"
            "                     workers=int(n), cache_dir=cache,\n"
            "                     quiet=True)\n"
            "print(json.dumps(res))\n")
    t0, c0 = time.perf_counter(), _child_cpu()
    r = subprocess.run([sys.executable, "-c", code, str(scene), str(out), str(cache), quality,
                        str(workers), str(to)], capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t0, _child_cpu() - c0
    if r.returncode != 0:
        sys.exit(f"render failed ({workers} workers):\n{r.stderr}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["wall"], res["cpu"] = wall, cpu
    return res


def _child_cpu() -> float:
    """CPU seconds of finished children (the render, its workers and ffmpegs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def decoded(path: Path):
    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)
    for f in reader:
        yield np.frombuffer(f, np.uint8)


def same_frames(a: Path, b: Path) -> tuple[bool, int]:
    n = 0
    fa, fb = decoded(a), decoded(b)
    for x in fa:
        y = next(fb, None)
        if y is None or not np.array_equal(x, y):
            return False, n
        n += 1
    return next(fb, None) is None, n


def stretched_scene(scene: Path, factor: int, dest: Path) -> Path:
    """A copy of the scene folder with every act `factor`× longer (same content)."""
    for p in scene.parent.glob("*.py"):
        text = p.read_text()
        text = re.sub(r"(\.act\(\s*[\"'][^\"']+[\"']\s*,\s*)([0-9.]+)",
                      lambda m: f"{m.group(1)}{float(m.group(2)) * factor!r}", text)
        (dest / p.name).write_text(text)
    return dest / scene.name


def memory(scene: Path, workers: int):
    print(f"peak RSS per process, {scene.name} at -q low, {workers} workers:")
    for factor in (1, 4, 16):      # 16× bloodstream at -q low: 1,920 frames
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "scene").mkdir()
            s = stretched_scene(scene, factor, tmp / "scene")
            res = run_one(s, tmp / "m.mp4", tmp / "cache", "low", workers, None)
            print(f"  {factor:>2}× length: {res['frames']:>5} frames, {res['chunks']:>3} chunks, "
                  f"worker peak RSS {', '.join(f'{m:.0f}' for m in res['worker_peak_rss_mb'])} MB, "
                  f"coordinator {res['coordinator_peak_rss_mb']:.0f} MB  ({res['wall']:.1f} s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scene", nargs="?", default="scenes/bloodstream.py")
    ap.add_argument("-q", "--quality", default="medium")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--to", type=float, default=None, help="render only up to S seconds")
    ap.add_argument("--memory", action="store_true")
    a = ap.parse_args()
    scene = (ROOT / a.scene) if not Path(a.scene).is_absolute() else Path(a.scene)
    if not scene.is_file():
        sys.exit(f"{a.scene}: no such scene file")
    if a.memory:
        memory(scene, a.workers)
        return
    best: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for rep in range(a.repeat):
            for n in (1, a.workers):
                cache = tmp / f"cache{n}"
                shutil.rmtree(cache, ignore_errors=True)
                res = run_one(scene, tmp / f"w{n}.mp4", cache, a.quality, n, a.to)
                res["wall_fps"] = res["frames"] / res["wall"]
                print(f"workers={n}: {res['frames']} frames in {res['wall']:.2f} s wall "
                      f"= {res['wall_fps']:.1f} fps end to end (render+join {res['fps']:.1f} "
                      f"fps), {res['cpu'] / res['frames'] * 1000:.0f} CPU ms/frame "
                      f"({res['cpu'] / res['wall']:.2f} cores busy), {res['chunks']} chunks, "
                      f"worker peak RSS "
                      f"{', '.join(f'{m:.0f}' for m in res['worker_peak_rss_mb'])} MB")
                if n not in best or res["wall"] < best[n]["wall"]:
                    best[n] = res
        equal, count = same_frames(tmp / "w1.mp4", tmp / f"w{a.workers}.mp4")
        same_bytes = (tmp / "w1.mp4").read_bytes() == (tmp / f"w{a.workers}.mp4").read_bytes()
    print(f"decoded frames equal: {equal} ({count} frames compared); "
          f"files byte-identical: {same_bytes}")
    s = best[a.workers]["wall_fps"] / best[1]["wall_fps"]
    print(f"best: workers=1 {best[1]['wall_fps']:.1f} fps, workers={a.workers} "
          f"{best[a.workers]['wall_fps']:.1f} fps")
    print(f"speedup={s:.2f}")


if __name__ == "__main__":
    main()
