"""The frame loop: evaluate(t) -> GL -> sink, streamed, with progress; and stills.

Frame i is always t = i / fps on the film's global time line, so a still at t equals the
matching frame of any render, whatever --from/--to/--act chose.
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from ..compose import overlay_items
from ..output.encoders import open_sink
from .gl.renderer import AA_MODES, Renderer, RenderSettings, aa_settings  # noqa: F401

@dataclass(frozen=True)
class Preset:
    width: int
    height: int
    fps: float
    aa: str = "fxaa"
    look: str = "full"      # "draft": no bloom, no depth of field; "final": + occlusion
    hdr: bool = False       # float scene target (≈ +35-45 % per frame on llvmpipe)
    scale: float = 1.0      # render scale (the shot at a fraction of the size, enlarged)


# low is a fast draft; medium and high are the full look on the fast 8-bit path; high
# renders the shot at 0.65 scale (1248x702, enlarged; captions at full 1080p) with the
# cheaper edge AA, which keeps the film at 12 fps on a 2-core CPU whose speed drifts by
# ~8 % with the host's load (at 0.75 it measured 11.8-12.1 fps, at 0.7 11.9-12.9; side by
# side at 1:1, 0.65 is slightly softer than 0.75); --render-scale 1 gives the sharpest
# master.  4k renders full-size in float HDR with FXAA and the "final" look (+ ambient
# occlusion in the shots that ask for it).  --aa, --look, --hdr and --render-scale override.
QUALITY = {
    "low": Preset(854, 480, 15, "fxaa", "draft", False),
    "medium": Preset(1280, 720, 30),
    "high": Preset(1920, 1080, 30, aa="edge", scale=0.65),
    "4k": Preset(3840, 2160, 30, look="final", hdr=True),
}
@dataclass
class FrameRange:
    first: int
    stop: int       # exclusive

    def __len__(self):
        return max(0, self.stop - self.first)


def frame_range(film, fps: float, start: float | None = None, end: float | None = None
                ) -> FrameRange:
    total = film.frame_count(fps)
    a = 0 if start is None else max(0, math.ceil(start * fps - 1e-9))
    b = total if end is None else min(total, math.ceil(end * fps - 1e-9))
    return FrameRange(a, b)


def make_renderer(width: int, height: int, aa: str = "fxaa", look: str = "full",
                  hdr: bool = False, scale: float = 1.0) -> Renderer:
    r = Renderer(RenderSettings(width, height, aa, look, hdr, scale))
    r.overlay_source = overlay_items
    return r


class Progress:
    """frames done/total, fps, ETA on stderr; silent when not a terminal or quiet."""

    def __init__(self, total: int, quiet: bool = False, label: str = ""):
        self.total, self.label = total, label
        self.enabled = not quiet and sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self.last = 0.0
        self.done = 0

    def update(self, n: int = 1):
        self.done += n
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.25 and self.done < self.total):
            return
        self.last = now
        el = now - self.t0
        fps = self.done / el if el > 0 else 0.0
        eta = (self.total - self.done) / fps if fps > 0 else 0.0
        frac = self.done / max(self.total, 1)
        bar = "█" * int(frac * 28) + "·" * (28 - int(frac * 28))
        sys.stderr.write(f"\r{self.label} {bar} {self.done}/{self.total} frames "
                         f"{fps:5.1f} fps  ETA {eta:5.1f}s ")
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()

    @property
    def fps(self) -> float:
        el = time.perf_counter() - self.t0
        return self.done / el if el > 0 else 0.0


def render_frames(film, fmt: str, out, width: int, height: int, fps: float, aa: str,
                  frames: FrameRange, quiet: bool = False, look: str = "full",
                  hdr: bool = False, motion_blur: int = 1, scale: float = 1.0,
                  **sink_kw) -> dict:
    """Stream frames to a sink; on any error or Ctrl-C the previous output is untouched."""
    renderer = make_renderer(width, height, aa, look, hdr, scale)
    sink = None
    progress = Progress(len(frames), quiet, label=film.name)
    try:
        sink = open_sink(fmt, out, (width, height), fps, first_frame=frames.first, **sink_kw)
        for i in range(frames.first, frames.stop):
            sink.write(frame_bytes(renderer, film, i / fps, fps, motion_blur, out=sink.buffer()))
            progress.update()
        path = sink.close()
        sink = None
    except BaseException:
        if sink is not None:
            sink.abort()
        raise
    finally:
        progress.close()
        renderer.close()
    return {"path": str(path), "frames": len(frames), "fps": progress.fps}


def frame_bytes(renderer, film, t: float, fps: float, motion_blur: int = 1,
                shutter: float = 0.5, out: bytearray | None = None):
    """One frame (RGBA bytes, top row first; drawn into ``out`` when one is lent).  With
    motion_blur = N, the average of N instants spread over a 180° shutter centred on t:
    time is random access, so sub-frames are exact."""
    if motion_blur <= 1:
        return renderer.render(film.evaluate(t), out)
    acc = None
    for k in range(motion_blur):
        tk = t + shutter / fps * ((k + 0.5) / motion_blur - 0.5)
        a = np.frombuffer(renderer.render(film.evaluate(tk)), np.uint8).astype(np.uint32)
        acc = a if acc is None else acc + a
    frame = ((acc + motion_blur // 2) // motion_blur).astype(np.uint8)
    if out is None:
        return frame.tobytes()
    np.frombuffer(out, np.uint8)[:] = frame
    return out


def render_still(film, t: float, width: int, height: int, aa: str = "fxaa",
                 look: str = "full", hdr: bool = False, fps: float = 30.0,
                 motion_blur: int = 1, scale: float = 1.0):
    with make_renderer(width, height, aa, look, hdr, scale) as r:
        a = np.frombuffer(frame_bytes(r, film, t, fps, motion_blur), np.uint8)
        return a.reshape(height, width, 4).copy()
