"""Encoder benchmark: imageio-ffmpeg's own writer against our FFmpegSink, same frames.

    python bench/encode_bench.py [--seconds S] [--rounds R] [--resolution WxH]

Why it exists: the design card says frames reach MP4 "via imageio", while the encoder
pipes to imageio-ffmpeg's ffmpeg by hand.  This measures whether ``imageio_ffmpeg.
write_frames`` (a generator that writes each frame to ffmpeg's stdin in the caller's
thread) costs anything against ``output.encoders.FFmpegSink`` (a writer thread, a 1 MiB
pipe, frames rendered into lent buffers).  Both get the same ffmpeg arguments: the BT.709
conversion and tags, libx264 veryfast CRF 18, yuv420p, +faststart.

Two modes, alternated A B A B ... so the host's load drifts evenly over both:

* live: the standard scene at 720p rendered and encoded, as ``hepaanim render`` does
  (FFmpegSink renders into its lent buffers; the imageio writer gets fresh bytes);
* encode: pre-rendered frames written as they are (the encoders' own cost).

Prints, per trial, fps (wall) and CPU ms per frame (this process, ffmpeg, total), then
the medians, and whether the two writers produced the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hepaanim  # noqa: E402,F401  (before numpy, as the command line: one BLAS thread)
import standard_scene  # noqa: E402

import imageio_ffmpeg  # noqa: E402

from hepaanim.output.encoders import FFmpegSink, codec_args  # noqa: E402
from hepaanim.render.frames import make_renderer  # noqa: E402
from hepaanim.timeline import Film  # noqa: E402


def cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def imageio_writer(path: Path, size, fps: float):
    """imageio-ffmpeg's writer with our arguments: its own -vcodec/-pix_fmt, the rest
    (BT.709 filter and tags, preset, CRF, faststart) as output_params."""
    args = codec_args("mp4", fps)
    params = args[:args.index("-c:v")] + ["-preset", "veryfast", "-crf", "18",
                                          "-movflags", "+faststart", "-an"]
    gen = imageio_ffmpeg.write_frames(str(path), size, pix_fmt_in="rgba",
                                      pix_fmt_out="yuv420p", fps=fps, codec="libx264",
                                      quality=None, macro_block_size=1,
                                      ffmpeg_log_level="error", output_params=params)
    gen.send(None)
    return gen


def trial(kind: str, mode: str, film, renderer, frames, n: int, fps: float, size, out: Path):
    (c0, k0), t0 = cpu(), time.perf_counter()
    if kind == "sink":
        sink = FFmpegSink(out, size, fps, "mp4")
        for i in range(n):
            if mode == "live":
                sink.write(renderer.render(film.evaluate(i / fps), sink.buffer()))
            else:
                sink.write(frames[i % len(frames)])
        sink.close()
    else:
        gen = imageio_writer(out, size, fps)
        for i in range(n):
            gen.send(renderer.render(film.evaluate(i / fps)) if mode == "live"
                     else frames[i % len(frames)])
        gen.close()
    dt = time.perf_counter() - t0
    c1, k1 = cpu()
    return {"fps": n / dt, "me": (c1 - c0) / n * 1e3, "ffmpeg": (k1 - k0) / n * 1e3,
            "md5": hashlib.md5(out.read_bytes()).hexdigest()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--modes", default="live,encode")
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.lower().split("x"))
    standard_scene.SECONDS = a.seconds
    film = Film("standard", a.fps)
    standard_scene.build(film)
    n = film.frame_count(a.fps)
    with make_renderer(w, h, "fxaa", "draft") as r, tempfile.TemporaryDirectory() as tmp:
        frames = [bytes(r.render(film.evaluate(i / a.fps))) for i in range(min(n, 30))]
        print(f"standard scene {w}x{h}, {n} frames a trial, {a.rounds} rounds, alternating")
        for mode in a.modes.split(","):
            res = {"sink": [], "imageio": []}
            trial("sink", mode, film, r, frames, min(n, 15), a.fps, (w, h),
                  Path(tmp) / "warm.mp4")
            for k in range(a.rounds):
                for kind in (("sink", "imageio") if k % 2 == 0 else ("imageio", "sink")):
                    t = trial(kind, mode, film, r, frames, n, a.fps, (w, h),
                              Path(tmp) / f"{kind}.mp4")
                    res[kind].append(t)
                    print(f"  {mode:6} {kind:7} {t['fps']:6.1f} fps  CPU ms/frame: "
                          f"this process {t['me']:5.1f}, ffmpeg {t['ffmpeg']:5.1f}, "
                          f"total {t['me'] + t['ffmpeg']:5.1f}", flush=True)
            for kind, ts in res.items():
                med = {m: statistics.median(t[m] for t in ts) for m in ("fps", "me", "ffmpeg")}
                print(f"{mode} {kind} median: {med['fps']:.1f} fps, CPU ms/frame this process "
                      f"{med['me']:.1f}, ffmpeg {med['ffmpeg']:.1f}, "
                      f"total {med['me'] + med['ffmpeg']:.1f}")
            same = res["sink"][-1]["md5"] == res["imageio"][-1]["md5"]
            print(f"{mode}: same bytes from both writers: {same}")


if __name__ == "__main__":
    main()
