"""The preview's sound: the film's whole soundtrack, mixed once in the background and
served to the page as one Opus/WebM file that its ``<audio>`` element seeks.

Why the whole film at once: the page scrubs anywhere, so it needs every second; and a
whole-film mix is what the render path already makes (``audio.film``: the levels are the
whole film's, and a span's samples equal the same span of the whole mix).  It is the same
arithmetic, called the same way (:func:`mix` is ``film.soundtrack``'s main mix over
[0, duration): the tests check the samples are equal), minus the description mix, which
the preview does not play.

Why a thread: mixing the 129 s film takes ~4 s and encoding ~1 s on two cores; the first
frame must not wait for it.  The page learns of the result through the frame metadata it
already receives on every poll (``sound`` in ``window.hepaanim``), so it asks for the file
once, when it exists, instead of retrying on a timer.

Why a cache: the mix is a pure function of the voices (the take files' bytes), the acts'
bed, the duration, the loudness target and the encoder settings.  Its digest names the
encoded file on disk (beside the render's levels cache), so a restarted preview, or a
reload that changed no sound, serves the file at once.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PATH = "/soundtrack.webm"          # the one URL the server serves it on (token-checked)
CONTENT_TYPE = "audio/webm"
CODEC = ["-c:a", "libopus", "-b:a", "96k", "-ar", "48000", "-ac", "2"]
VERSION = 1                        # bump when the encoding or the mix call changes
KEEP = 8                           # encoded preview soundtracks kept in the cache


@dataclass(frozen=True)
class Ready:
    """An encoded soundtrack: its bytes, its digest (the page's cache-buster) and what it
    cost (for the one line the preview prints)."""
    data: bytes
    key: str
    seconds: float
    mix_s: float
    cached: bool


def mix(film, lang: str = "en", cache_dir: Path | None = None, warn=None):
    """(digest, samples): the film's main mix over its whole duration, as a render gets it
    (``audio.film.soundtrack``'s path: voices, whole-film levels, ``span_mix``).  Samples
    are None when the encoded file for that digest is in `cache_dir` already: nothing is
    mixed then."""
    from ..audio import mix as mixing
    from ..audio import film as sound
    target, seed = mixing.TARGET_LUFS, 0
    vs = sound.voices(film, sound.narration(film, lang), lang,
                      warn or sound.voice.warn_stderr)
    segs = sound.segments(film)
    key = digest(sound.digest(vs, segs, film.duration, target, seed), lang)
    if cache_dir is not None and _cache_file(cache_dir, key).is_file():
        return key, None
    shipped = sound.voice_folder(film) / sound.LEVELS_FILE
    lv = sound.film_levels(vs, segs, film.duration, target, seed, cache_dir, shipped)
    return key, sound.span_mix(vs, segs, lv, 0.0, film.duration, film.duration, target, seed)


def digest(mix_digest: str, lang: str) -> str:
    """The encoded file's key: the mix's own digest, the language and the encoder."""
    text = f"preview-sound v{VERSION} {lang} {' '.join(CODEC)} {mix_digest}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _cache_file(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "sound" / f"preview-{key}.webm"


def encode(samples, out: Path) -> Path:
    """(n, 2) float32 at 48 kHz -> Opus in WebM at `out` (a temporary name renamed when
    complete, so a half-written file is never served).  Opus's pre-skip and the last
    packet's padding are recorded in the container, so the file decodes to exactly the
    film's duration."""
    import imageio_ffmpeg
    import numpy as np
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{threading.get_ident()}.partial")
    raw = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    try:
        proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel",
                               "error", "-y", "-f", "f32le", "-ar", "48000", "-ac", "2",
                               "-i", "pipe:0", *CODEC, "-f", "webm", str(tmp)],
                              input=raw, capture_output=True)
        if proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"ffmpeg could not encode the soundtrack: "
                               f"{lines[-1] if lines else proc.returncode}")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _prune(cache_dir: Path, keep: int = KEEP):
    files = sorted((Path(cache_dir) / "sound").glob("preview-*.webm"),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for p in files[keep:]:
        p.unlink(missing_ok=True)


class PreviewSound:
    """The soundtrack the page plays: made by one background worker, latest request wins.

    ``state`` is ``"none"`` (the film has no sound: no script table, or not one voiced
    line and no takes), ``"mixing"``, ``"ready"`` or ``"failed"``; ``note`` is one line
    saying why when it is not ready; ``ready`` holds the encoded file.  ``start(film)``
    is called on the preview's thread at start-up and after each reload; everything slow
    runs on the worker.  While a reloaded film's sound is made, the previous one stays
    ready (``busy`` says a newer one is coming): the page keeps playing it, and a reload
    that changed no sound (same digest, from the cache) changes nothing for the page."""

    def __init__(self, cache_dir: Path | None = None, lang: str = "en", say=None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache()
        self.lang = lang
        self.say = say or (lambda s: print(s, flush=True))
        self.state = "none"
        self.note = "no sound yet"
        self.ready: Ready | None = None
        self.busy = False                # a requested soundtrack is being made
        self.generation = 0              # bumped by start(): the page sees each change
        self._lock = threading.Condition()
        self._wanted = None              # (generation, film) the worker should make
        self._worker: threading.Thread | None = None

    def start(self, film):
        """Make `film`'s soundtrack in the background (the one in progress, if any, is
        superseded: its result is dropped)."""
        with self._lock:
            self.generation += 1
            if film.script is None:
                note = "no sound: the film has no script table (nothing is narrated)"
                said, self.note = self.note, note
                self._set("none", note, None)
                self._wanted = None
                self.busy = False
                if said != note:
                    self.say(f"hepaanim preview: {note}")
                return
            if self.state != "ready":
                self.state, self.note = "mixing", "sound: mixing…"
            self.busy = True
            self._wanted = (self.generation, film)
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="hepaanim-sound",
                                                daemon=True)
                self._worker.start()
            self._lock.notify_all()

    def snapshot(self) -> tuple[str, Ready | None, str]:
        """(state, ready, note), read together."""
        with self._lock:
            return self.state, (self.ready if self.state == "ready" else None), self.note

    def meta(self) -> dict:
        """What the page needs to know, sent with every frame: the state, and the key of
        the file to fetch (it changes when the sound does)."""
        state, r, note = self.snapshot()
        return {"state": state, "v": r.key if r else None,
                "duration": r.seconds if r else None, "note": note}

    def wait(self, timeout: float | None = None) -> bool:
        """Until the latest request is done (ready, none or failed); for tests and tools."""
        with self._lock:
            return self._lock.wait_for(lambda: not self.busy, timeout)

    def _set(self, state, note, ready):
        self.state, self.note, self.ready = state, note, ready
        self._lock.notify_all()

    def _run(self):
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._wanted is not None)
                gen, film = self._wanted
                self._wanted = None
            try:
                result, note = self._make(film)
            except Exception as e:       # one line; the preview keeps running silent
                result = None
                note = "no sound: " + f"{type(e).__name__}: {e}".splitlines()[0][:300]
            with self._lock:
                if gen != self.generation:
                    continue             # superseded by a reload while it was made
                self.busy = False
                if result is None:
                    self._set("failed", note, None)
                else:
                    self._set("ready", note, result)
            self.say(f"hepaanim preview: {note}")

    def _make(self, film):
        """(Ready, one line): mix if the encoded file is not cached, encode, load."""
        warned = []
        t0 = time.perf_counter()
        key, samples = mix(film, self.lang, self.cache_dir, warn=warned.append)
        path = _cache_file(self.cache_dir, key)
        cached = samples is None
        if not cached:
            encode(samples, path)
            try:
                _prune(self.cache_dir)
            except OSError:
                pass
        else:
            try:
                os.utime(path)           # recently used: kept by the pruning
            except OSError:
                pass
        data = path.read_bytes()
        took = time.perf_counter() - t0
        how = "from the cache" if cached else f"mixed and encoded in {took:.1f} s"
        note = (f"sound ready: {film.duration:.1f} s ({self.lang}) {how}, "
                f"{len(data) / 1e6:.2f} MB Opus")
        if warned:
            note += "; " + " ".join(w.split("\n")[0] for w in warned)
        return Ready(data, key, float(film.duration), took, cached), note


def _default_cache() -> Path:
    from ..pipeline.cache import default_cache_dir
    return default_cache_dir()

