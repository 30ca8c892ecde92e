"""What a chunk's cache key is made of: the engine's code, the settings, and a digest of the
frame states the chunk draws.

The key is a digest of what decides the chunk's pixels: the evaluated ``FrameState`` of
*every* frame in the chunk (not its time, not the scene file), the caption images, the
whole ``Settings``, the format and codec arguments, the ffmpeg version, and a hash of the
engine code that turns a FrameState into pixels and bytes (``render/``, ``compose/``,
``output/``, ``scene/``, ``pipeline/``, shaders, fonts).  Editing one act changes only that
act's frame states, so only its chunks render again; an act that merely moves by a whole
number of frames is reused as it is.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..output.encoders import codec_args
from ..render.frames import frame_bytes
from ..scene.geometry import Geometry
from .job import ChunkError, Job
from .plan import Chunk

KEY_VERSION = 2               # 2: the key holds the whole Settings

_ENGINE_PARTS = ("render", "compose", "output", "scene", "pipeline")
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
    captions by the overlay images the compositor draws for them, in the language the
    frames are drawn in (a French render's chunks change when a French line does).
    """

    def __init__(self, width: int, height: int, lang: str = "en"):
        self.size, self.lang = (width, height), lang
        self._images: OrderedDict[int, tuple[object, bytes]] = OrderedDict()   # id -> (img, d)

    def feed(self, h, state) -> None:
        from ..compose import overlay_items
        # The walk gathers byte strings and hashes them in one call: per-value
        # ``update`` calls were most of its cost (2.3 ms a film frame, now ~1).
        out: list[bytes] = []
        seen: set = set()
        for part in (state.nodes, state.camera, state.lights, state.settings):
            self._feed(out, part, seen)
        items = overlay_items(state, *self.size, lang=self.lang)
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

    def watch(self, film) -> "Watched":
        return Watched(film, self)

    def hexdigest(self) -> str:
        return self.h.hexdigest()


class Watched:
    def __init__(self, film, digest: ContentDigest, keep: dict | None = None):
        self.film, self.digest, self.keep = film, digest, keep

    def evaluate(self, t: float):
        state = self.film.evaluate(t)
        self.digest.add(state)
        if self.keep is not None:
            self.keep[t] = state
        return state


class Replay:
    """A chunk's states as its digest pass evaluated them, handed to its render (each
    once) instead of evaluating them again: ``evaluate`` is pure, so they are the same
    states, and the frames of a chunk share most of their arrays (a 2 s film chunk holds
    a few MB).  Saves a film frame ~1.5 ms of CPU."""

    def __init__(self, film, states: dict):
        self.film, self.states = film, states

    def evaluate(self, t: float):
        state = self.states.pop(t, None)
        return self.film.evaluate(t) if state is None else state


class NoPixels:
    """A renderer that draws nothing: lets the frame loop run for its states alone."""

    def render(self, state, out=None) -> bytes:
        return b"\0\0\0\0"


def chunk_digest(film, chunk: Chunk, job: Job, hasher: StateHasher,
                 keep: dict | None = None) -> str:
    """The chunk's content digest; with `keep`, its states are also stored there by time
    (for ``Replay``)."""
    d = ContentDigest(hasher, len(chunk))
    watched, blank = Watched(film, d, keep), NoPixels()
    for i in range(chunk.first, chunk.stop):
        frame_bytes(blank, watched, i / job.settings.fps, job.settings.fps,
                    job.settings.motion_blur)
        d.end_frame()
    return d.hexdigest()


def chunk_key(settings: str, digest: str) -> str:
    """The cache key: the settings and the chunk's content digest."""
    return hashlib.blake2b(f"{settings}\n{digest}".encode(), digest_size=20).hexdigest()



def check_digest(chunk: Chunk, expected: str, got: str) -> None:
    if got != expected:
        raise ChunkError(f"the scene changed while rendering (frames {chunk.first}.."
                         f"{chunk.stop - 1} are not what this render planned); render again")


