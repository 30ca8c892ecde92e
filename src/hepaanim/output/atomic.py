"""Write to a temporary name beside the target and rename at the end, so an interrupted or
failed render never leaves a truncated file where a good one was.

A video and its subtitle sidecars are one ``Transaction``: every temporary is written
first, and only when all of them are complete are they renamed into place, so a full disk
or a read-only file never leaves a new video beside stale or missing subtitles.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_PARTIAL = re.compile(r"^\..*\.partial-(\d+)(\.\w+)?$")


def temp_path(target: Path) -> Path:
    """A hidden sibling of `target`, same suffix (ffmpeg picks containers by suffix)."""
    target = Path(target)
    return target.with_name(f".{target.stem}.partial-{os.getpid()}{target.suffix}")


def commit(tmp: Path, target: Path) -> None:
    """Atomically put `tmp` in place of `target` (files and PNG-sequence folders alike)."""
    tmp, target = Path(tmp), Path(target)
    if tmp.is_dir():
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def discard(tmp: Path) -> None:
    """Remove a temporary, quietly: cleanup runs while an error is on its way to the user,
    and a cleanup that raised (a read-only folder) would hide that error."""
    tmp = Path(tmp)
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        try:
            tmp.unlink()
        except OSError:
            pass


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale_partial(name: str) -> bool:
    """A temporary of a process that no longer runs (never this process's own)."""
    m = _PARTIAL.match(name)
    return bool(m) and int(m.group(1)) != os.getpid() and not alive(int(m.group(1)))


def clean_stale(target: Path) -> None:
    """Remove temporaries of `target` left by renders that crashed or were killed."""
    target = Path(target)
    try:
        found = list(target.parent.glob(f".{target.stem}.partial-*{target.suffix}"))
    except OSError:
        return
    for p in found:
        if is_stale_partial(p.name):
            discard(p)


class Transaction:
    """Files that are committed together or not at all.

    ``temp(target)`` names a temporary for `target` (removing stale ones of earlier runs);
    ``commit()`` renames every temporary into place once all are written; ``discard()``
    (or leaving the ``with`` block by an exception) removes every temporary and leaves
    the previous files as they were.  Renames within a folder do not need space, so once
    every temporary is written the commit does not meet a full disk.
    """

    def __init__(self):
        self._pairs: list[tuple[Path, Path]] = []

    def temp(self, target: Path) -> Path:
        target = Path(target)
        clean_stale(target)
        tmp = temp_path(target)
        self._pairs.append((tmp, target))
        return tmp

    def commit(self) -> None:
        for tmp, target in self._pairs:
            commit(tmp, target)
        self._pairs.clear()

    def discard(self) -> None:
        for tmp, _ in self._pairs:
            discard(tmp)
        self._pairs.clear()

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.discard()
