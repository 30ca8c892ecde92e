"""Property paths ('rbc.instances.position', 'camera.fov', 'scene.warmth') read and written
on a FrameState.

Writes are copy-on-write: the first write to a node in a frame copies the node and its
material, transform, instances and params shallowly (arrays are shared, never mutated), so
evaluating a frame never changes the Scene and frames can be evaluated in any order.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..scene.nodes import InstancedNode
from ..scene.scene import FrameState


class PathError(ValueError):
    pass


def _split(path: str) -> list[str]:
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        raise PathError(f"property path {path!r}: expected 'root.attribute[.attribute]'")
    return parts


def _get(obj, key):
    if isinstance(obj, dict):
        return obj[key]
    if not hasattr(obj, key):
        raise KeyError(key)
    return getattr(obj, key)


def _set(obj, key, value):
    if isinstance(obj, dict):
        obj[key] = value
        return
    if not hasattr(obj, key):
        raise KeyError(key)
    cur = getattr(obj, key)
    if isinstance(cur, np.ndarray) and not isinstance(value, np.ndarray):
        value = np.broadcast_to(np.asarray(value, dtype=cur.dtype), cur.shape)
    elif isinstance(cur, np.ndarray) and isinstance(value, np.ndarray) and cur.dtype == np.float32:
        value = value.astype(np.float32, copy=False)
    setattr(obj, key, value)


class Binder:
    """Applies values to one FrameState, copying what it touches exactly once."""

    def __init__(self, state: FrameState):
        self.state = state
        self._copied: set[str] = set()

    def _writable(self, root: str):
        s = self.state
        if root == "camera":
            if "camera" not in self._copied:
                s.camera = s.camera.copy()
                self._copied.add("camera")
            return s.camera
        if root == "lights":
            if "lights" not in self._copied:
                s.lights = {k: v.copy() for k, v in s.lights.items()}
                self._copied.add("lights")
            return s.lights
        if root == "scene":
            if "scene" not in self._copied:
                s.settings = s.settings.copy()
                self._copied.add("scene")
            return s.settings
        node = s.nodes.get(root)
        if node is None:
            return None
        if root not in self._copied:
            changes = dict(material=node.material.copy(), transform=node.transform.copy(),
                           params=dict(node.params))
            if isinstance(node, InstancedNode):
                changes["instances"] = node.instances.copy()
            node = node.copy(**changes)
            s.nodes[root] = node
            self._copied.add(root)
        return node

    def set(self, path: str, value) -> bool:
        """Set a value; False when the node is not on screen at this instant."""
        parts = _split(path)
        obj = self._writable(parts[0])
        if obj is None:
            return False
        if parts[0] == "scene" and len(parts) == 2 and not hasattr(obj, parts[1]):
            obj.params[parts[1]] = value
            return True
        try:
            for p in parts[1:-1]:
                obj = _get(obj, p)
            _set(obj, parts[-1], value)
        except (KeyError, AttributeError):
            raise PathError(f"property path {path!r}: no attribute {parts[-1]!r} "
                            f"on {type(obj).__name__}") from None
        return True


def check_path(path: str, scene, scope: str | None = None) -> None:
    """Fail at build time, naming what is there, for a path that does not resolve in full
    on the Scene: a root that names nothing, an attribute the object lacks
    ('vessel_wall.material.opactiy'), a param the node's model does not declare
    ('factors.params.sprad': a node's ``params`` as built hold every name its model reads).
    With `scope` (an act's name) node names are those of that act and the film-wide ones."""
    parts = _split(path)
    root = parts[0]
    if root == "scene":
        obj = scene.settings
        if len(parts) == 2 and not hasattr(obj, parts[1]):
            return                                  # a free scene-wide value (scene.warmth)
    elif root == "camera":
        obj = scene.camera
    elif root == "lights":
        obj = scene.lights
    elif (key := scene.find(root, scope)) is not None:
        obj = scene.nodes[key]
    else:
        known = sorted(n.name for k, n in scene.nodes.items()
                       if scene.find(n.name, scope) == k)
        raise PathError(f"property path {path!r}: no node named {root!r}"
                        f"{'' if scope is None else f' in act {scope!r}'} "
                        f"(known: {', '.join(known) or 'none'})")
    where = root
    for k, p in enumerate(parts[1:], 1):
        if isinstance(obj, dict):
            if p not in obj:
                known = ", ".join(sorted(obj)) or "none"
                if parts[k - 1] == "params":
                    raise PathError(f"property path {path!r}: unknown param {p!r} of {root!r}; "
                                    f"known: {known}")
                raise PathError(f"property path {path!r}: {where} has no {p!r}; known: {known}")
            obj = obj[p]
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            names = [f.name for f in dataclasses.fields(obj) if f.name not in _NOT_PATHS]
            if p not in names:
                raise PathError(f"property path {path!r}: {type(obj).__name__} has no {p!r}; "
                                f"known: {', '.join(names)}")
            obj = getattr(obj, p)
        else:
            raise PathError(f"property path {path!r}: {where} is a value "
                            f"({type(obj).__name__}), not an object with {p!r}")
        where = f"{where}.{p}"


# Node fields a track may not drive: its identity, its model's derive function.
_NOT_PATHS = ("name", "derive", "parent", "_cache")
