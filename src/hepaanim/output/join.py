"""Joining segments into one video, and checking the joined file before it is committed.

ffmpeg's concat demuxer copies the segments into one file without re-encoding
(``-f concat -safe 0 -c copy``, then ``+faststart``), so the joined file decodes to exactly
the frames its segments hold.  It is read back (frame count and duration) before it is
renamed into place: a mismatch leaves the previous output as it was.
"""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import imageio_ffmpeg

from . import atomic
from .encoders import EncoderError, count_frames


class JoinError(EncoderError):
    """Segments could not be joined, or the joined file is short (one line for the CLI)."""


def concat_segments(segments: list[Path], out_tmp: Path, fmt: str, work_dir: Path,
                    name: str | None = None) -> None:
    """Join segments into `out_tmp` with ffmpeg's concat demuxer, without re-encoding."""
    listing = Path(work_dir) / f".concat.partial-{os.getpid()}.txt"
    lines = []
    for p in segments:
        q = str(Path(p).resolve()).replace("'", "'\\''")
        lines.append(f"file '{q}'\n")
    try:
        listing.write_text("".join(lines), encoding="utf-8")
        # WebM: no random segment UID, so equal segments give equal files.
        extra = ["-movflags", "+faststart"] if fmt == "mp4" else ["-fflags", "+bitexact"]
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0", "-c", "copy",
               *extra, "-f", fmt, str(out_tmp)]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           start_new_session=True)
        if r.returncode != 0:
            err = r.stderr.decode(errors="replace").strip()
            if not err:
                err = (f"killed by {signal.Signals(-r.returncode).name}" if r.returncode < 0
                       else f"exit code {r.returncode}")
            raise JoinError(f"ffmpeg could not join {len(segments)} segments into "
                            f"{name or out_tmp}: {err}")
    except OSError as e:
        raise JoinError(f"cannot join segments: {e}") from None
    finally:
        atomic.discard(listing)


def check_joined(path: Path, out: Path, frames: int, fps: float) -> None:
    """The joined file holds every frame for its whole duration, or it is not committed
    (a segment that lost frames after its check, a concat that skipped one)."""
    try:
        n, seconds = count_frames(path)
    except EncoderError as e:
        raise JoinError(str(e)) from None
    if n != frames or abs(seconds - frames / fps) > 1.0 / fps + 0.02:
        raise JoinError(f"the joined video has {n} frames ({seconds:.2f} s), expected "
                        f"{frames} ({frames / fps:.2f} s); {out} left as it was")

