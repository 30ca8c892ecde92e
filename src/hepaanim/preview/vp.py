"""Import VPython without its servers, and move its updates over our own wire.

``import vpython`` normally imports ``vpython.no_notebook`` (or ``with_notebook``) when the
first object is made: that binds an HTTP and a WebSocket server to every interface, serves
the working directory, replaces the SIGINT handler, starts non-daemon threads and blocks
until a browser connects.  In Jupyter, ``with_notebook`` starts a Tornado WebSocket server
on every interface as well.  Here both are replaced *before* the import by stand-in modules
that start nothing: the browser page is served by :mod:`.server` (loopback only), and in a
notebook VPython's own Jupyter comm channel (the kernel's authenticated connection) carries
the updates, exactly as VPython does when no WebSocket port is offered.

VPython keeps what the page still has to learn in ``baseObj.updates`` / ``baseObj.attrs``;
:class:`Wire` drains them into one JSON message per browser poll, and keeps a replay log
(constructors in order, last value of every attribute) so a reloaded tab, or a second one,
is brought up to date instead of showing an empty scene.
"""
from __future__ import annotations

import json
import re
import signal
import sys
import types
import warnings

import numpy as np


def import_vpython():
    """vpython, imported with stand-ins for its server modules; SIGINT handler untouched."""
    if "vpython" in sys.modules and getattr(sys.modules["vpython"], "_hepaanim_safe", False):
        return sys.modules["vpython"]
    if "vpython" in sys.modules:
        raise RuntimeError("vpython was imported before hepaanim's preview; restart the "
                           "kernel/process and call hepaanim.preview() first")
    for name in ("vpython.no_notebook", "vpython.with_notebook"):
        stub = types.ModuleType(name)
        stub.__doc__ = "hepaanim stand-in: VPython's own servers are never started."
        stub._ = None
        sys.modules[name] = stub
    try:                                       # vpython 7.6 still imports pkg_resources,
        import pkg_resources  # noqa: F401     # which newer setuptools no longer ship
    except ImportError:
        sys.modules["pkg_resources"] = _pkg_resources_stand_in()
    old = signal.getsignal(signal.SIGINT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import vpython
    finally:
        try:
            signal.signal(signal.SIGINT, old)
        except (ValueError, TypeError):      # not the main thread / handler was None
            pass
    vpython._hepaanim_safe = True
    return vpython


def _pkg_resources_stand_in():
    import importlib.metadata as md
    mod = types.ModuleType("pkg_resources")

    class DistributionNotFound(Exception):
        pass

    def get_distribution(name):
        try:
            return types.SimpleNamespace(version=md.version(name))
        except md.PackageNotFoundError:
            raise DistributionNotFound(name) from None

    mod.DistributionNotFound, mod.get_distribution = DistributionNotFound, get_distribution
    return mod


def in_notebook() -> bool:
    """The test VPython makes (a Jupyter kernel's shell, not Spyder), done without
    importing vpython: importing any part of it runs its package, which makes a canvas."""
    import os
    if any("SPYDER" in k for k in os.environ):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


_ATTR_KEY = re.compile(r"^([ab]\d+.)")
# Canvas commands whose place among the constructors matters (replayed in order).
_ORDERED = ("append_to_caption", "append_to_title", "lights")


class Wire:
    """Drain VPython's pending updates into messages; remember enough to replay them."""

    def __init__(self, vp):
        from vpython.vpython import GlowWidget, baseObj
        self.vp = vp
        self.baseObj = baseObj
        if baseObj.glow is None:
            GlowWidget()                   # outside a notebook: no comm, sender = None
        # The replay log keeps JSON text, not dicts (a film's meshes are ~10^5 commands).
        self.cmds: list[tuple[int, str]] = []   # constructors (and caption appends), in order
        self.settings: dict = {}           # canvas settings such as center: latest wins
        self.attrs: dict[str, str] = {}    # 'a12a' -> 'a12a1,2,3' (latest value wins)
        self.methods: list[str] = []
        self.deleted: set[int] = set()
        self.fast: dict[str, str] = {}     # per-frame attributes encoded by the mirror

    def put(self, encoded: list[str]):
        """Per-frame attribute strings already in VPython's wire format ('a<idx><code>v')."""
        for s in encoded:
            self.fast[_ATTR_KEY.match(s).group(1)] = s

    def drain(self) -> dict:
        b = self.baseObj
        b.handle_attach()
        updates, attrs = b.updates, b.attrs
        b.initialize()
        for idx, attr in attrs:
            obj = b.object_registry.get(idx)
            if obj is None:
                continue
            val = getattr(obj, attr)
            if type(val) is self.vp.vector:
                val = [val.x, val.y, val.z]
            updates["attrs"].setdefault(idx, {})[attr] = val
        msg = b.package(updates)
        b.sent = True
        if self.fast:
            msg["attrs"] = msg.get("attrs", []) + list(self.fast.values())
            self.fast = {}
        self._log(msg)
        return msg

    def _log(self, msg: dict):
        dumps = json.dumps
        for c in msg.get("cmds", []):
            idx = c.get("idx")
            if c.get("cmd") == "delete":
                self.deleted.add(idx)
            elif "cmd" in c or any(k in c for k in _ORDERED):
                self.cmds.append((idx, dumps(c, separators=(",", ":"))))
            else:                            # e.g. {"idx": 0, "center": [...]}
                key = (idx, tuple(sorted(k for k in c if k != "idx")))
                self.settings[key] = (idx, dumps(c, separators=(",", ":")))
        for s in msg.get("attrs", []):
            if s[0] == "m":
                self.methods.append(s)
            else:
                m = _ATTR_KEY.match(s)
                if m:
                    self.attrs[m.group(1)] = s

    def replay_json(self, meta: dict) -> str:
        """Everything a new page needs, as one message: all constructors, then every
        attribute's last value."""
        self.drain()
        gone = self.deleted
        cmds = [c for i, c in self.cmds if i not in gone]
        cmds += [c for i, c in self.settings.values() if i not in gone]
        attrs = [s for k, s in self.attrs.items() if int(k[1:-1]) not in gone]
        attrs += [s for s in self.methods if int(re.match(r"m(\d+)", s).group(1)) not in gone]
        return ('{"cmds":[' + ",".join(cmds) + '],"attrs":' + json.dumps(attrs) +
                ',"hepaanim":' + json.dumps(meta) + "}")

    def forget(self, idxs):
        """Objects hidden for good (a reload replaced them): drop them from the replay log."""
        gone = set(idxs)
        self.deleted |= gone
        self.cmds = [(i, c) for i, c in self.cmds if i not in gone]
        self.attrs = {k: s for k, s in self.attrs.items() if int(k[1:-1]) not in gone}

    def events(self, events: list):
        """Browser events (widgets, mouse, camera) into VPython, one at a time as it does."""
        glow = self.baseObj.glow
        for e in events:
            if isinstance(e, dict) and e.get("event") == "_compound":
                continue          # our compounds know their size already (see fast_compound)
            glow.handle_msg({"content": {"data": [e]}})


def raw_mesh(baseObj, canvas_idx: int, positions, normals, color, indices,
             visible: bool = True) -> tuple[range, range]:
    """Vertices and triangles as bare constructor commands (no Python object per vertex).

    They behave in the page exactly like ``vpython.vertex`` / ``vpython.triangle`` (same
    commands, indices from VPython's own counter); here they are only ever addressed by
    index (compound parts, per-triangle visibility), so 10^4 Python objects are not made.
    """
    nv, nt = len(positions), len(indices)
    v0 = baseObj.objCnt
    t0 = v0 + nv
    baseObj.objCnt = t0 + nt
    col = [float(c) for c in color]
    P = np.round(np.asarray(positions, np.float64), 4).tolist()
    N = np.round(np.asarray(normals, np.float64), 4).tolist()
    cmds = baseObj.updates["cmds"]
    cmds.extend({"cmd": "vertex", "idx": v0 + k, "pos": p, "normal": n, "color": col,
                 "canvas": canvas_idx} for k, (p, n) in enumerate(zip(P, N)))
    extra = {} if visible else {"visible": False}
    cmds.extend({"cmd": "triangle", "idx": t0 + k, "v0": a, "v1": b, "v2": c,
                 "canvas": canvas_idx, **extra}
                for k, (a, b, c) in enumerate((np.asarray(indices) + v0).tolist()))
    return range(v0, t0), range(t0, t0 + nt)


def fast_compound(vp, part_idxs, pos, size, **args):
    """A VPython compound made without waiting for the browser.

    ``vpython.compound`` blocks twice (until its parts were sent, then until the page
    reports the compound's position and size).  Parts and compound travel in one message,
    in order, so the first wait is not needed; the bounding box (``pos`` centre, ``size``)
    is known here, so the second is not either.  The page hides the parts, as for any
    compound.
    """
    from vpython.vpython import compound, standardAttributes
    c = compound.__new__(compound)
    c._obj_idxs = None
    args["obj_idxs"] = list(part_idxs)
    args["_default_size"] = vp.vector(1, 1, 1)
    compound.compound_idx += 1
    args["_objName"] = "compound" + str(compound.compound_idx)
    standardAttributes.setup(c, args)
    c._sizing = False
    c._pos.value = pos
    c._origin = vp.vector(pos)
    c._size.value = size
    c._size0 = vp.vector(size)
    c._axis.value = size.x * vp.norm(c._axis)
    return c
