"""The review pack of a built film: thumbnails from its own renderer, digests of its frames.

``review.py`` lays out a pack from data it is given; this module is the one place that
gets that data from a film (a ``Film`` built with ``use_script``):

* a thumbnail of each line at its midpoint, drawn by the film's renderer at a small size
  with the draft look (what the film shows, not a mock-up; lines sharing a midpoint, such
  as a card's parts, share one picture);
* a content digest of each line's frames: every frame (t = i / fps) of its window is
  evaluated and hashed with the chunk cache's ``StateHasher`` (nodes, camera, lights,
  look: everything a backend draws), together with that line's own overlay (its caption,
  label or card as the compositor draws it).  Other lines' overlays are left out, so
  rewording one caption marks that line alone, while a camera or model change marks every
  line shown over the frames it touched;
* the version from git (``git describe --always --dirty``; "unknown" outside git).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import math
import multiprocessing as mp
import os
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

from ..scene.scene import FrameState
from .check import check, unclaimed_lines, unused_claims
from .review import FilmInfo, Pack, entries_from, write_pack
from .table import ScriptError

THUMB_SIZE = (320, 180)                # rendered thumbnail size (16:9), draft look


def _state_hasher():
    """The render cache's StateHasher class (one definition, wherever the engine keeps it)."""
    try:
        from ..pipeline.digest import StateHasher
    except ImportError:
        from ..render.parallel import StateHasher
    return StateHasher


def git_version(folder) -> str:
    """``git describe --always --dirty`` in ``folder``; "unknown" outside a repository or
    without git (a pack is still made; its cover says the version is unknown)."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=str(folder),
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def pack_date() -> str:
    """Today (UTC), or SOURCE_DATE_EPOCH's day, so that a rebuilt pack can be identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
            else _dt.datetime.now(_dt.timezone.utc))
    return when.date().isoformat()


def line_windows(film) -> dict[str, tuple[float, float]]:
    """Each table line's window in film seconds (a card's parts: the card's own window)."""
    starts = {a.name: a.start for a in film.acts}
    return {ln.id: (starts[ln.act] + ln.start, starts[ln.act] + ln.end)
            for ln in film.script.script if ln.act in starts}


def _frame_table(film, frames, size) -> dict[int, tuple[bytes, dict[int, bytes]]]:
    """frame -> (digest of its 3D state, {caption index: digest of that overlay alone})."""
    hasher = _state_hasher()(*size)
    bare = FrameState(0.0, {}, None, {}, None)    # no shot: only an overlay is fed
    index = {id(c): k for k, c in enumerate(film.timeline.captions)}
    out = {}
    for i in frames:
        state = film.evaluate(i / film.fps)
        sh = hashlib.blake2b(digest_size=16)
        hasher.feed(sh, replace(state, captions=[]))
        own = {}
        for c, alpha in state.captions_in():
            oh = hashlib.blake2b(digest_size=16)
            hasher.feed(oh, replace(bare, t=state.t, captions=[(c, alpha)]))
            own[index[id(c)]] = oh.digest()
        out[i] = (sh.digest(), own)
    return out


_FORKED = None                                    # (film, size) in forked workers


def _quiet_worker():
    """A forked worker ends at SIGTERM (the pool's terminate) without the parent's handler
    (the CLI turns SIGTERM into KeyboardInterrupt), and leaves Ctrl-C to the parent."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _forked_table(frames):
    film, size = _FORKED
    return _frame_table(film, frames, size)


def frame_digests(film, windows: dict, size=THUMB_SIZE, workers: int | None = None
                  ) -> dict[str, str]:
    """line id -> hex digest of its frames (module docstring).  Each frame is evaluated
    and hashed once however many lines show over it, in ``workers`` forked processes
    (default: one a core) where the system forks: evaluating is most of a pack's time,
    and a forked worker has the built film without loading it again.  No GL context
    exists yet (thumbnails are drawn afterwards), so forking is safe."""
    global _FORKED
    fps = film.fps
    owner = {}                                    # line id -> index of its caption
    for k, c in enumerate(film.timeline.captions):
        if c.line_id:
            owner[c.line_id] = k
    for ln in film.script.script:                 # a card's parts: the card's caption
        if ln.id not in owner and ln.card in owner:
            owner[ln.id] = owner[ln.card]
    spans = {lid: range(math.ceil(a * fps - 1e-9), math.ceil(b * fps - 1e-9))
             for lid, (a, b) in windows.items()}
    frames = sorted({i for r in spans.values() for i in r})
    workers = workers or os.cpu_count() or 1
    table: dict = {}
    if workers > 1 and len(frames) > 2 * workers and "fork" in mp.get_all_start_methods():
        parts = [frames[k::workers] for k in range(workers)]
        _FORKED = (film, size)
        try:
            with mp.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
                for t in pool.map(_forked_table, parts):
                    table.update(t)
        finally:
            _FORKED = None
    else:
        table = _frame_table(film, frames, size)
    out = {}
    for lid, idx in spans.items():
        cap = owner.get(lid, -1)
        h = hashlib.blake2b(digest_size=16)
        for i in idx:
            shot, own = table[i]
            h.update(shot)
            h.update(own.get(cap, b"-"))
        out[lid] = h.hexdigest()
    return out


def thumbnails(film, windows: dict, size=THUMB_SIZE, lang: str = "en") -> dict:
    """line id -> RGB(A) array of the frame at its midpoint, from the film's renderer."""
    from ..render.settings import Settings
    from ..compose import overlay_items
    fps = film.fps
    r = Settings(size[0], size[1], fps, look="draft").renderer()
    # The language, however the renderer asks the compositor (some pass it, some do not).
    r.lang = lang
    r.overlay_source = lambda state, w, h, *_, **__: overlay_items(state, w, h, lang)
    pictures = {}
    out = {}
    try:
        for lid, (a, b) in windows.items():
            i = math.floor((a + b) / 2 * fps)       # the frame showing at the midpoint
            if i not in pictures:
                pictures[i] = r.render_array(film.evaluate(i / fps))
            out[lid] = pictures[i]
    finally:
        r.close()
    return out


def build(film, pdf_path, since=None, lang: str = "en", scene: str = "",
          size=THUMB_SIZE) -> dict:
    """Write ``pdf_path``, its manifest and thumbnails for a built film; returns the
    manifest.  ``since``: the previous round's manifest (JSON path)."""
    data = film.script
    if data is None:
        raise ScriptError(f"{scene or film.name}: the film has no script table (its build "
                          "calls film.use_script(folder))")
    if lang != "en" and lang not in data.script.languages:
        raise ScriptError(f"{data.script.path}: no {lang!r} column (languages: "
                          f"{', '.join(data.script.languages)})")
    windows = line_windows(film)
    # Frames are evaluated and hashed in time order so each is evaluated once.
    ordered = dict(sorted(windows.items(), key=lambda kv: kv[1]))
    digests = frame_digests(film, ordered, size)
    thumbs = thumbnails(film, ordered, size, lang)
    starts = {a.name: a.start for a in film.acts}
    entries, refs = entries_from(data, starts, thumbs, digests, lang)
    folder = Path(data.settings.folder)
    info = FilmInfo(data.settings.name or film.name, git_version(folder), pack_date(),
                    film.duration, film.fps, scene, lang)
    pack = Pack(info, entries, refs,
                [(c, data.claims[c].statement) for c in unused_claims(data)],
                [(lid, data.script[lid].text["en"]) for lid in unclaimed_lines(data)],
                [str(p) for p in check(data)])
    return write_pack(pack, pdf_path, since)
