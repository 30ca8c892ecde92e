"""Cost of the accessibility gate's flash meter, in ms per frame (wall and CPU).

    python bench/flash_bench.py [--frames N]

Feeds FlashMeter changing RGBA frames (a moving gradient with a flashing patch, so every
block's runs and the window ring do real work) at 480p, 720p and 1080p, and prints each
size's wall and CPU milliseconds a frame (the median of 5 rounds, so a busy machine's
spikes do not count).  The gate runs it over every rendered frame, so it has to cost far
less than rendering one.  Last line: `flash_ms_480p=<CPU ms a 480p frame>`.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from hepaanim.access import FlashMeter

SIZES = {"480p": (854, 480), "720p": (1280, 720), "1080p": (1920, 1080)}


def frames(w: int, h: int, n: int = 8) -> list[np.ndarray]:
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    out = []
    for i in range(n):
        f = np.zeros((h, w, 4), np.uint8)
        f[..., 0] = ((x + 31 * i) % 256).astype(np.uint8)
        f[..., 1] = 80
        f[..., 2] = np.linspace(0, 255, h, dtype=np.float32)[:, None].astype(np.uint8)
        if i % 2:
            f[h // 4:h // 2, w // 4:w // 2, :3] = 255
        out.append(f)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300, help="frames per round")
    args = ap.parse_args()
    result = {}
    for name, (w, h) in SIZES.items():
        fs = frames(w, h)
        walls, cpus = [], []
        for _ in range(5):
            m = FlashMeter(30, (w, h))
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(args.frames):
                m.add(fs[i % len(fs)])
            walls.append((time.perf_counter() - t0) / args.frames * 1e3)
            cpus.append((time.process_time() - c0) / args.frames * 1e3)
        result[name] = statistics.median(cpus)
        print(f"{name:>6} {w}x{h}: {statistics.median(walls):.2f} ms wall, "
              f"{statistics.median(cpus):.2f} ms CPU a frame")
    print(f"flash_ms_480p={result['480p']:.2f}")


if __name__ == "__main__":
    main()
