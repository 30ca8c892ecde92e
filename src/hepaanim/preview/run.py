"""``hepaanim preview``: serve the preview page on 127.0.0.1 and stop cleanly.

Runs in the calling process on one asyncio loop (no VPython threads exist: its servers are
replaced, see :mod:`.vp`); the film's sound is mixed on one daemon thread of its own
(:mod:`.soundtrack`), so the first frame does not wait for it.  It stops on Ctrl-C / SIGTERM, and when the page's tab is
closed (no page connected for ``GRACE_S`` after the last one left; a reload reconnects
within that time and is brought up to date).
"""
from __future__ import annotations

import asyncio
import os
import sys
import webbrowser

GRACE_S = 3.0


class PreviewUsageError(Exception):
    """A bad argument (unknown act, time past the end, port in use): one line, exit 2."""


def _can_open_browser() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_preview(scene, t: float | None = None, act: str | None = None, port: int = 0,
                open_browser: bool = True, group_cap: int | None = None,
                out=None) -> int:
    from .app import FilmSource, PreviewApp
    from .server import PreviewServer
    from .soundtrack import PreviewSound
    from .vp import Wire, import_vpython
    out = out or sys.stdout
    source = FilmSource(scene)
    film = source.load()                       # SceneError: reported by the caller
    start = 0.0
    if act is not None:
        names = [a.name for a in film.acts]
        if act not in names:
            raise PreviewUsageError(f"unknown act {act!r}; acts: {', '.join(names)}")
        start = film.find_act(act).start
    if t is not None:
        start += t
    if start > film.duration:
        raise PreviewUsageError(f"--t {start:g} is past the end; the film lasts "
                                f"{film.duration:g} s")
    vp = import_vpython()
    wire = Wire(vp)
    say = lambda s: (out.write(s + "\n"), out.flush())   # noqa: E731
    sound = PreviewSound(say=say)              # mixed on its own thread: not in the way
    app = PreviewApp(vp, wire, source, film, t=start, group_cap=group_cap, sound=sound)
    server = PreviewServer(app, port=port)
    return asyncio.run(_serve(server, open_browser, out))


async def _serve(server, open_browser: bool, out) -> int:
    try:
        await server.start()
    except OSError as e:
        raise PreviewUsageError(f"cannot listen on 127.0.0.1:{server.port}: "
                                f"{e.strerror or e}") from None
    loop = asyncio.get_running_loop()
    say = lambda s: (out.write(s + "\n"), out.flush())   # noqa: E731
    say(f"hepaanim preview: serving on {server.url}")
    say("  (listening on 127.0.0.1 only; the token in the URL is required)")
    opened = False
    if open_browser and _can_open_browser():
        try:
            opened = await loop.run_in_executor(None, webbrowser.open, server.url)
        except Exception:
            opened = False
    if not opened:
        why = "" if not open_browser else " (no browser could be started)"
        say(f"Open that URL in a browser{why}; waiting for it. Ctrl-C stops the preview.")
    else:
        say("Opened in your browser; close the tab or press Ctrl-C to stop.")
    try:
        while True:
            await asyncio.sleep(0.2)
            if server.clients_seen and not server.has_client and server.last_disconnect is not None \
                    and loop.time() - server.last_disconnect > GRACE_S:
                say("hepaanim preview: the page was closed; stopped.")
                return 0
    except asyncio.CancelledError:          # Ctrl-C: asyncio.run cancels us, then raises
        say("\nhepaanim preview: stopped.")
        raise
    finally:
        await server.close()
