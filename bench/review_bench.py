"""Time the review pack of a whole film: python bench/review_bench.py [SCENE] [-o OUT.pdf]

What ``hepaanim review SCENE`` does, phase by phase: build the film (scene, acts, script
table, claims), hash every frame of every line's window (the 3D state once a frame, in one
forked worker a core, plus each line's own overlay), render a 320x180 draft thumbnail at
each line's midpoint with the film's renderer, then lay out the PDF, manifest and
thumbnails.  ``--lang L`` packs a translation.  The floor is one minute for the whole film
on the 2-core CPU machine (llvmpipe).
Last line: ``seconds=<n>`` (the whole pack, wall clock, film build included).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hepaanim.loader import load  # noqa: E402
from hepaanim.script import film_pack  # noqa: E402

FLOOR_S = 60.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("scene", nargs="?", default=str(ROOT / "scenes" / "hepastem_moa.py"))
    ap.add_argument("-o", "--out", default=None, help="keep the pack here")
    ap.add_argument("--lang", default="en")
    args = ap.parse_args()
    t0 = time.perf_counter()
    film = load(args.scene)
    t1 = time.perf_counter()
    windows = dict(sorted(film_pack.line_windows(film).items(), key=lambda kv: kv[1]))
    film_pack.frame_digests(film, windows)
    t2 = time.perf_counter()
    film_pack.thumbnails(film, windows, lang=args.lang)
    t3 = time.perf_counter()
    # The pack itself (digests and thumbnails again inside build: timed as a whole below).
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "bench.review.pdf"
        s0 = time.perf_counter()
        manifest = film_pack.build(film, out, lang=args.lang, scene=args.scene)
        s1 = time.perf_counter()
        size = out.stat().st_size
    frames = len({i for a, b in windows.values()
                  for i in range(round(a * film.fps), round(b * film.fps))})
    print(f"film={Path(args.scene).name} duration={film.duration:g}s lines={len(manifest['lines'])} "
          f"frames_hashed={frames} pdf_bytes={size}")
    print(f"build_film={t1 - t0:.2f}s digests={t2 - t1:.2f}s thumbnails={t3 - t2:.2f}s "
          f"pack={s1 - s0:.2f}s (its digests, thumbnails, PDF)")
    total = (t1 - t0) + (s1 - s0)
    # CPU seconds (this process, its forked workers and llvmpipe's threads): what the
    # pack costs whatever else the machine is doing; wall time is what a user waits.
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(f"cpu_seconds={cpu:.1f} (whole bench: film, one timed pass of each phase, the pack) "
          f"cores={os.cpu_count()} load_average={os.getloadavg()[0]:.1f}")
    print(f"floor={FLOOR_S:g}s {'ok' if total < FLOOR_S else 'OVER'}")
    print(f"seconds={total:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
