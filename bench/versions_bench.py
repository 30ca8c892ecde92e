"""Cost of four language versions from one 3D pass against one language (issue 16).

    python bench/versions_bench.py [--scene scenes/hepastem_moa.py] [--act organ] [-q low]

Renders one act once in English alone and once in en, fr, de and ja (``render_versions``:
each frame's shot drawn once, each language's captions composited on a copy and encoded by
its own ffmpeg), at the same settings, in this process, and prints the seconds of each and
their ratio.  Four separate renders would cost about 4x; the issue's bound is 2.5x.  One run
each (the act is long enough that start-up is a small part); CPU seconds are printed too, as
the host is shared.  Last line: ``ratio=<four languages / one>``.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from hepaanim.loader import load
from hepaanim.render.frames import frame_range, render_versions
from hepaanim.render.settings import QUALITY


def _cpu() -> float:
    self_, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


def timed(film, settings, frames, langs, folder: Path) -> tuple[float, float]:
    outs = {lang: folder / f"{'_'.join(langs)}.{lang}.mp4" for lang in langs}
    c0, t0 = _cpu(), time.perf_counter()
    render_versions(film, "mp4", outs, settings, frames, quiet=True)
    return time.perf_counter() - t0, _cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="scenes/hepastem_moa.py")
    ap.add_argument("--act", default="organ")
    ap.add_argument("-q", "--quality", default="low", choices=list(QUALITY))
    args = ap.parse_args()
    film = load(args.scene)
    act = film.find_act(args.act)
    settings = QUALITY[args.quality]
    frames = frame_range(film, settings.fps, act.start, act.end)
    langs = [x for x in ("en", "fr", "de", "ja") if x in film.script.script.languages]
    print(f"{args.scene} act {act.name}: {len(frames)} frames, {settings.width}x"
          f"{settings.height} @ {settings.fps:g} fps", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        one, one_cpu = timed(film, settings, frames, ["en"], Path(tmp))
        print(f"1 language  (en): {one:6.2f} s wall, {one_cpu:6.2f} s CPU", flush=True)
        many, many_cpu = timed(film, settings, frames, langs, Path(tmp))
        print(f"{len(langs)} languages ({','.join(langs)}): {many:6.2f} s wall, "
              f"{many_cpu:6.2f} s CPU", flush=True)
    print(f"cpu_ratio={many_cpu / one_cpu:.2f}")
    print(f"ratio={many / one:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
