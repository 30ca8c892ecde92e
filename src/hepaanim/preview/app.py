"""The preview: VPython widgets that play the film's Timeline, and hot reload.

Each browser poll (VPython's page asks about every 17 ms) runs one ``tick``: apply the
widget events, advance the playback clock, ``film.evaluate(t)`` and mirror that FrameState
into VPython objects, then send what changed.  The clock is the only wall-clock thing here;
what is shown at t is the same pure ``evaluate(t)`` the GL backend renders.

With a :class:`.soundtrack.PreviewSound` (the browser preview; not Jupyter, which has no
server to fetch it from) the film's sound is mixed in the background at start-up and after
each reload, and each frame's metadata says whether it is ready; the page's ``<audio>``
follows this clock (see ``hepaanimSound`` in :mod:`.server`).
"""
from __future__ import annotations

import html
import json
import sys
import time
import types
from pathlib import Path

from ..loader import SceneError, is_scene_file, load
from ..timeline import Film
from .events import BadMessage, parse_message
from .mirror import Mirror

SPEEDS = ["0.25×", "0.5×", "1×", "1.5×", "2×"]
SLIDER_STEPS = 4000
WIDTH, HEIGHT = 640, 360
POLL_FILES_S = 0.5
MAX_STEP_S = 0.25          # a stalled tab does not jump the film forward


class FilmSource:
    """Where the film comes from (a scene file, or a module with build(film)), and whether
    it changed on disk since it was loaded (mtime polling)."""

    def __init__(self, source):
        self.module = None
        self.path: Path | None = None
        if isinstance(source, types.ModuleType):
            f = getattr(source, "__file__", None)
            if f and f.endswith(".py"):
                self.path = Path(f).resolve()
            else:
                self.module = source
        else:
            self.path = Path(source).resolve() if Path(source).exists() else Path(source)
        self.stamps: dict[Path, float] = {}
        self.name = self.path.name if self.path else getattr(source, "__name__", "scene")

    def load(self) -> Film:
        if self.module is not None:
            film = Film(getattr(self.module, "__name__", "scene"))
            self.module.build(film)
            film.check_lines()
            if not film.acts:
                raise SceneError(f"{self.name}: build(film) added no acts")
            return film
        self._forget_scene_modules()
        before = set(sys.modules)
        film = load(self.path)
        self.stamps = {self.path: _mtime(self.path)}
        for name in set(sys.modules) - before:
            f = self._scene_file(sys.modules.get(name))
            if f is not None:
                self.stamps[f] = _mtime(f)
        return film

    def _scene_file(self, mod) -> Path | None:
        f = getattr(mod, "__file__", None)
        if not f or self.path is None:
            return None
        p = Path(f).resolve()
        pkg = Path(__file__).resolve().parents[1]          # hepaanim itself is not reloaded
        if is_scene_file(p, self.path.parent) and not p.is_relative_to(pkg):   # no venv
            return p
        return None

    def _forget_scene_modules(self):
        """Sibling act modules a scene imports are re-imported on reload, not served stale."""
        for name, mod in list(sys.modules.items()):
            if self._scene_file(mod) is not None:
                del sys.modules[name]

    def changed(self) -> bool:
        return any(_mtime(p) != m for p, m in self.stamps.items())


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return -1


