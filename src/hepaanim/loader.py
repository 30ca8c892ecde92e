"""Load a scene script: `def build(film)` in a .py file, errors reported as file:line.

A scene script that fails (syntax error, exception in build) is reported with the file and
line inside the scene code that caused it, not a traceback into hepaanim.
"""
from __future__ import annotations

import hashlib
import os
import sys
import traceback
import types
from functools import lru_cache
from pathlib import Path

from .timeline import Film
from .timeline.errors import SceneError      # one class: build- and evaluate-time mistakes

__all__ = ["SceneError", "bundle_hash", "is_scene_file", "load", "scene_bundle", "scene_files",
           "source_hash"]


def _scene_location(exc: BaseException, scene_dir: Path) -> str | None:
    """file:line of the innermost traceback frame in the scene's own code (not in a
    virtualenv inside its folder, not in code generated at run time such as a dataclass's
    ``<string>`` __init__, which would otherwise resolve against the working directory)."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if is_scene_file(f.filename, scene_dir)]
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
        film.check_lines()                       # every table line placed by its act
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
    """Drop cached imports of the scene's own modules (edited act files), and only those:
    numpy imported from a virtualenv inside the folder cannot be imported twice."""
    # The names the folder's own modules go by (``acts``, a film package): a module cached
    # under one of them from ANOTHER folder (a copy of the film loaded earlier in this
    # process) would shadow this folder's, so it is dropped too.
    own = {p.stem for p in folder.glob("*.py")} | {
        p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    for name, m in list(sys.modules.items()):
        f = getattr(m, "__file__", None)
        if f and (is_scene_file(f, folder) or name.split(".", 1)[0] in own):
            del sys.modules[name]


_PACKAGE = Path(__file__).resolve().parent          # hepaanim itself is never scene code
_PRUNE = {"__pycache__", "site-packages", "dist-packages", "node_modules", ".git"}


@lru_cache(maxsize=4096)
def _foreign_dir(d: Path) -> bool:
    """A folder whose files are not the scene's: an environment (pyvenv.cfg: venv, .venv,
    tox and nox environments), installed packages, caches, hepaanim's own package."""
    return d.name in _PRUNE or d == _PACKAGE or (d / "pyvenv.cfg").is_file()


def is_scene_file(filename, scene_dir: Path) -> bool:
    """True when `filename` is the scene's own code: a real file in the scene's folder (the
    scene, its sibling modules and packages such as ``acts/``) that no foreign folder
    (see ``_foreign_dir``) between the scene folder and the file holds."""
    name = str(filename)
    if name.startswith("<"):
        return False
    p = Path(name).resolve()
    scene_dir = Path(scene_dir).resolve()
    if not p.is_relative_to(scene_dir) or not p.is_file():
        return False
    d = p.parent
    while d != scene_dir:
        if _foreign_dir(d):
            return False
        d = d.parent
    return True


def scene_files(scene_dir) -> list[Path]:
    """The scene's own Python files, sorted: what a render cache keys on and a cluster
    ships.  Foreign folders (a virtualenv beside the scene, site-packages) are not walked."""
    root = Path(scene_dir).resolve()
    out = []
    for d, subdirs, files in os.walk(root):
        subdirs[:] = sorted(s for s in subdirs if not _foreign_dir(Path(d) / s))
        out += [Path(d) / f for f in files if f.endswith(".py")]
    return sorted(out)


def scene_bundle(scene_dir) -> dict[str, bytes]:
    """The scene's own Python files by path relative to `scene_dir` (what a Dask worker
    is sent)."""
    root = Path(scene_dir).resolve()
    return {str(p.relative_to(root)): p.read_bytes() for p in scene_files(root)}


def bundle_hash(bundle: dict[str, bytes]) -> str:
    """The one hash of a scene folder's files, here and on a cluster worker."""
    h = hashlib.blake2b(digest_size=12)
    for rel in sorted(bundle):
        h.update(rel.encode() + b"\0" + bundle[rel] + b"\0")
    return h.hexdigest()


def source_hash(scene_dir: Path) -> str:
    """Hash of the scene's own Python files (what a render cache must key on)."""
    return bundle_hash(scene_bundle(scene_dir))
