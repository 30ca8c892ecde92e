"""Audio files and muxing: the mixed span into a finished video, without re-encoding it.

The video is rendered (and, with workers, joined) first; the soundtrack for the same span
is mixed once and muxed after, through the ffmpeg binary imageio-ffmpeg ships (no system
ffmpeg needed).  The video stream is copied (`-c:v copy`), so muxing costs seconds, not a
re-encode.  AAC 48 kHz stereo goes in MP4, Opus in WebM.  AAC starts with 1,024 priming
samples and Opus with a 312-sample pre-skip; ffmpeg records both in the container (an MP4
edit list, WebM's CodecDelay), so a player and ffmpeg's own decoder start the sound on the
video's first frame.  The tests decode the result to check it (sync and duration).
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import soundfile

from ..output import atomic
from .clips import RATE, as_stereo

AUDIO_CODECS = {".mp4": ["-c:a", "aac", "-b:a", "192k"],
                ".mov": ["-c:a", "aac", "-b:a", "192k"],
                ".webm": ["-c:a", "libopus", "-b:a", "128k"]}


class MuxError(RuntimeError):
    """ffmpeg could not mux: the message is one line with ffmpeg's reason."""


def _ffmpeg() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def write_audio(path: Path, x: np.ndarray, rate: int = RATE) -> Path:
    """Write (n, 2) audio as WAV (32-bit float: the mix exactly) or FLAC (24-bit), by
    suffix, to a temporary name renamed when complete."""
    path = Path(path)
    fmt = {".wav": ("WAV", "FLOAT"), ".flac": ("FLAC", "PCM_24")}.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: audio files are .wav or .flac")
    tmp = atomic.temp_path(path)
    try:
        soundfile.write(str(tmp), as_stereo(x), rate, format=fmt[0], subtype=fmt[1])
        atomic.commit(tmp, path)
    except BaseException:
        atomic.discard(tmp)
        raise
    return path


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MuxError(f"ffmpeg failed: {lines[-1] if lines else proc.returncode}")
    return proc


def mux(video: Path, audio: np.ndarray | Path, out: Path | None = None,
        rate: int = RATE, described: np.ndarray | None = None, lang: str = "eng") -> Path:
    """Put `audio` (an (n, 2) array at `rate`, or an audio file) beside the video stream
    of `video` into `out` (default: `video` itself, replaced).  The codec follows `out`'s
    suffix (AAC for .mp4, Opus for .webm); the video is copied as it is.  Written to a
    temporary name and renamed, so a failure leaves `out` as it was.

    `described` (the mix with audio description) becomes a second audio stream, tagged
    as such (``comment`` disposition, title "Audio description") and not default, so a
    player starts with the main mix and offers the described one in its audio menu.
    `lang` is the streams' ISO 639-2 language tag."""
    video = Path(video)
    out = Path(out) if out is not None else video
    codec = AUDIO_CODECS.get(out.suffix.lower())
    if codec is None:
        raise ValueError(f"{out}: audio is muxed into .mp4, .mov or .webm")
    tmp = atomic.temp_path(out)
    with tempfile.TemporaryDirectory(prefix="hepaanim-mux-") as d:
        if isinstance(audio, np.ndarray):
            wav = Path(d) / "mix.wav"
            soundfile.write(str(wav), as_stereo(audio), rate, format="WAV", subtype="FLOAT")
            audio = wav
        second, maps = [], ["-map", "0:v:0", "-map", "1:a:0"]
        if described is not None:
            dwav = Path(d) / "described.wav"
            soundfile.write(str(dwav), as_stereo(described), rate, format="WAV",
                            subtype="FLOAT")
            second = ["-i", str(dwav)]
            maps += ["-map", "2:a:0", "-disposition:a:1", "comment",
                     "-metadata:s:a:1", "title=Audio description"]
        extra = ["-movflags", "+faststart"] if out.suffix.lower() in (".mp4", ".mov") else []
        try:
            _run([_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
                  "-i", str(video), "-i", str(audio), *second,
                  *maps, "-disposition:a:0", "default", "-metadata:s:a", f"language={lang}",
                  "-c:v", "copy", *codec,
                  "-ar", str(RATE), "-ac", "2", *extra, str(tmp)])
            atomic.commit(tmp, out)
        except BaseException:
            atomic.discard(tmp)
            raise
    return out


def decode_audio(path: Path, rate: int = RATE) -> np.ndarray:
    """The first audio stream of a media file, decoded by ffmpeg as (n, 2) float32 at
    `rate` (container delays and edit lists applied, as a player does)."""
    proc = _run([_ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                 "-map", "0:a:0", "-f", "f32le", "-ac", "2", "-ar", str(rate), "pipe:1"])
    return np.frombuffer(proc.stdout, dtype=np.float32).reshape(-1, 2).copy()


_STREAM = re.compile(r"Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: (Video|Audio): (\w+)")


def streams(path: Path) -> list[tuple[str, str]]:
    """(kind, codec) of each stream, e.g. [('video', 'h264'), ('audio', 'aac')], read
    from ffmpeg's description of the file (imageio-ffmpeg ships no ffprobe)."""
    proc = subprocess.run([_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True)
    text = proc.stderr.decode("utf-8", "replace")
    return [(kind.lower(), codec) for kind, codec in _STREAM.findall(text)]


def video_duration(path: Path) -> tuple[int, float]:
    """(frames, seconds) of the video stream, counted by decoding it."""
    return imageio_ffmpeg.count_frames_and_secs(str(path))
