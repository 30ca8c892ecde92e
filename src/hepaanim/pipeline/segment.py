"""One segment: frames [first, stop) streamed to their own self-contained video file.

Every runner (inline, process pool, Dask) renders a chunk through ``render_segment``, frame
by frame as ``render.frames.render_frames`` does, so a segment's bytes depend only on its
frames and settings, never on where it was drawn.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

from ..output.encoders import FFmpegSink
from ..render.frames import frame_bytes
from .digest import ContentDigest
from .job import Job


def _claim(marker: str | None) -> bool:
    if not marker:
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def render_segment(film, renderer, job: Job, path: Path, first: int, stop: int,
                   progress=None, kill_once: str | None = None,
                   digest: ContentDigest | None = None) -> Path:
    """Render frames [first, stop) into one self-contained segment at `path` (atomic),
    frame by frame as ``render_frames`` does (``frames.frame_bytes``).

    With `digest`, the frame states drawn are also fed to it, so a worker can prove that
    it drew what the coordinator keyed (its own copy of the scene may have been edited).
    `kill_once` is a fault-injection hook for tests: the first process that creates that
    marker file kills itself with SIGKILL halfway through the chunk.
    """
    fps = job.settings.fps
    source = film if digest is None else digest.watch(film)
    sink = FFmpegSink(path, job.settings.size, fps, job.fmt)
    try:
        for i in range(first, stop):
            sink.write(frame_bytes(renderer, source, i / fps, fps, job.settings.motion_blur,
                                   out=sink.buffer()))
            if digest is not None:
                digest.end_frame()
            if progress is not None:
                progress(1)
            if kill_once and i == (first + stop) // 2 and _claim(kill_once):
                os.kill(os.getpid(), signal.SIGKILL)
        return sink.close()
    except BaseException:
        sink.abort()
        raise

