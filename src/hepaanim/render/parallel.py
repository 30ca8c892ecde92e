"""Chunked, resumable, parallel video renders: chunks -> cached segments -> one file.

Every MP4/WebM render goes through this path, with one worker or many, so the output does
not depend on how many workers made it:

* **Chunks.**  The frame range is cut at act boundaries, and each act into near-equal
  chunks of at most ``CHUNK_SECONDS``.  The cut depends only on the film and fps, never on
  the number of workers.
* **Segments.**  Each chunk is encoded as its own stream with the film's usual encoder
  settings (``encoders.codec_args``: libx264 veryfast CRF 18 yuv420p).  A stream starts with
  an IDR frame and references nothing outside itself, so a segment's bytes depend only on
  its frames.  x264's choices for a frame depend on its neighbours in the same stream; with
  the same cut for every render, one worker and N workers encode the very same streams.
* **Join.**  ffmpeg's concat demuxer copies the segments into one file without re-encoding
  (``-f concat -safe 0 -c copy``, then ``+faststart``).  Decoded frames are therefore
  identical whatever the worker count (the output files are byte-identical), which
  ``tests/test_parallel.py`` checks by decoding both.
* **Cache and resume.**  A finished segment is stored under its key in the cache folder
  (default ``renders/.cache``, or ``$HEPAANIM_CACHE_DIR``), written to a temporary name and
  renamed, so an interrupted render (Ctrl-C, crash, killed worker) keeps every finished
  chunk and never a half one.  The key is a digest of what decides the chunk's pixels:
  the evaluated ``FrameState`` of *every* frame in the chunk (not its time, not the scene
  file), the caption images, the size, fps, anti-aliasing, format and codec arguments, the
  ffmpeg version, and a hash of the engine code that turns a FrameState into pixels
  (``render/``, ``compose/``, ``output/``, ``scene/``, shaders, fonts).  Editing one act
  changes only that act's frame states, so only its chunks render again; an act that
  merely moves by a whole number of frames is reused as it is.
* **Never trusted blindly.**  Beside each segment, ``<key>.<fmt>.check`` records its key,
  frame count, size and a digest of its bytes, written when the segment was.  A segment is
  verified against it before reuse (a stat and one hash of a few MB: milliseconds); one
  that was truncated, altered or swapped for another is dropped, rendered again and
  reported in one line.  The joined file's frame count and duration are read back before
  it is renamed into place: a mismatch leaves the previous output as it was.
* **Workers.**  ``workers > 1`` starts that many *spawned* processes (GL contexts do not
  survive fork); each loads the scene file itself by path, keeps one GL context and renders
  chunk after chunk, streaming frames to its own ffmpeg.  A worker that dies mid-chunk is
  replaced and the chunk rendered again.  ``render.cluster`` runs the same chunks on a
  Dask cluster.

Memory per worker is flat in the film's length: a chunk is streamed like any render, and
the coordinator only keeps the list of chunks and their keys.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..output import atomic
from ..scene.geometry import Geometry
from ..output.encoders import EncoderError, FFmpegSink, codec_args, count_frames
from .frames import FrameRange, Progress, frame_bytes
from .settings import Settings

CHUNK_SECONDS = 2.0          # longest chunk; acts are cut into near-equal chunks up to this
SEGMENT_FORMATS = ("mp4", "webm")
MAX_ATTEMPTS = 3             # renders of one chunk before a dying worker is an error
CACHE_ENV = "HEPAANIM_CACHE_DIR"
DEFAULT_CACHE_DIR = Path("renders") / ".cache"
CACHE_MAX_BYTES = int(float(os.environ.get("HEPAANIM_CACHE_MAX_GB", "4")) * 2**30)
KEY_VERSION = 2               # 2: the key holds the whole Settings


class ChunkError(EncoderError):
    """A chunk could not be rendered or joined (the CLI reports it as one line)."""


# --- chunk plan --------------------------------------------------------------------------

@dataclass(frozen=True)
class Chunk:
    index: int
    first: int
    stop: int          # exclusive
    act: str

    def __len__(self):
        return self.stop - self.first


def _first_frame(t: float, fps: float) -> int:
    return max(0, math.ceil(t * fps - 1e-9))


def plan_chunks(film, fps: float, frames: FrameRange,
                seconds: float = CHUNK_SECONDS) -> list[Chunk]:
    """Act-aligned chunks of at most `seconds`, clipped to `frames`.

    The cut is a function of the film and fps alone, so every render of a frame range
    (and every worker count) uses the same chunks; a range that starts or ends inside a
    chunk gets that chunk's clipped part as its own chunk.
    """
    total = film.frame_count(fps)
    longest = max(1, int(round(seconds * fps)))
    chunks: list[Chunk] = []
    for k, act in enumerate(film.acts):
        a = _first_frame(act.start, fps)
        b = total if k == len(film.acts) - 1 else min(total, _first_frame(act.end, fps))
        if b <= a:
            continue
        n = math.ceil((b - a) / longest)
        cuts = [a + round(j * (b - a) / n) for j in range(n + 1)]
        for lo, hi in zip(cuts, cuts[1:]):
            lo, hi = max(lo, frames.first), min(hi, frames.stop)
            if lo < hi:
                chunks.append(Chunk(len(chunks), lo, hi, act.name))
    return chunks


# --- what a render is ------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the chunk: the scene file (workers load it
    themselves), the format, and the settings that decide the pixels (whole)."""
    scene: str
    fmt: str
    settings: Settings

    def renderer(self):
        return self.settings.renderer()


