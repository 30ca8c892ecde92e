"""Write to a temporary name beside the target and rename at the end, so an interrupted or
failed render never leaves a truncated file where a good one was."""
from __future__ import annotations

import os
import shutil
from pathlib import Path


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
    tmp = Path(tmp)
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
