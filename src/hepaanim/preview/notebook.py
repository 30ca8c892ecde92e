"""``hepaanim.preview(path_or_module)`` inside Jupyter.

VPython draws into the cell's output and talks to the kernel over the Jupyter comm channel
(the notebook's own authenticated connection).  Its ``with_notebook`` module would also
start a Tornado WebSocket server on every interface and copy files into the user's Jupyter
folder; :func:`.vp.import_vpython` replaces it, and the comm is opened here without a
WebSocket port, which VPython's front ends handle by sending over the comm instead.

The page polls the kernel about every 33 ms; each poll first runs the preview's tick (the
same one the browser preview runs), then VPython sends what changed.  A later call to
``preview()`` takes over: earlier canvases stop updating.
"""
from __future__ import annotations

_current = {"app": None}


def _widget_class():
    import vpython
    from vpython.vpython import GlowWidget, baseObj

    from .events import BadMessage, check_events

    class HepaanimGlowWidget(GlowWidget):
        """VPython's comm endpoint, with the preview's tick run before each reply."""

        def handle_msg(self, msg):
            try:                 # a malformed message is refused whole, as in on_message
                events = check_events(msg["content"]["data"], baseObj.object_registry,
                                      vpython)
            except (BadMessage, KeyError, TypeError) as e:
                print(f"hepaanim preview: refused a message from the page: {e}")
                events = []
            events = [e for e in events if e.get("event") != "_compound"]
            if not events:
                events = [{"event": "update_canvas", "trigger": 1}]
            msg = {"content": {"data": events}}
            app = _current["app"]
            if app is not None:
                try:
                    app.tick()
                    b = baseObj
                    if app.wire.fast:          # per-frame strings: hand them to VPython's
                        b.updates.setdefault("hepaanim_fast", []).extend(
                            app.wire.fast.values())
                        app.wire.fast = {}
                except Exception as e:      # never break the kernel's message loop
                    print(f"hepaanim preview: {type(e).__name__}: {e}")
            super().handle_msg(msg)

    return HepaanimGlowWidget


def _patch_package():
    """VPython's notebook sender packs baseObj.updates; add our per-frame strings to it."""
    from vpython.vpython import baseObj
    if getattr(baseObj, "_hepaanim_patched", False):
        return
    orig = baseObj.package.__func__

    def package(cls, objdata):
        fast = objdata.pop("hepaanim_fast", None)
        ret = orig(cls, objdata)
        if fast:
            ret["attrs"] = ret.get("attrs", []) + list(fast)
        return ret

    def empty(cls):
        b = cls.updates
        return (b["cmds"] == [] and b["methods"] == [] and len(cls.attrs) == 0
                and not b.get("hepaanim_fast"))

    def initialize(cls):
        cls.updates = {"cmds": [], "methods": [], "attrs": {}}
        cls.attrs = set()

    baseObj.package = classmethod(package)
    baseObj.empty = classmethod(empty)
    baseObj.initialize = classmethod(initialize)
    baseObj._hepaanim_patched = True


def preview(source, t: float = 0.0, act: str | None = None, group_cap: int | None = None):
    """Show a scene (a path to a scene script, or a module with ``build(film)``).

    In Jupyter the preview appears in the cell's output with its timeline widgets; elsewhere
    it opens the browser preview and blocks until the tab is closed (or Ctrl-C).
    """
    from .vp import import_vpython, in_notebook
    if not in_notebook():
        from .run import run_preview
        return run_preview(source, t=t, act=act, group_cap=group_cap)
    from .app import FilmSource, PreviewApp
    from .vp import Wire
    vp = import_vpython()
    from vpython.vpython import baseObj
    _patch_package()
    if not isinstance(baseObj.glow, _widget_class()):
        _widget_class()(wsport=None)     # opens the comm; no WebSocket server
    src = FilmSource(source)
    film = src.load()
    start = (film.find_act(act).start if act else 0.0) + float(t)
    first = _current["app"] is None
    canvas = vp.scene if first else vp.canvas()
    wire = Wire(vp)
    app = PreviewApp(vp, wire, src, film, t=start, canvas=canvas, group_cap=group_cap,
                     notebook=True)
    _current["app"] = app
    app.tick()
    if app.wire.fast:
        baseObj.updates.setdefault("hepaanim_fast", []).extend(app.wire.fast.values())
        app.wire.fast = {}
    baseObj.trigger()                         # start VPython's ping-pong with the page
    return None