# --- keys --------------------------------------------------------------------------------

_ENGINE_PARTS = ("render", "compose", "output", "scene")
_engine_hash: str | None = None


def engine_hash(fresh: bool = False) -> str:
    """Hash of the code and data that turn a FrameState into pixels and bytes.

    The timeline, the models and the scene scripts are *not* in it: what they produce is
    in the frame-state digest, which is finer (an edit that changes nothing on screen
    changes no key).  Computed once per process unless `fresh`.
    """
    global _engine_hash
    if _engine_hash is None or fresh:
        from ..compose.fonts import FONT_DIR
        pkg = Path(__file__).resolve().parents[1]
        files = [p for part in _ENGINE_PARTS for p in sorted((pkg / part).rglob("*"))
                 if p.is_file() and p.suffix in (".py", ".vert", ".frag", ".glsl")]
        files += sorted(FONT_DIR.glob("*.ttf")) if FONT_DIR.is_dir() else []
        h = hashlib.blake2b(digest_size=16)
        for p in files:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        _engine_hash = h.hexdigest()
    return _engine_hash


def settings_key(job: Job) -> str:
    """Every field of the job's Settings (a new field is in the key by construction), the
    format and its codec arguments, the engine and the ffmpeg that encodes."""
    import imageio_ffmpeg
    fields = {k: repr(v) if isinstance(v, float) else v
              for k, v in job.settings.as_dict().items()}
    return json.dumps({"v": KEY_VERSION, "engine": engine_hash(), "fmt": job.fmt,
                       "settings": fields, "codec": codec_args(job.fmt, job.settings.fps),
                       "ffmpeg": [imageio_ffmpeg.__version__,
                                  Path(imageio_ffmpeg.get_ffmpeg_exe()).name]},
                      sort_keys=True)


