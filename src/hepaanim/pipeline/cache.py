"""The segment cache: finished chunks by key, each verified before it is reused.

A finished segment is stored under its key in the cache folder (default
``renders/.cache``, or ``$HEPAANIM_CACHE_DIR``), written to a temporary name and renamed,
so an interrupted render (Ctrl-C, crash, killed worker) keeps every finished chunk and
never a half one.  Beside each segment, ``<key>.<fmt>.check`` records its key, frame count,
size and a digest of its bytes, written when the segment was.  A segment is verified
against it before reuse (a stat and one hash of a few MB: milliseconds); one that was
truncated, altered or swapped for another is dropped and rendered again.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..output import atomic
from .job import ChunkError

CACHE_ENV = "HEPAANIM_CACHE_DIR"
DEFAULT_CACHE_DIR = Path("renders") / ".cache"
CACHE_MAX_BYTES = int(float(os.environ.get("HEPAANIM_CACHE_MAX_GB", "4")) * 2**30)


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

