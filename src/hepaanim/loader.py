"""Load a scene script: `def build(film)` in a .py file, errors reported as file:line.

A scene script that fails (syntax error, exception in build) is reported with the file and
line inside the scene code that caused it, not a traceback into hepaanim.
"""
from __future__ import annotations

import hashlib
import sys
import traceback
import types
from pathlib import Path

from .timeline import Film


class SceneError(Exception):
    """A scene script could not be loaded; the message names file and line."""


def _scene_location(exc: BaseException, scene_dir: Path) -> str | None:
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(scene_dir)]
    if inside:
        f = inside[-1]
        return f"{f.filename}:{f.lineno}"
    return None


def load(path, fps: int = 30) -> Film:
    path = Path(path)
    if not path.is_file():
        raise SceneError(f"{path}: no such scene file")
    path = path.resolve()
    source = path.read_text(encoding="utf-8")
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as e:
        raise SceneError(f"{e.filename}:{e.lineno}: syntax error: {e.msg}") from None
    scene_dir = path.parent
    _forget_modules_under(scene_dir)           # re-import act modules fresh (hot reload)
    mod = types.ModuleType(f"hepaanim_scene_{path.stem}")
    mod.__file__ = str(path)
    added = str(scene_dir) not in sys.path
    if added:
        sys.path.insert(0, str(scene_dir))      # scenes may import their sibling act modules
    film = Film(path.stem, fps)
    try:
        exec(code, mod.__dict__)
        build = mod.__dict__.get("build")
        if not callable(build):
            raise SceneError(f"{path}:1: a scene script must define build(film)")
        build(film)
    except SceneError:
        raise
    except SyntaxError as e:                     # in an imported act module
        raise SceneError(f"{e.filename}:{e.lineno}: syntax error: {e.msg}") from None
    except Exception as e:
        where = _scene_location(e, scene_dir) or f"{path}:?"
        raise SceneError(f"{where}: {type(e).__name__}: {e}") from None
    finally:
        if added:
            sys.path.remove(str(scene_dir))
    if not film.acts:
        raise SceneError(f"{path}:1: build(film) added no acts (use film.act(name, seconds))")
    film.source_hash = source_hash(scene_dir)
    return film


def _forget_modules_under(folder: Path) -> None:
    """Drop cached imports of modules that live in the scene folder (edited act files)."""
    for name, m in list(sys.modules.items()):
        f = getattr(m, "__file__", None)
        if f and Path(f).resolve().is_relative_to(folder):
            del sys.modules[name]


def source_hash(scene_dir: Path) -> str:
    """Hash of the scene folder's Python files (what a render cache must key on)."""
    h = hashlib.blake2b(digest_size=12)
    for p in sorted(Path(scene_dir).rglob("*.py")):
        h.update(str(p.relative_to(scene_dir)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()
