"""Cost of each look effect, in ms per frame (wall and CPU), at 1920x1080 by default.

    python bench/effects_bench.py [--resolution WxH] [--frames N] [--scene PATH --t T]

Renders one shot (the bloodstream by default, with depth of field and fog switched on
for the rows that measure them) in each configuration, interleaved over several rounds
so that a busy machine slows them all alike, and prints each effect's cost over the
plain draft frame.  Last line: `full_ms=<wall ms per frame of the high preset's look>`.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from hepaanim.loader import load
from hepaanim.render.frames import frame_bytes, make_renderer

ROOT = Path(__file__).resolve().parents[1]

# name: (aa, look, hdr, settings changes, motion blur samples[, render scale])
CONFIGS = {
    "draft (no AA, no effects)": ("none", "draft", False, {}, 1),
    "+ FXAA": ("fxaa", "draft", False, {}, 1),
    "+ edge AA": ("edge", "draft", False, {}, 1),
    "+ MSAA 4x": ("msaa4", "draft", False, {}, 1),
    "+ bloom": ("none", "full", False, {"aperture": 0.0}, 1),
    "+ depth of field": ("none", "full", False, {"bloom": 0.0, "aperture": 1.2}, 1),
    "+ fog": ("none", "draft", False, {"fog": 0.002}, 1),
    "+ ambient occlusion": ("none", "final", False, {"bloom": 0.0, "ao": 1.0, "ao_radius": 6.0},
                            1),
    "+ HDR float target": ("none", "draft", True, {}, 1),
    "+ motion blur x4": ("none", "draft", False, {}, 4),
    "+ render scale 0.65 (enlarged)": ("none", "full", False, {"bloom": 0.0}, 1, 0.65),
    "high preset (edge AA, 0.65 scale, bloom, fog)": ("edge", "full", False, {"fog": 0.002},
                                                      1, 0.65),
    "4k-style look (FXAA, bloom, DOF, fog, AO, HDR)": (
        "fxaa", "final", True, {"aperture": 1.2, "fog": 0.002, "ao": 1.0, "ao_radius": 6.0}, 1),
}
HIGH = "high preset (edge AA, 0.65 scale, bloom, fog)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", default="1920x1080")
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--scene", default=str(ROOT / "scenes" / "bloodstream.py"))
    ap.add_argument("--t", type=float, default=2.0)
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.lower().split("x"))
    film = load(a.scene)
    base = film.evaluate(a.t)
    dist = float(np.linalg.norm(base.camera.position - base.camera.target))
    results = {k: [] for k in CONFIGS}
    for _ in range(a.rounds):
        for name, (aa, look, hdr, changes, mb, *scale) in CONFIGS.items():
            with make_renderer(w, h, aa, look, hdr, *scale) as r:
                class Shot:                       # the shot with this row's settings
                    @staticmethod
                    def evaluate(t):
                        s = film.evaluate(t)
                        ch = dict(changes)
                        if ch.get("aperture"):
                            ch.setdefault("focus_distance", dist)
                        s.settings = replace(s.settings, **ch)
                        return s
                frame_bytes(r, Shot, a.t, 30, mb)
                t0, c0 = time.perf_counter(), time.process_time()
                for i in range(a.frames):
                    frame_bytes(r, Shot, a.t + i / 30, 30, mb)
                results[name].append(((time.perf_counter() - t0) / a.frames * 1000,
                                      (time.process_time() - c0) / a.frames * 1000))
    best = {k: (min(x[0] for x in v), min(x[1] for x in v)) for k, v in results.items()}
    b_wall, b_cpu = best["draft (no AA, no effects)"]
    print(f"{Path(a.scene).name} at t={a.t}, {w}x{h}, best of {a.rounds} rounds x {a.frames} frames")
    print(f"{'configuration':48s} {'wall ms':>8s} {'CPU ms':>8s} {'+wall':>7s} {'+CPU':>7s}")
    for k, (wall, cpu) in best.items():
        print(f"{k:48s} {wall:8.1f} {cpu:8.1f} {wall - b_wall:+7.1f} {cpu - b_cpu:+7.1f}")
    print(f"full_ms={best[HIGH][0]:.1f}")


if __name__ == "__main__":
    main()