class PreviewApp:
    """Widgets + playback + mirror; implements the server's Session (on_connect/on_message)."""

    def __init__(self, vp, wire, source: FilmSource, film: Film, t: float = 0.0,
                 canvas=None, group_cap: int | None = None, notebook: bool = False,
                 sound=None):
        self.vp, self.wire, self.source, self.film = vp, wire, source, film
        self.sound = sound
        self.muted = False
        self._sound_shown = None
        self.notebook = notebook
        self.t = min(max(float(t), 0.0), film.duration)
        self.playing = False
        self.speed = 1.0
        self.follow = True
        self.seq = 0
        self.reloads = 0
        self.error: str | None = None
        self.status = ""
        self._last_wall = time.monotonic()
        self._next_poll = 0.0
        self._shown_t = None
        self._dirty = True
        self._act_shown = None
        self._group_cap = group_cap
        self.frame_ms = 0.0
        self.canvas = canvas or vp.scene
        self._build_ui()
        self.mirror = self._new_mirror()
        if self.sound is not None:
            self.sound.start(film)

    # --- UI ----------------------------------------------------------------------------
    def _build_ui(self):
        vp, c = self.vp, self.canvas
        c.width, c.height = WIDTH, HEIGHT
        c.autoscale = False
        c.userspin = c.userzoom = False
        c.title = f"<b>hepaanim preview</b> · {html.escape(self.source.name)}\n"
        self.play_btn = vp.button(text="▶ Play", bind=self._on_play, pos=c.caption_anchor)
        self.slider = vp.slider(min=0, max=1, step=1 / SLIDER_STEPS, value=self._frac(),
                                length=WIDTH - 260, bind=self._on_slider, pos=c.caption_anchor)
        self.readout = vp.wtext(text=self._readout(), pos=c.caption_anchor)
        c.append_to_caption("\n")
        vp.wtext(text="act ", pos=c.caption_anchor)
        self.act_menu = vp.menu(choices=self._act_names(), selected=self._act_at(self.t),
                                bind=self._on_act, pos=c.caption_anchor)
        vp.wtext(text="  speed ", pos=c.caption_anchor)
        self.speed_menu = vp.menu(choices=SPEEDS, selected="1×", bind=self._on_speed,
                                  pos=c.caption_anchor)
        vp.wtext(text="  ", pos=c.caption_anchor)
        self.follow_box = vp.checkbox(text="camera follows timeline (untick to orbit freely)",
                                      checked=True, bind=self._on_follow, pos=c.caption_anchor)
        if self.sound is not None:
            vp.wtext(text="  ", pos=c.caption_anchor)
            self.sound_box = vp.checkbox(text="sound", checked=True, bind=self._on_sound,
                                         pos=c.caption_anchor)
        c.append_to_caption("\n")
        self.caption = vp.wtext(text="", pos=c.caption_anchor)
        c.append_to_caption("\n")
        self.status_text = vp.wtext(text="", pos=c.caption_anchor)
        self._act_shown = self._act_at(self.t)

    def _new_mirror(self) -> Mirror:
        kw = {} if self._group_cap is None else {"group_cap": self._group_cap}
        return Mirror(self.vp, self.wire, self.canvas, **kw)

    def _act_names(self) -> list[str]:
        return [a.name for a in self.film.acts]

    def _act_at(self, t: float) -> str:
        for a in self.film.acts:
            if a.start <= t < a.end:
                return a.name
        return self.film.acts[-1].name

    def _frac(self) -> float:
        d = self.film.duration
        return round(self.t / d, 6) if d > 0 else 0.0

    def _readout(self) -> str:
        return f"  {self.t:6.2f} s / {self.film.duration:.2f} s"

    # --- widget callbacks (run from the browser's events) ------------------------------
    def _on_play(self, b=None):
        self.playing = not self.playing
        if self.playing and self.t >= self.film.duration - 1e-6:
            self.t = 0.0
        self._last_wall = time.monotonic()
        self.play_btn.text = "❚❚ Pause" if self.playing else "▶ Play"

    def _on_slider(self, s):
        self.seek(float(s.value) * self.film.duration)

    def _on_act(self, m):
        try:
            self.seek(self.film.find_act(m.selected).start)
        except KeyError:
            pass

    def _on_speed(self, m):
        self.speed = float(m.selected.rstrip("×"))

    def _on_follow(self, b):
        self.follow = bool(b.checked)
        self.canvas.userspin = self.canvas.userzoom = not self.follow
        if self.follow:
            self.mirror._cam_key = None     # snap back to the timeline's camera
        self._dirty = True

    def _on_sound(self, b):
        self.muted = not bool(b.checked)

    def seek(self, t: float):
        self.t = min(max(float(t), 0.0), self.film.duration)
        self._last_wall = time.monotonic()
        self._dirty = True

    # --- the tick --------------------------------------------------------------------------
    def tick(self) -> bool:
        """Advance the clock, reload if the scene changed, mirror evaluate(t); True if a new
        picture was produced."""
        now = time.monotonic()
        if now >= self._next_poll and self.source.path is not None:
            self._next_poll = now + POLL_FILES_S
            if self.source.changed():
                self.reload()
        if self.playing:
            dt = min(now - self._last_wall, MAX_STEP_S) * self.speed
            t = self.t + dt
            if t >= self.film.duration:          # loop the film
                t = t % self.film.duration if self.film.duration > 0 else 0.0
            self.t = t
            self._dirty = True
        self._last_wall = now
        if self.sound is not None and self._sound_shown != (self.sound.generation,
                                                              self.sound.state):
            self._dirty = True                 # the status line says what the sound does
        if not self._dirty:
            return False
        t0 = time.perf_counter()
        state = self.film.evaluate(self.t)
        self.mirror.apply(state, follow_camera=self.follow)
        self._ui(state)
        self.frame_ms = (time.perf_counter() - t0) * 1000
        self._dirty = False
        self._shown_t = self.t
        self.seq += 1
        return True

    def _ui(self, state):
        self.readout.text = self._readout()
        if self.playing or abs(self.slider.value - self._frac()) > 0.5 / SLIDER_STEPS:
            self.slider.value = self._frac()
        act = self._act_at(self.t)
        if act != self._act_shown:
            self._act_shown = act
            self.act_menu.selected = act
        lines = []
        for cap, alpha in state.captions_in():
            if cap.style == "label":
                lines.append(f'<span style="opacity:{max(alpha, .35):.2f};color:#9FB3C8">'
                             f'[{html.escape(cap.text)}]</span>')
            else:
                lines.append(f'<span style="opacity:{max(alpha, .35):.2f}">'
                             f'{html.escape(cap.text)}</span>')
        text = "  ".join(lines) or "&nbsp;"
        if text != self.caption.text:
            self.caption.text = text
        status = (f'<span style="color:#FF8A80">reload failed: {html.escape(self.error)}</span>'
                  if self.error else self.status)
        if self.sound is not None:
            self._sound_shown = (self.sound.generation, self.sound.state)
            if self.sound.state != "ready":
                note = html.escape(self.sound.note)
                status = f"{status} · {note}" if status else note
        if status != self.status_text.text:
            self.status_text.text = status

    def reload(self):
        try:
            film = self.source.load()
        except SceneError as e:
            self.error = str(e)
            print(f"hepaanim preview: reload failed: {e}", file=sys.stderr, flush=True)
            self._dirty = True
            return
        except Exception as e:      # keep previewing the last good film
            self.error = f"{type(e).__name__}: {e}"
            print(f"hepaanim preview: reload failed: {self.error}", file=sys.stderr, flush=True)
            self._dirty = True
            return
        self.error = None
        self.film = film
        self.reloads += 1
        if self.sound is not None:
            self.sound.start(film)
        self.t = min(self.t, film.duration)
        self.mirror.clear()
        self.mirror = self._new_mirror()
        names = self._act_names()
        if names != list(self.act_menu.choices):
            self.act_menu.choices = names
        self._act_shown = None
        self.status = f"reloaded {time.strftime('%H:%M:%S')} (t kept at {self.t:.2f} s)"
        print(f"hepaanim preview: {self.status}", flush=True)
        self._dirty = True

    # --- Session (browser page over our WebSocket) --------------------------------------
    def _meta(self, fresh: bool) -> dict:
        return {"seq": self.seq, "t": round(self.t, 4), "act": self._act_at(self.t),
                "playing": self.playing, "speed": self.speed, "follow": self.follow,
                "duration": self.film.duration, "fresh": fresh, "reloads": self.reloads,
                "error": self.error, "frame_ms": round(self.frame_ms, 2)} | (
                {} if self.sound is None else {"sound": self.sound.meta(), "muted": self.muted})

    def _acts_meta(self) -> list:
        return [[a.name, a.start, a.end] for a in self.film.acts]

    def on_connect(self) -> str:
        self._dirty = True
        self.mirror._cam_key = None
        fresh = self.tick()
        return self.wire.replay_json(self._meta(fresh) | {"acts": self._acts_meta()})

    def on_message(self, text: str) -> str:
        """The page's events (or a plain poll) in, what changed out.  A message the page
        would never send is refused whole (none of its events applied) and answered with the
        usual update whose ``hepaanim.rejected`` says why; the session keeps serving."""
        rejected = None
        try:
            events = parse_message(text, self.wire.baseObj.object_registry, self.vp)
        except BadMessage as e:
            events, rejected = [], str(e)
        self.wire.events(events)
        reloads = self.reloads
        fresh = self.tick()
        msg = self.wire.drain()
        msg["hepaanim"] = self._meta(fresh)
        if rejected is not None:
            msg["hepaanim"]["rejected"] = rejected
        if self.reloads != reloads:
            msg["hepaanim"]["acts"] = self._acts_meta()
        return json.dumps(msg, separators=(",", ":"))

    def on_disconnect(self):
        pass

    def soundtrack(self):
        """The encoded sound for the server's /soundtrack.webm: (bytes, type), "pending"
        while it is mixed, None when the film has none."""
        from .server import PENDING
        from .soundtrack import CONTENT_TYPE
        if self.sound is None:
            return None
        state, ready, _ = self.sound.snapshot()
        if state in ("none", "failed"):
            return None
        if ready is None:
            return PENDING
        return ready.data, CONTENT_TYPE