class StateHasher:
    """Feeds a FrameState's content (everything a backend draws) into a hash.

    Walks dataclasses, dicts, lists and arrays; skips ``derive`` functions (their result
    is already in the state) and the time itself; geometry is fed by its content key;
    captions by the overlay images the compositor draws for them.
    """

    def __init__(self, width: int, height: int):
        self.size = (width, height)
        self._images: OrderedDict[int, tuple[object, bytes]] = OrderedDict()   # id -> (img, d)

    def feed(self, h, state) -> None:
        from ..compose import overlay_items
        # The walk gathers byte strings and hashes them in one call: per-value
        # ``update`` calls were most of its cost (2.3 ms a film frame, now ~1).
        out: list[bytes] = []
        seen: set = set()
        for part in (state.nodes, state.camera, state.lights, state.settings):
            self._feed(out, part, seen)
        items = overlay_items(state, *self.size)
        out.append(b"O%d" % len(items))
        for _key, image_fn, rect, alpha in items:
            out.append(self._image_digest(image_fn()))
            out.append(repr((tuple(int(x) for x in rect), float(alpha))).encode())
        h.update(b"".join(out))

    def _image_digest(self, img: np.ndarray) -> bytes:
        e = self._images.get(id(img))
        if e is None or e[0] is not img:
            a = np.ascontiguousarray(img)
            d = hashlib.blake2b(repr((a.dtype.str, a.shape)).encode() + a.tobytes(),
                                digest_size=16).digest()
            e = self._images[id(img)] = (img, d)     # holding img keeps its id unique
            while len(self._images) > 64:
                self._images.popitem(last=False)
        else:
            self._images.move_to_end(id(img))
        return e[1]

    _SCALARS = (bool, int, float, str, bytes, type(None))
    _fields: dict = {}

    def _feed(self, out: list, x, seen: set) -> None:
        """Append the bytes that identify `x` to `out` (type-tagged, so 1 and 1.0 and
        "1" differ; containers carry their length)."""
        if isinstance(x, self._SCALARS):
            out.append(f"{type(x).__name__}:{x!r};".encode())
        elif isinstance(x, np.ndarray):
            out.append(f"A{x.dtype.str}{x.shape};".encode())
            out.append(np.ascontiguousarray(x).tobytes())
        elif isinstance(x, np.generic):
            out.append(f"{x.dtype.str}:{x.item()!r};".encode())
        elif isinstance(x, Geometry):
            out.append(b"G" + x.key.encode())
        elif id(x) in seen:
            out.append(b"<cycle>")
        elif dataclasses.is_dataclass(x):
            names = self._fields.get(type(x))
            if names is None:
                names = self._fields[type(x)] = tuple(
                    f.name for f in dataclasses.fields(x) if f.name not in ("derive", "_cache"))
            seen.add(id(x))
            out.append(f"<{type(x).__qualname__}".encode())
            for name in names:
                out.append(name.encode() + b"=")
                self._feed(out, getattr(x, name), seen)
            out.append(b">")
            seen.discard(id(x))
        elif isinstance(x, dict):
            seen.add(id(x))
            out.append(b"{%d" % len(x))
            for k, v in x.items():          # in order: draw order is insertion order
                self._feed(out, k, seen)
                self._feed(out, v, seen)
            out.append(b"}")
            seen.discard(id(x))
        elif isinstance(x, (list, tuple)):
            seen.add(id(x))
            out.append(b"[%d" % len(x))
            for v in x:
                self._feed(out, v, seen)
            out.append(b"]")
            seen.discard(id(x))
        elif callable(x):
            out.append(f"fn:{getattr(x, '__module__', '')}.{getattr(x, '__qualname__', '')};"
                       .encode())
        elif hasattr(x, "__dict__"):
            seen.add(id(x))
            out.append(f"<{type(x).__qualname__}".encode())
            self._feed(out, vars(x), seen)
            out.append(b">")
            seen.discard(id(x))
        else:
            out.append(f"{type(x).__qualname__}:{x!r};".encode())


class ContentDigest:
    """Digest of the frame states a chunk draws, in order (what a worker drew, or will).

    ``watch(film)`` gives a stand-in whose ``evaluate`` feeds every state it returns to
    the digest, so exactly the instants the frame loop asks for are covered (several per
    frame with motion blur), whatever the loop does with them.
    """

    def __init__(self, hasher: StateHasher, frames: int):
        self.hasher = hasher
        self.h = hashlib.blake2b(b"frames=%d;" % frames, digest_size=20)

    def add(self, state) -> None:
        self.hasher.feed(self.h, state)

    def end_frame(self) -> None:
        self.h.update(b"|")

    def watch(self, film) -> "_Watched":
        return _Watched(film, self)

    def hexdigest(self) -> str:
        return self.h.hexdigest()


