"""Scene mistakes, named by the file and line of the scene's call that made them.

A scene script only records data; a mistake in that data (a misspelt property path, a NaN
position, a caption past its act's end) should be reported where the script made it, at
build time, before any frame is drawn.  ``@scripted`` wraps the scene API (Act, camera
moves): a ValueError, TypeError or KeyError raised while recording becomes a
:class:`ScriptError` whose message starts with ``file:line`` of the scene's call.  Mistakes
that can only show up later (a procedural function that returns NaN at t=41 s) are
reported with the call site recorded when the track was made (``call_site()``).
"""
from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import numpy as np

_ENGINE = str(Path(__file__).resolve().parents[1])      # src/hepaanim


class SceneError(Exception):
    """A scene script could not be loaded or evaluated; the message names file and line."""


class ScriptError(SceneError, ValueError):
    """A mistake in what a scene script declared; the message starts with its file:line."""


def call_site(depth: int = 1) -> str:
    """``file:line`` of the innermost caller outside hepaanim's own code (and outside code
    generated at run time, such as dataclass ``__init__``s, named ``<string>``): the scene
    script's line that called the API."""
    f = sys._getframe(depth)
    while f is not None:
        name = f.f_code.co_filename
        if not (name.startswith(_ENGINE) or name.startswith("<")):
            return f"{name}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>:?"


def _message(e: BaseException) -> str:
    if isinstance(e, KeyError) and len(e.args) == 1:
        return str(e.args[0])
    return str(e)


def scripted(fn):
    """Report a mistake raised while a scene API call records data as a ScriptError that
    names the scene's call line (errors raised by the scene's own callbacks pass as they
    are: their own traceback names their line)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SceneError:
            raise
        except (ValueError, TypeError, KeyError) as e:
            if _raised_in_scene_code(e):
                raise
            raise ScriptError(f"{call_site(2)}: {_message(e)}") from None
    return wrapper


def _raised_in_scene_code(e: BaseException) -> bool:
    """True when a frame of the traceback is the user's own code (a callback the API
    called, such as a procedural function): the loader then names that code's line."""
    tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not (name.startswith(_ENGINE) or name.startswith("<") or "-packages" in name
                or name.startswith(sys.prefix) or name.startswith(sys.base_prefix)):
            return True
        tb = tb.tb_next
    return False


def finite(value) -> bool:
    """True unless `value` is a number or numeric array holding NaN or ±inf (strings,
    booleans, None and callables are not numbers and pass)."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return True
    if isinstance(value, (int, float, np.integer, np.floating)):
        return math.isfinite(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.isfinite(value).all())
    if isinstance(value, (list, tuple)):
        try:
            a = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return all(finite(v) for v in value)
        return bool(np.isfinite(a).all())
    return True


def shown(value) -> str:
    """A short rendering of a value for a message."""
    if isinstance(value, np.ndarray) and value.size > 6:
        bad = value[~np.isfinite(value)] if value.dtype.kind in "fc" else value
        return f"array {value.shape} holding {bad.flat[0] if bad.size else '…'}"
    return repr(value.tolist() if isinstance(value, np.ndarray) else value)
