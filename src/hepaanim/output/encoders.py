"""Frame sinks: stream RGBA frames (top row first) to ffmpeg (MP4/WebM/GIF) or to PNG files.

Frames are never accumulated: each is written to the encoder's pipe as it is rendered, so
memory stays flat however long the film.  The renderer reads GL's bottom-up buffer top row
first (``GLContext.read_top_down``), so no sink flips.  Every sink writes to a temporary
name and ``close()`` renames it into place; ``abort()`` removes it.
"""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import threading
from pathlib import Path
from queue import Queue, SimpleQueue

import imageio_ffmpeg
import numpy as np
from PIL import Image

from . import atomic

FORMATS = ("mp4", "webm", "mov", "gif", "png")


class EncoderError(RuntimeError):
    pass


class FFmpegMissing(EncoderError):
    """No usable ffmpeg: a setup mistake, found before anything is rendered."""


_ADDRESS = re.compile(r"\s*@\s*0x[0-9a-fA-F]+\]")


def condense(message: str) -> str:
    """ffmpeg's errors arrive as 2-9 lines; the first names the cause (the later ones are
    the consequences: "Error initializing output stream", "Conversion failed!").  Keep it,
    drop the object addresses, and say how much more there is."""
    lines = [_ADDRESS.sub("]", ln).strip() for ln in message.splitlines() if ln.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else message
    return f"{lines[0]} (+{len(lines) - 1} more lines with --verbose)"


def ffmpeg_exe() -> str:
    """The ffmpeg that will encode, checked to run; FFmpegMissing says what to install or
    set.  (imageio-ffmpeg trusts $IMAGEIO_FFMPEG_EXE without a look.)"""
    env = os.environ.get("IMAGEIO_FFMPEG_EXE")
    fix = ("set IMAGEIO_FFMPEG_EXE to an ffmpeg binary, or unset it to use the one "
           "imageio-ffmpeg ships" if env else
           "pip install --force-reinstall imageio-ffmpeg (it ships one), or set "
           "IMAGEIO_FFMPEG_EXE to an ffmpeg binary")
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        raise FFmpegMissing(f"no ffmpeg found: {fix}") from None
    where = f"IMAGEIO_FFMPEG_EXE={env}" if env else exe
    if not os.path.isfile(exe):
        raise FFmpegMissing(f"ffmpeg not found ({where} is not a file): {fix}")
    if not os.access(exe, os.X_OK):
        raise FFmpegMissing(f"ffmpeg is not executable ({where}): chmod +x it, or {fix}")
    try:
        r = subprocess.run([exe, "-hide_banner", "-version"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise FFmpegMissing(f"ffmpeg does not run ({where}: {e}): {fix}") from None
    if r.returncode != 0 or not r.stdout.startswith(b"ffmpeg"):
        raise FFmpegMissing(f"{where} is not a working ffmpeg (\"-version\" gave exit code "
                            f"{r.returncode}): {fix}")
    return exe


_FRAME = re.compile(rb"frame=\s*(\d+)")
_DURATION = re.compile(rb"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")


def count_frames(path: Path) -> tuple[int, float]:
    """(video frames, container duration in s) of a file, by copying its video packets
    to nowhere (no decode: milliseconds for a film); ffprobe is not shipped."""
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path),
           "-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
    frames = _FRAME.findall(r.stderr)
    dur = _DURATION.search(r.stderr)
    if r.returncode != 0 or not frames or not dur:
        raise EncoderError(f"cannot read back {path}: "
                           f"{r.stderr.decode(errors='replace').strip() or r.returncode}")
    h, m, s = dur.groups()
    return int(frames[-1]), int(h) * 3600 + int(m) * 60 + float(s)


# Colour: frames are sRGB (BT.709 primaries), and players decode HD video with the BT.709
# matrix, so frames are converted with that matrix (limited range) and tagged with it,
# primaries and transfer included.  ffmpeg's default (the BT.601 matrix, untagged) showed
# the palette's therapy teal #14B8A6 as (8, 165, 165) in a BT.709 decoder.
BT709 = ["-vf", "setparams=color_primaries=bt709:color_trc=bt709,"
                "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
         "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
         "-color_range", "tv"]


def _bt709(pix_fmt: str) -> list[str]:
    return [BT709[0], BT709[1].replace("format=yuv420p", f"format={pix_fmt}"), *BT709[2:]]


def codec_args(fmt: str, fps: float, preset: str = "veryfast", crf: int = 18,
               alpha: bool = False) -> list[str]:
    """ffmpeg's output arguments.  ``alpha``: keep the frames' alpha (editors' versions):
    WebM as VP9 yuva420p (decode it with libvpx-vp9 to get the alpha back).  MOV is
    always ProRes 4444 with an alpha channel (prores_ks, yuva444p10le, 16-bit alpha):
    opaque unless the render is ``--transparent``."""
    if fmt == "mov":
        return [*_bt709("yuva444p10le"), "-c:v", "prores_ks", "-profile:v", "4444",
                "-pix_fmt", "yuva444p10le", "-alpha_bits", "16", "-vendor", "apl0",
                "-f", "mov"]
    if fmt == "webm" and alpha:
        return [*_bt709("yuva420p"), "-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0",
                "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
                "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-f", "webm"]
    if fmt == "mp4":
        return [*BT709, "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"]
    if fmt == "webm":
        return [*BT709, "-c:v", "libvpx-vp9", "-crf", "32", "-b:v", "0", "-deadline",
                "realtime", "-cpu-used", "8", "-row-mt", "1", "-pix_fmt", "yuv420p",
                "-f", "webm"]
    if fmt == "gif":
        return ["-f", "gif"]
    raise ValueError(f"unknown format {fmt!r}")


def write_png(rgba_top_down: np.ndarray, path: Path) -> None:
    """The one PNG writer (stills and sequences share it, so they are byte-identical)."""
    Image.fromarray(np.ascontiguousarray(rgba_top_down[..., :3])).save(
        path, format="PNG", compress_level=4)


# The pipe to ffmpeg is widened from Linux's 64 KiB to this (the unprivileged limit): a
# 720p RGBA frame is 3.7 MB, so a narrow pipe wakes the encoder ~56 times a frame.
PIPE_BYTES = 1 << 20


class FFmpegSink:
    """Pipe frames to ffmpeg from a writer thread, so rendering overlaps encoding.

    ``buffer()`` lends a frame-sized bytearray from a small pool, which the writer thread
    takes back once the frame is in the pipe: rendering into it (``read_into``) spares a
    fresh 3.7-8.3 MB allocation a frame, and the page faults and zeroing that come with it.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float, fmt: str = "mp4",
                 preset: str = "veryfast", crf: int = 18, queue_size: int = 3,
                 alpha: bool = False):
        self.path = Path(path)
        self.tmp = atomic.temp_path(self.path)
        w, h = size
        vf = []
        if fmt == "gif":
            vf = ["-vf", "split[a][b];[a]palettegen=stats_mode=diff[p];"
                         "[b][p]paletteuse=dither=bayer"]
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-r", f"{fps}",
               "-i", "pipe:0", "-an", *vf, *codec_args(fmt, fps, preset, crf, alpha),
               str(self.tmp)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        try:
            fcntl.fcntl(self.proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:                 # a lower /proc/sys/fs/pipe-max-size: keep the default
            pass
        self._frame_bytes = w * h * 4
        self._free: SimpleQueue = SimpleQueue()
        self._lent: set[int] = set()          # ids of the pool's own buffers
        self._pool_size = queue_size + 2      # queued + one being written + one being drawn
        self._q: Queue = Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self):
        try:
            while True:
                buf = self._q.get()
                if buf is None:
                    break
                self.proc.stdin.write(buf)
                if id(buf) in self._lent:
                    self._free.put(buf)
        except BaseException as e:      # broken pipe: ffmpeg died; reported by close()
            self._error = e
            while self._q.get() is not None:
                pass

    def buffer(self) -> bytearray | None:
        """A frame-sized buffer to render into and then ``write``; None to allocate."""
        if not self._free.empty():
            return self._free.get()
        if len(self._lent) < self._pool_size:
            buf = bytearray(self._frame_bytes)
            self._lent.add(id(buf))
            return buf
        return None

    def write(self, rgba) -> None:
        if self._error is not None:
            self._fail()
        self._q.put(rgba)

    def _fail(self):
        err = b""
        try:
            self.proc.kill()
            err = self.proc.stderr.read() or b""
        except Exception:
            pass
        self.abort()
        raise EncoderError(f"ffmpeg failed writing {self.path}: "
                           f"{err.decode(errors='replace').strip() or self._error}")

    def close(self) -> Path:
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            self._fail()
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        err = self.proc.stderr.read()
        rc = self.proc.wait()
        if rc != 0:
            atomic.discard(self.tmp)
            raise EncoderError(f"ffmpeg exited with {rc} writing {self.path}: "
                               f"{err.decode(errors='replace').strip()}")
        atomic.commit(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        try:
            self._q.put_nowait(None)
        except Exception:
            pass
        try:
            self.proc.kill()
            self.proc.wait(timeout=5)
        except Exception:
            pass
        atomic.discard(self.tmp)


class PNGSink:
    """frame_000000.png, ... (global frame index) in a folder swapped in atomically."""

    def __init__(self, path: Path, size: tuple[int, int], first_frame: int = 0):
        self.path = Path(path)
        self.tmp = atomic.temp_path(self.path)
        self.tmp.mkdir(parents=True, exist_ok=False)
        self.size = size
        self.index = first_frame

    def buffer(self) -> None:
        return None

    def write(self, rgba: bytes) -> None:
        w, h = self.size
        a = np.frombuffer(rgba, np.uint8).reshape(h, w, 4)
        write_png(a, self.tmp / f"frame_{self.index:06d}.png")
        self.index += 1

    def close(self) -> Path:
        atomic.commit(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        atomic.discard(self.tmp)


def open_sink(fmt: str, path: Path, size, fps: float, first_frame: int = 0, **kw):
    if fmt == "png":
        return PNGSink(path, size, first_frame)
    return FFmpegSink(path, size, fps, fmt, **kw)
