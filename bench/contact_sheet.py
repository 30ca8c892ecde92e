"""A contact sheet of a film: one frame every N seconds, small, in a grid with its time.

Why: reading a film against its storyboard is easiest from a sheet of stills (the README's
docs/film_contact_sheet.png is made with this); each frame is the film at that instant
with its captions, titles and cards, exactly as a render draws it (``frame_bytes``).

    python bench/contact_sheet.py scenes/hepastem_moa.py --from 2.5 --render 640x360 \\
        -o docs/film_contact_sheet.png
    python bench/contact_sheet.py scenes/hepastem_moa.py --every 1 --from 0 --to 10 \\
        --size 640x360 --cols 4 -o /tmp/prologue.png
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from hepaanim.loader import load
from hepaanim.render.frames import Settings, frame_bytes


def times(duration: float, every: float, start: float = 0.0, end: float | None = None):
    """start, start + every, ... up to ``end`` (default the film's end, last frame kept
    inside the film)."""
    end = duration if end is None else min(end, duration)
    n = int(np.floor((end - start) / every + 1e-9)) + 1
    return [min(start + k * every, duration - 1e-3) for k in range(n)]


def sheet(film, ts, size=(320, 180), cols: int = 4, look: str = "draft",
          render=None) -> Image.Image:
    """The frames at ``ts`` in a grid, each stamped with its second and its act.

    ``render`` (WxH, default ``size``): draw each frame at that size and shrink it, so
    captions and cards are laid out as at that size (a card laid out at 320x180 crowds)."""
    w, h = size
    rw, rh = render or size
    rows = (len(ts) + cols - 1) // cols
    out = Image.new("RGB", (cols * w, rows * h), (0, 0, 0))
    s = Settings(rw, rh, 30.0, look=look)
    with s.renderer() as r:
        for k, t in enumerate(ts):
            a = np.frombuffer(frame_bytes(r, film, t, s.fps), np.uint8).reshape(rh, rw, 4)
            img = Image.fromarray(a[..., :3].copy())
            if (rw, rh) != (w, h):
                img = img.resize((w, h), Image.LANCZOS)
            d = ImageDraw.Draw(img)
            act = next((x.name for x in film.acts if x.start <= t < x.end), "")
            d.rectangle((0, 0, 4 + 7 * len(f"{t:.1f}s {act}"), 13), fill=(0, 0, 0))
            d.text((2, 1), f"{t:.1f}s {act}", fill=(255, 255, 255))
            out.paste(img, ((k % cols) * w, (k // cols) * h))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scene")
    p.add_argument("--every", type=float, default=5.0, help="seconds between frames")
    p.add_argument("--from", dest="start", type=float, default=0.0)
    p.add_argument("--to", dest="end", type=float, default=None)
    p.add_argument("--size", default="320x180", help="one frame, WxH")
    p.add_argument("--render", default=None, help="draw each frame at WxH, then shrink it")
    p.add_argument("--cols", type=int, default=4)
    p.add_argument("--look", default="draft", choices=("draft", "full", "final"))
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args(argv)
    try:
        w, h = (int(v) for v in a.size.lower().split("x"))
        render = tuple(int(v) for v in a.render.lower().split("x")) if a.render else None
    except ValueError:
        print(f"contact_sheet: --size {a.size!r} / --render {a.render!r} is not WxH",
              file=sys.stderr)
        return 2
    if a.every <= 0 or a.cols < 1:
        print("contact_sheet: --every must be > 0 and --cols >= 1", file=sys.stderr)
        return 2
    film = load(Path(a.scene))
    img = sheet(film, times(film.duration, a.every, a.start, a.end), (w, h), a.cols, a.look,
                render)
    img.save(a.output)
    print(f"wrote {a.output}: {img.size[0]}x{img.size[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