class _Watched:
    def __init__(self, film, digest: ContentDigest, keep: dict | None = None):
        self.film, self.digest, self.keep = film, digest, keep

    def evaluate(self, t: float):
        state = self.film.evaluate(t)
        self.digest.add(state)
        if self.keep is not None:
            self.keep[t] = state
        return state


class _Replay:
    """A chunk's states as its digest pass evaluated them, handed to its render (each
    once) instead of evaluating them again: ``evaluate`` is pure, so they are the same
    states, and the frames of a chunk share most of their arrays (a 2 s film chunk holds
    a few MB).  Saves a film frame ~1.5 ms of CPU."""

    def __init__(self, film, states: dict):
        self.film, self.states = film, states

    def evaluate(self, t: float):
        state = self.states.pop(t, None)
        return self.film.evaluate(t) if state is None else state


class _NoPixels:
    """A renderer that draws nothing: lets the frame loop run for its states alone."""

    def render(self, state, out=None) -> bytes:
        return b"\0\0\0\0"


def chunk_digest(film, chunk: Chunk, job: Job, hasher: StateHasher,
                 keep: dict | None = None) -> str:
    """The chunk's content digest; with `keep`, its states are also stored there by time
    (for ``_Replay``)."""
    d = ContentDigest(hasher, len(chunk))
    watched, blank = _Watched(film, d, keep), _NoPixels()
    for i in range(chunk.first, chunk.stop):
        frame_bytes(blank, watched, i / job.settings.fps, job.settings.fps,
                    job.settings.motion_blur)
        d.end_frame()
    return d.hexdigest()


def chunk_key(settings: str, digest: str) -> str:
    """The cache key: the settings and the chunk's content digest."""
    return hashlib.blake2b(f"{settings}\n{digest}".encode(), digest_size=20).hexdigest()


# --- cache -------------------------------------------------------------------------------

def default_cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def _file_digest(path: Path) -> tuple[int, str]:
    with open(path, "rb") as f:
        return os.fstat(f.fileno()).st_size, hashlib.file_digest(f, "blake2b").hexdigest()[:40]


