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

from ..output.encoders import open_sink
from .framing import framed
from .gl.renderer import AA_MODES, Renderer, RenderSettings, aa_settings  # noqa: F401
from .settings import QUALITY, Settings  # noqa: F401



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


def make_renderer(settings: Settings | int, height: int | None = None, aa: str = "fxaa",
                  look: str = "full", hdr: bool = False, scale: float = 1.0) -> Renderer:
    """``settings.renderer()``; also ``make_renderer(width, height, aa, look, hdr, scale)``,
    the short form tests and benches use for a bare renderer."""
    if not isinstance(settings, Settings):
        settings = Settings(settings, height, 30.0, aa, look, hdr, scale)
    return settings.renderer()


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


def render_frames(film, fmt: str, out, settings: Settings, frames: FrameRange,
                  quiet: bool = False, **sink_kw) -> dict:
    """Stream frames to a sink; on any error or Ctrl-C the previous output is untouched."""
    renderer = settings.renderer()
    fps, blur = settings.fps, settings.motion_blur
    sink = None
    progress = Progress(len(frames), quiet, label=film.name)
    if settings.transparent and fmt in ("webm", "mov"):
        sink_kw.setdefault("alpha", True)
    try:
        sink = open_sink(fmt, out, settings.size, fps, first_frame=frames.first, **sink_kw)
        for i in range(frames.first, frames.stop):
            sink.write(frame_bytes(renderer, film, i / fps, fps, blur, out=sink.buffer()))
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
        return renderer.render(_state(renderer, film, t), out)
    acc = None
    for k in range(motion_blur):
        tk = t + shutter / fps * ((k + 0.5) / motion_blur - 0.5)
        a = np.frombuffer(renderer.render(_state(renderer, film, tk)), np.uint8
                          ).astype(np.uint32)
        acc = a if acc is None else acc + a
    frame = ((acc + motion_blur // 2) // motion_blur).astype(np.uint8)
    if out is None:
        return frame.tobytes()
    np.frombuffer(out, np.uint8)[:] = frame
    return out


def _state(renderer, film, t: float):
    """The frame state at t, its camera reframed for the renderer's aspect (1:1, 9:16:
    ``framing``); a renderer with no size (the digest pass's) gets the state as designed."""
    state = film.evaluate(t)
    s = getattr(renderer, "settings", None)
    return state if s is None else framed(film, state, s.width, s.height)


def render_versions(film, fmt: str, outs: dict, settings: Settings, frames: FrameRange,
                    quiet: bool = False) -> dict:
    """One 3D pass, one sink per language: ``outs`` maps a language to its output path.
    Each frame's shot is drawn once and each language's captions and cards composited on
    a copy of it (``Renderer.render_versions``), so four languages cost far less than four
    renders.  On any error or Ctrl-C every previous output is left as it was."""
    renderer = settings.renderer()
    fps, langs = settings.fps, list(outs)
    sinks = []
    progress = Progress(len(frames), quiet, label=f"{film.name} ({', '.join(langs)})")
    alpha = settings.transparent
    try:
        for lang in langs:
            kw = {"alpha": alpha} if fmt not in ("png", "gif") else {}
            sinks.append(open_sink(fmt, outs[lang], settings.size, fps,
                                   first_frame=frames.first, **kw))
        for i in range(frames.first, frames.stop):
            state = _state(renderer, film, i / fps)
            bufs = renderer.render_versions(state, langs, [k.buffer() for k in sinks])
            for sink, buf in zip(sinks, bufs):
                sink.write(buf)
            progress.update()
        paths = [sink.close() for sink in sinks]
        sinks = []
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    finally:
        progress.close()
        renderer.close()
    return {"paths": [str(p) for p in paths], "frames": len(frames), "fps": progress.fps}


def render_still(film, t: float, settings: Settings | int, height: int | None = None,
                 aa: str = "fxaa", look: str = "full", hdr: bool = False, fps: float = 30.0,
                 motion_blur: int = 1, scale: float = 1.0):
    """One instant as an RGBA array (top row first), equal to that frame of a render with
    the same settings; also ``render_still(film, t, width, height, ...)`` (short form)."""
    if not isinstance(settings, Settings):
        settings = Settings(settings, height, fps, aa, look, hdr, scale, motion_blur)
    with settings.renderer() as r:
        a = np.frombuffer(frame_bytes(r, film, t, settings.fps, settings.motion_blur),
                          np.uint8)
        return a.reshape(settings.height, settings.width, 4).copy()
