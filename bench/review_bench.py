"""Time the review pack: python bench/review_bench.py [DATA_FOLDER] [-o OUT.pdf]

``--lines N`` keeps the first N entries (e.g. 40, the captions of a short film).
Today it times the part that does not render: loading the film's script table, claims
and references, formatting the references, drawing the PDF (one entry per line, each with
a thumbnail) and writing its manifest and thumbnails.  Thumbnails are synthetic 320×180
frames (a gradient and a block per line), standing in for the renderer's; act start times
follow the acts' order in the table, each act as long as its last line.
Last line: ``seconds=<n>`` (the whole pack, wall clock).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hepaanim.script import check, load_film_data, unclaimed_lines, unused_claims  # noqa: E402
from hepaanim.script.review import FilmInfo, Pack, entries_from, write_pack  # noqa: E402


def fake_frame(k: int, w: int = 320, h: int = 180) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 0] = (20 + 60 * x / w).astype(np.uint8)
    img[..., 1] = (30 + 40 * y / h + 7 * (k % 9)).astype(np.uint8)
    img[..., 2] = 70 + (k * 37) % 120
    img[..., 3] = 255
    x0 = 20 + (k * 23) % (w - 80)
    img[60:120, x0:x0 + 60, :3] = (240, 120 + (k * 11) % 120, 80)
    return img


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT / "scenes" / "hepastem"))
    ap.add_argument("-o", "--out", default=None)
    ap.add_argument("--lines", type=int, default=0, help="only the first N entries")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = load_film_data(args.folder)
    starts, t = {}, 0.0
    for ln in data.script:
        if ln.act not in starts:
            starts[ln.act] = t
            t += max(x.end for x in data.script.for_act(ln.act))
    thumbs = {ln.id: fake_frame(k) for k, ln in enumerate(data.script)}
    digests = {ln.id: f"{k:040x}" for k, ln in enumerate(data.script)}
    t1 = time.perf_counter()
    entries, refs = entries_from(data, starts, thumbs, digests)
    if args.lines:
        entries = entries[:args.lines]
    t2 = time.perf_counter()
    pack = Pack(FilmInfo(data.settings.name or Path(args.folder).name, "bench", "2026-01-01",
                         t, 30.0, args.folder), entries, refs,
                [(c, data.claims[c].statement) for c in unused_claims(data)],
                [(i, data.script[i].text["en"]) for i in unclaimed_lines(data)],
                [str(p) for p in check(data)])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "bench.review.pdf"
        write_pack(pack, out)
        t3 = time.perf_counter()
        size = out.stat().st_size
    print(f"lines={len(entries)} references={len(refs)} pdf_bytes={size}")
    print(f"load+frames={t1 - t0:.2f}s entries+citeproc={t2 - t1:.2f}s pdf+manifest={t3 - t2:.2f}s")
    print(f"seconds={t3 - t0:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