class SegmentCache:
    """Finished segments by key: ``<dir>/<key>.<fmt>``, each written whole or not at all,
    with ``<key>.<fmt>.check`` (key, frames, size, digest of the bytes) beside it."""

    def __init__(self, root: Path, fmt: str):
        self.root = Path(root)
        self.fmt = fmt
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ChunkError(f"cannot create the cache folder {self.root}: {e}") from None

    def path(self, key: str) -> Path:
        return self.root / f"{key}.{self.fmt}"

    def check_path(self, key: str) -> Path:
        return self.root / f"{key}.{self.fmt}.check"

    def get(self, key: str, frames: int | None = None) -> Path | None:
        """The segment, if it is there and passes its check; else None."""
        return self.verify(key, frames)[0]

    def verify(self, key: str, frames: int | None = None) -> tuple[Path | None, str | None]:
        """(path, None) for a good segment; (None, None) when there is none, or one without
        its check (a crash between the two renames, or another render that is about to
        write it: so it is left alone, and rendered again here); (None, why) for a
        segment that fails its check, which is removed."""
        p = self.path(key)
        try:
            os.utime(p)                  # least recently used goes first when pruning
        except FileNotFoundError:
            atomic.discard(self.check_path(key))
            return None, None
        try:
            rec = json.loads(self.check_path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError) as e:
            rec = {"unreadable": str(e)}
        try:
            size, digest = _file_digest(p)
        except OSError as e:
            size, digest, rec = -1, "", {"unreadable": e.strerror}
        why = None
        if not isinstance(rec, dict) or "unreadable" in rec:
            why = "its check record is unreadable"
        elif rec.get("key") != key:
            why = "it belongs to another chunk"
        elif frames is not None and rec.get("frames") != frames:
            why = f"it holds {rec.get('frames')} frames, not {frames}"
        elif rec.get("size") != size:
            why = f"{size} bytes where {rec.get('size')} were written"
        elif rec.get("blake2b") != digest:
            why = "its bytes changed"
        if why is None:
            return p, None
        self.drop(key)
        return None, why

    def seal(self, key: str, frames: int) -> None:
        """Record the check of a segment just written (its bytes as they are now)."""
        target = self.check_path(key)
        tmp = atomic.temp_path(target)
        try:
            size, digest = _file_digest(self.path(key))
            tmp.write_text(json.dumps({"key": key, "frames": int(frames), "size": size,
                                       "blake2b": digest}), encoding="utf-8")
            atomic.commit(tmp, target)
        except OSError as e:
            atomic.discard(tmp)
            raise ChunkError(f"cannot write {target}: {e.strerror}") from None

    def drop(self, key: str) -> None:
        atomic.discard(self.path(key))
        atomic.discard(self.check_path(key))

    def put_bytes(self, key: str, data: bytes, frames: int) -> Path:
        p = self.path(key)
        tmp = atomic.temp_path(p)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            atomic.commit(tmp, p)
        except OSError as e:
            atomic.discard(tmp)
            raise ChunkError(f"cannot write segment {p}: {e}") from None
        self.seal(key, frames)
        return p

    def clean_partials(self) -> None:
        """Remove temporary files left by processes that died (killed workers, crashes)."""
        for p in self.root.iterdir():
            if atomic.is_stale_partial(p.name):
                atomic.discard(p)

    def prune(self, max_bytes: int = CACHE_MAX_BYTES, keep: set = frozenset()) -> None:
        """Drop least recently used segments beyond `max_bytes` (never those in `keep`)."""
        entries = []
        for p in self.root.glob(f"*.{self.fmt}"):
            if p.name.startswith("."):
                continue
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(e[1] for e in entries)
        for _, size, p in sorted(entries):
            if total <= max_bytes:
                break
            if p in keep:
                continue
            self.drop(p.name[:-len(self.fmt) - 1])
            total -= size


# --- one segment -------------------------------------------------------------------------

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


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


def check_digest(chunk: Chunk, expected: str, got: str) -> None:
    if got != expected:
        raise ChunkError(f"the scene changed while rendering (frames {chunk.first}.."
                         f"{chunk.stop - 1} are not what this render planned); render again")


# --- joining -----------------------------------------------------------------------------

def concat_segments(segments: list[Path], out_tmp: Path, fmt: str, work_dir: Path,
                    name: str | None = None) -> None:
    """Join segments into `out_tmp` with ffmpeg's concat demuxer, without re-encoding."""
    import imageio_ffmpeg
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
            raise ChunkError(f"ffmpeg could not join {len(segments)} segments into "
                             f"{name or out_tmp}: {err}")
    except OSError as e:
        raise ChunkError(f"cannot join segments: {e}") from None
    finally:
        atomic.discard(listing)


def check_joined(path: Path, out: Path, frames: int, fps: float) -> None:
    """The joined file holds every frame for its whole duration, or it is not committed
    (a segment that lost frames after its check, a concat that skipped one)."""
    try:
        n, seconds = count_frames(path)
    except EncoderError as e:
        raise ChunkError(str(e)) from None
    if n != frames or abs(seconds - frames / fps) > 1.0 / fps + 0.02:
        raise ChunkError(f"the joined video has {n} frames ({seconds:.2f} s), expected "
                         f"{frames} ({frames / fps:.2f} s); {out} left as it was")


# --- the local process pool --------------------------------------------------------------

def _worker_main(conn, job: Job, lp_threads: int | None, kill_once: str | None):
    """A render worker process: load the scene, keep one GL context, render chunks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the coordinator handles Ctrl-C

    def _term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _term)
    if lp_threads and "LP_NUM_THREADS" not in os.environ:
        os.environ["LP_NUM_THREADS"] = str(lp_threads)   # llvmpipe threads per worker
    renderer = None
    try:
        from ..loader import load
        try:
            film = load(job.scene)
            renderer = job.renderer()
            hasher = StateHasher(*job.settings.size)
        except Exception as e:
            conn.send(("error", None, type(e).__name__, str(e)))
            return
        conn.send(("ready", engine_hash()))
        while True:
            msg = conn.recv()
            if msg is None:
                break
            index, first, stop, dest = msg
            digest = ContentDigest(hasher, stop - first)
            try:
                render_segment(film, renderer, job, Path(dest), first, stop,
                               lambda n: conn.send(("progress", n)), kill_once, digest)
            except Exception as e:
                conn.send(("error", index, type(e).__name__, str(e)))
                return
            conn.send(("done", index, peak_rss_mb(), digest.hexdigest()))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass                                # coordinator gone or stopping us
    finally:
        # A SIGTERM may land while the context is being released: ignore it from here on,
        # so a stopped worker exits quietly instead of printing a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if renderer is not None:
            try:
                renderer.close()
            except KeyboardInterrupt:
                pass


def _raise_worker_error(kind: str, msg: str, chunk: Chunk | None):
    from ..loader import SceneError
    if kind == "SceneError":
        raise SceneError(msg)
    where = f"frames {chunk.first}..{chunk.stop - 1}: " if chunk is not None else ""
    if kind in ("EncoderError", "ChunkError"):
        raise ChunkError(f"{where}{msg}")
    raise ChunkError(f"worker failed on {where}{kind}: {msg}")


class _Worker:
    def __init__(self, ctx, job, lp_threads, kill_once):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, job, lp_threads, kill_once),
                                daemon=True, name="hepaanim-worker")
        self.proc.start()
        child.close()
        self.chunk: Chunk | None = None
        self.ready = False
        self.done_frames = 0      # progress reported for the current chunk

    def stop(self, timeout: float = 5.0):
        try:
            self.conn.send(None)
        except Exception:
            pass
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        self.conn.close()

    def terminate(self):
        if self.proc.is_alive():
            self.proc.terminate()

    def reap(self, timeout: float = 5.0):
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        try:
            self.conn.close()
        except Exception:
            pass


def _run_pool(todo, job: Job, workers: int, cache: SegmentCache, progress: Progress,
              stats: dict, kill_once: str | None = None):
    """Render the chunks that `todo` yields ((chunk, key, digest), computed lazily) on
    `workers` spawned processes; a worker that dies is replaced and its chunk redone."""
    import multiprocessing as mp
    from multiprocessing.connection import wait
    ctx = mp.get_context("spawn")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    lp = max(1, cores // workers)        # llvmpipe threads per worker (unless set)
    pool = [_Worker(ctx, job, lp, kill_once) for _ in range(workers)]
    queue: list[tuple[Chunk, str, str]] = []
    attempts: dict[int, int] = {}
    keys: dict[int, tuple[Chunk, str, str]] = {}
    pending = iter(todo)
    exhausted = False
    running = 0
    try:
        while True:
            idle = [w for w in pool if w.ready and w.chunk is None]
            while idle and queue:
                chunk, key, digest = item = queue.pop(0)
                w = idle.pop()
                try:
                    w.conn.send((chunk.index, chunk.first, chunk.stop, str(cache.path(key))))
                except OSError:                 # it just died: its sentinel will say so
                    queue.insert(0, item)
                    continue
                w.chunk, w.done_frames = chunk, 0
                keys[chunk.index] = item
                running += 1
            if exhausted and not queue and running == 0:
                return
            # Compute the next key while workers are busy (or starting up).
            if not exhausted and len(queue) < len(pool):
                try:
                    queue.append(next(pending))
                except StopIteration:
                    exhausted = True
                if wait([w.conn for w in pool] + [w.proc.sentinel for w in pool], 0) == []:
                    continue
            ready = wait([w.conn for w in pool] + [w.proc.sentinel for w in pool])
            for w in list(pool):
                if w.conn in ready:
                    try:
                        while w.conn.poll():
                            msg = w.conn.recv()
                            if msg[0] == "progress":
                                w.done_frames += msg[1]
                                progress.update(msg[1])
                            elif msg[0] == "ready":
                                w.ready = True
                                stats["engines"].add(msg[1])
                            elif msg[0] == "done":
                                c, key, digest = keys[msg[1]]
                                if msg[3] != digest:
                                    atomic.discard(cache.path(key))
                                    check_digest(c, digest, msg[3])
                                cache.seal(key, len(c))
                                stats["new"].append(key)
                                stats["rendered"] += 1
                                stats["worker_peak_rss_mb"][w.proc.pid] = msg[2]
                                w.chunk = None
                                running -= 1
                            elif msg[0] == "error":
                                _raise_worker_error(msg[2], msg[3], w.chunk)
                    except (EOFError, ConnectionResetError, BrokenPipeError):
                        pass                       # died: handled through the sentinel
                if w.proc.sentinel in ready or not w.proc.is_alive():
                    w.reap()
                    pool.remove(w)
                    if w.chunk is not None:
                        c = w.chunk
                        running -= 1
                        progress.update(-w.done_frames)
                        attempts[c.index] = attempts.get(c.index, 1) + 1
                        stats["retried"] += 1
                        if attempts[c.index] > MAX_ATTEMPTS:
                            raise ChunkError(
                                f"a worker died {MAX_ATTEMPTS} times rendering frames "
                                f"{c.first}..{c.stop - 1} (exit code {w.proc.exitcode})")
                        queue.insert(0, keys[c.index])
                    elif not w.ready:
                        raise ChunkError(f"a render worker died while starting "
                                         f"(exit code {w.proc.exitcode})")
                    pool.append(_Worker(ctx, job, lp, kill_once))
    except BaseException:
        for w in pool:
            w.terminate()
        for w in pool:
            w.reap()
        pool = []
        raise
    finally:
        for w in pool:
            w.stop()


# --- the whole render --------------------------------------------------------------------

def render_chunked(scene, film, fmt: str, out, settings: Settings, frames: FrameRange, *,
                   workers: int = 1, scheduler: str | None = None,
                   cache_dir=None, quiet: bool = False, chunk_seconds: float = CHUNK_SECONDS,
                   kill_once: str | None = None, txn: atomic.Transaction | None = None,
                   report=None) -> dict:
    """Render `frames` of `film` (loaded from the file `scene`) to `out` through cached
    segments, on `workers` local processes or the Dask `scheduler`; return what happened.
    The pixels are those of ``render_frames`` with the same settings.  On any error or
    interruption the previous `out` is left as it was and no temporary file remains
    beside it.

    With `txn`, the finished file is left as that transaction's temporary (checked: its
    frame count and duration read back) for the caller to commit with its sidecars;
    without, it is committed here.  `report(line)` hears about cached chunks that failed
    their check (default: a line on stderr)."""
    if fmt not in SEGMENT_FORMATS:
        raise ValueError(f"chunked renders write {', '.join(SEGMENT_FORMATS)}, not {fmt!r}")
    t0 = time.perf_counter()
    out = Path(out)
    fps = settings.fps
    if report is None:
        def report(line):
            print(line, file=sys.stderr, flush=True)
    chunks = plan_chunks(film, fps, frames, chunk_seconds)
    cache = SegmentCache(Path(cache_dir) if cache_dir else default_cache_dir(), fmt)
    cache.clean_partials()
    job = Job(str(Path(scene).resolve()), fmt, settings)
    skey = settings_key(job)
    hasher = StateHasher(*settings.size)
    keys: dict[int, str] = {}
    stats = {"rendered": 0, "cached": 0, "retried": 0, "worker_peak_rss_mb": {},
             "engines": {engine_hash()}, "new": []}
    progress = Progress(len(frames), quiet, label=film.name)

    replay: dict[int, dict] = {}

    def todo(keep: bool = False):
        """(chunk, key, digest) for every chunk not in the cache, computed as needed; with
        `keep`, the states evaluated for a chunk wait in ``replay`` for its render."""
        wanted = set()
        for c in chunks:
            states: dict | None = {} if keep else None
            d = chunk_digest(film, c, job, hasher, states)
            k = keys[c.index] = chunk_key(skey, d)
            found, why = cache.verify(k, len(c))
            if why is not None:
                report(f"cache: chunk {c.index + 1} ({c.act} {c.first / fps:.1f}–"
                       f"{c.stop / fps:.1f} s) failed its check ({why}); rendered again")
            if found is not None:
                stats["cached"] += 1
                progress.update(len(c))
            elif k not in wanted:          # identical chunks (a still shot) render once
                wanted.add(k)
                if keep:
                    replay[c.index] = states
                yield c, k, d
            else:
                progress.update(len(c))

    own = txn is None
    txn = atomic.Transaction() if own else txn
    tmp = txn.temp(out)                 # (also removes temporaries of crashed renders)
    try:
        try:
            open(tmp, "xb").close()        # claim the output name now: fail early if we can't
        except FileExistsError:
            pass
        except OSError as e:
            raise ChunkError(f"cannot write {out}: {e}") from None
        if scheduler:
            from .cluster import run_on_cluster
            run_on_cluster(scheduler, todo(), job, cache, progress, stats, kill_once)
        elif workers > 1:
            _run_pool(todo(), job, workers, cache, progress, stats, kill_once)
        else:
            renderer = job.renderer()
            stats["engines"].add(engine_hash(fresh=True))      # shaders as compiled
            try:
                for c, k, _ in todo(keep=True):
                    render_segment(_Replay(film, replay.pop(c.index)), renderer, job,
                                   cache.path(k), c.first, c.stop, progress.update)
                    cache.seal(k, len(c))
                    stats["rendered"] += 1
                    stats["new"].append(k)
            except EncoderError as e:
                raise ChunkError(str(e)) from None
            finally:
                renderer.close()
            stats["worker_peak_rss_mb"][os.getpid()] = peak_rss_mb()
        segments = [cache.path(keys[c.index]) for c in chunks]
        missing = [p for p in segments if not p.exists()]
        if missing:
            raise ChunkError(f"{len(missing)} segment(s) vanished from {cache.root} during "
                             "the render (another render pruning the cache?); render again")
        concat_segments(segments, tmp, fmt, cache.root, str(out))
        check_joined(tmp, out, len(frames), fps)
        if own:
            txn.commit()
    except BaseException:
        txn.discard()
        raise
    finally:
        progress.close()
    # The engine's files changed while rendering (someone is editing shaders): the new
    # segments may not match their keys, so they are not kept.
    stats["engines"].add(engine_hash(fresh=True))
    kept = len(stats["engines"]) == 1
    try:
        if not kept:
            for k in stats["new"]:
                atomic.discard(cache.path(k))
        cache.clean_partials()
        cache.prune(keep=set(segments))
    except OSError:
        pass
    elapsed = time.perf_counter() - t0
    return {"path": str(out), "frames": len(frames), "fps": len(frames) / elapsed,
            "seconds": elapsed, "chunks": len(chunks), "cached": stats["cached"],
            "rendered": stats["rendered"], "retried": stats["retried"], "cache_kept": kept,
            "worker_peak_rss_mb": sorted(stats["worker_peak_rss_mb"].values()),
            "coordinator_peak_rss_mb": peak_rss_mb(),
            "cache_dir": str(cache.root)}
