"""A minimal, loopback-only HTTP + WebSocket server for the VPython page.

VPython's own ``no_notebook`` server binds HTTP and WebSocket to every interface, serves any
file under the working directory and accepts any origin.  This one replaces it:

* one port, bound to ``127.0.0.1`` only (never ``0.0.0.0`` or ``::``);
* a fixed allow-list of URL paths, mapped to VPython's shipped library and font files at
  start-up; a request is looked up in that table, never joined to a filesystem path, so
  ``/../pyproject.toml``, ``/%2e%2e/…``, ``/etc/passwd`` and repository files are 404;
* the page and the WebSocket need the per-run random token printed with the URL;
* the ``Host`` header must name the loopback address (DNS-rebinding guard) and the
  WebSocket ``Origin`` must be this page's own origin (cross-site WebSocket guard);
* GET/HEAD only, bounded header and message sizes, ``Connection: close``;
* one media path, ``/soundtrack.webm`` (the film's sound, see :mod:`.soundtrack`), with
  the same token as the page and byte ranges (a browser seeks audio with ``Range``).

Stdlib only (asyncio); the session object behind it decides what the page shows.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import struct
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

HOST = "127.0.0.1"
MAX_HEADER = 16 * 1024
MAX_MESSAGE = 8 * 1024 * 1024
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SOUNDTRACK = "/soundtrack.webm"     # the film's sound (soundtrack.PATH); token-checked
PENDING = "pending"                 # Session.soundtrack() while it is being made

_MIME = {".js": "application/javascript", ".css": "text/css", ".png": "image/png",
         ".gif": "image/gif", ".jpg": "image/jpeg", ".ttf": "font/ttf", ".otf": "font/otf",
         ".ico": "image/x-icon"}


def vpython_dir() -> Path:
    """VPython's package folder, found without importing it (its import has side effects)."""
    import importlib.util
    spec = importlib.util.find_spec("vpython")
    if spec is None or not spec.origin:
        raise ImportError("vpython is not installed (pip install 'hepaanim[preview]')")
    return Path(spec.origin).parent


def asset_table(root: Path | None = None) -> dict[str, Path]:
    """URL path -> file, for the library and font files the page needs, and nothing else."""
    root = root or vpython_dir()
    table: dict[str, Path] = {}
    lib, data = root / "vpython_libraries", root / "vpython_data"
    for name in ("glow.min.js", "jquery.min.js", "jquery-ui.custom.min.js", "ide.css",
                 "jquery-ui.custom.css"):
        table["/" + name] = lib / name
    for p in sorted((lib / "images").glob("*")):
        if p.is_file() and p.suffix in _MIME:
            table["/images/" + p.name] = p
    for p in sorted(data.glob("*")):
        if p.is_file() and p.suffix in _MIME:
            table["/" + p.name] = p
    return {k: v for k, v in table.items() if v.is_file()}


# Edits to VPython's own page (glowcomm.html), each checked so a VPython update that moves
# the text fails loudly instead of silently serving an unsafe or broken page.
_PAGE_EDITS = [
    # plotly (3.8 MB) is only for graphs, which the preview does not use.
    ('<script type="text/javascript" src="plotly.min.js"></script>\n', ""),
    # Same host and port as the page, and the token; not "localhost:<any port>".
    ('ws = new WebSocket("ws://localhost:"+sock)',
     'ws = new WebSocket("ws://" + location.host + "/ws?token=" + '
     'encodeURIComponent(new URLSearchParams(location.search).get("token") || ""))'),
    # Hand the frame metadata to the page hooks (tests, benchmark, status line).
    ("if (e.data != 'trigger') {\n\t\t\tvar msg = decode(JSON.parse(e.data))\n\t\t\thandler(msg)",
     "var meta = null\n\t\tif (e.data != 'trigger') {\n"
     "\t\t\tvar raw = JSON.parse(e.data); meta = raw.hepaanim; delete raw.hepaanim\n"
     "\t\t\tvar msg = decode(raw)\n\t\t\thandler(msg)\n\t\t\tif (meta) hepaanimFrame(meta)"),
    ("\t\ttimer = setTimeout(send, dt)\n\t}\n\n\tws.onclose",
     "\t\thepaanimNext(meta, dt)\n\t}\n\n\tws.onclose"),
    # When the preview stops, say so instead of trying to close the window.
    ("function windowClose() {\nwindow.open('','_parent','');\nwindow.close();\n}",
     "function windowClose() { hepaanimStopped() }"),
    # When the page asked: the preview's time in a reply is its time when the request came
    # (the sound follows it, see hepaanimSound).
    ("\t\tws.send(msg)\n\t\tevents = []",
     "\t\twindow.hepaanim.sentAt = performance.now()\n\t\tws.send(msg)\n\t\tevents = []"),
    # VPython drops a slider's first move (it only sends a value it has seen before).
    ("if (ss in lastsliders && ev.value !== lastsliders[ss].value)",
     "if (!(ss in lastsliders) || ev.value !== lastsliders[ss].value)"),
]

_PAGE_HEAD = """<title>hepaanim preview</title>
<style>
html, body { background: #0B1A2E !important; color: #E8EEF6 !important;
  font-family: sans-serif; margin: 12px; }
.glowscript { font-size: 15px; }
.glowscript select, .glowscript button { font-size: 14px; margin: 2px 6px 2px 0; }
#hepaanim-stopped { display: none; position: fixed; top: 10px; right: 10px; padding: 8px 12px;
  background: #7A2E26; color: #fff; border-radius: 4px; }
</style>
<script type="text/javascript">
// Page hooks: window.hepaanim holds what the preview last drew (t, act, seq, fps, ...).
window.hepaanim = {seq: -1, painted: -1, frames: 0, raf: 0, connected: false, stopped: false};
(function count() { window.hepaanim.raf += 1; requestAnimationFrame(count) })();
function hepaanimFrame(meta) {
    var h = window.hepaanim
    Object.assign(h, meta)
    h.connected = true
    if (meta.fresh) {
        h.forceRender = true
        h.frames += 1
        var seq = meta.seq
        requestAnimationFrame(function() { h.painted = seq; h.painted_at = performance.now() })
    }
    hepaanimSound(meta)
}
// The film's sound (narration and music, mixed once by the preview, served on
// /soundtrack.webm) in an <audio> element that follows the preview's clock, which stays
// the master: paused, the audio sits at the preview's time (a scrub or an act seeks it);
// playing, it plays at the preview's speed and is put back on the preview's time when the
// two drift apart by more than SOUND_DRIFT_S.  The element is given its file once, when a
// frame says the sound is ready (and again only when the sound changed: its key "v").
var SOUND_DRIFT_S = 0.1
function hepaanimSound(meta) {
    var h = window.hepaanim, s = meta.sound, a = document.getElementById("hepaanim-audio")
    if (!s || !a) return
    h.sound = s
    if (s.state !== "ready") { if (!a.paused) a.pause(); return }
    if (h.soundV !== s.v) {
        h.soundV = s.v
        var token = new URLSearchParams(location.search).get("token") || ""
        a.src = "/soundtrack.webm?token=" + encodeURIComponent(token) + "&v=" + s.v
        a.load()
    }
    a.muted = !!meta.muted
    if (a.playbackRate !== meta.speed) a.playbackRate = meta.speed
    var wants = meta.playing
    if (h.soundExpect) {          // a click on Play/Pause the preview has not seen yet
        if (meta.playing === h.soundExpect.playing ||
            performance.now() > h.soundExpect.until) h.soundExpect = null
        else wants = h.soundExpect.playing
    }
    if (!wants) {
        if (!a.paused) a.pause()
        if (Math.abs(a.currentTime - meta.t) > 0.01) a.currentTime = meta.t
        return
    }
    if (!meta.playing) return     // started by the click; the preview's time follows
    // The preview's time now: its time when it answered our request, plus what passed since.
    var since = h.sentAt === undefined ? 0 : (performance.now() - h.sentAt) / 1000
    var now = meta.t + Math.max(0, since) * meta.speed
    if (a.paused) { a.currentTime = now; hepaanimPlay(a); return }
    if (a.seeking || a.readyState < 3) return        // still getting there
    h.soundDrift = a.currentTime - now
    if (Math.abs(h.soundDrift) > SOUND_DRIFT_S) { a.currentTime = now; h.resyncs = (h.resyncs || 0) + 1 }
}
function hepaanimPlay(a) {
    var h = window.hepaanim
    if (h.soundBlocked) return    // the browser wants a click first: the Play button is one
    var p = a.play()
    if (p && p.catch) p.catch(function(e) { if (e && e.name === "NotAllowedError") h.soundBlocked = true })
}
// The Play button is the user gesture browsers want before sound: start (or stop) the
// audio in the click itself, at the preview's time, rather than when the preview answers.
document.addEventListener("click", function(e) {
    var h = window.hepaanim, a = document.getElementById("hepaanim-audio")
    h.soundBlocked = false
    var b = e.target && e.target.closest ? e.target.closest("button") : null
    if (!a || !b || !h.sound || h.sound.state !== "ready" || !a.src) return
    var play = /Play/.test(b.textContent)
    if (!play && !/Pause/.test(b.textContent)) return
    h.soundExpect = {playing: play, until: performance.now() + 1000}
    if (play) { a.currentTime = h.t || 0; hepaanimPlay(a) } else a.pause()
}, true)
// Ask for the next frame only once this one is on screen: the browser sets the pace, so
// a slow (software) GPU gets fewer, fresher frames instead of a growing backlog.
function hepaanimNext(meta, dt) {
    if (!(meta && meta.fresh)) { timer = setTimeout(send, dt); return }
    // At most one new picture waits while the previous one is still being drawn.
    if (window.hepaanim.painted >= meta.seq - 1) timer = setTimeout(send, 0)
    else requestAnimationFrame(function() { timer = setTimeout(send, 0) })
}
function hepaanimSkipRender(cvs) {
    var h = window.hepaanim, now = performance.now()
    var changed = h.forceRender || cvs.__last_center === undefined || cvs.waitfor_textures ||
        Object.keys(cvs.__changed).length > 0 || !cvs.__center.equals(cvs.__last_center) ||
        !cvs.__axis.equals(cvs.__last_axis) || !cvs.__up.equals(cvs.__last_up) ||
        cvs.__range !== cvs.__last_range || cvs.__width !== cvs.__last_width ||
        cvs.__height !== cvs.__last_height || cvs.__fov !== h.lastFov ||
        now - (h.lastRender || 0) > 1000
    if (!changed) return true
    h.forceRender = false; h.lastRender = now; h.lastFov = cvs.__fov; h.renders = (h.renders || 0) + 1
    return false
}
function hepaanimGLOptions() {
    var h = window.hepaanim
    if (h.software === undefined) {
        h.software = false
        try {
            var gl = document.createElement("canvas").getContext("webgl2")
            var ext = gl && gl.getExtension("WEBGL_debug_renderer_info")
            h.renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : ""
            h.software = /swiftshader|llvmpipe|softpipe|software/i.test(h.renderer)
            var lose = gl && gl.getExtension("WEBGL_lose_context"); if (lose) lose.loseContext()
        } catch (e) {}
    }
    return {antialias: !h.software}
}
// On a software GL the picture is drawn at 3/4 of the canvas's size and shown stretched to
// it: about half the pixels to shade, for a slightly softer picture (window.hepaanimScale
// overrides, e.g. 1 for full resolution).
function hepaanimRenderScale(cvs, el) {
    var h = window.hepaanim
    if (h.software === undefined) hepaanimGLOptions()
    var s = window.hepaanimScale || (h.software ? 0.75 : 1)
    var w = Math.round(cvs.__width * s), hh = Math.round(cvs.__height * s)
    if (el.width !== w || el.height !== hh) {
        el.width = w; el.height = hh
        el.style.width = cvs.__width + "px"; el.style.height = cvs.__height + "px"
    }
    return s
}
function hepaanimStopped() {
    window.hepaanim.stopped = true
    var d = document.getElementById('hepaanim-stopped')
    if (d) d.style.display = 'block'
}
</script>
"""


# GlowScript redraws every 17 ms whether or not anything changed; with a software GL
# (SwiftShader, llvmpipe) that saturates the CPU and starves the page.  Redraw only when an
# object, the camera or the canvas changed (or once a second, as a safety net).
_GLOW_EDITS = [
    ("function trigger_render(){setTimeout(trigger_render,17);",
     "function trigger_render(){setTimeout(trigger_render,17);"
     "if(window.hepaanimSkipRender&&window.hepaanimSkipRender(cvs))return;"),
    # No multisampling on a software GL (it multiplies the fill work); GPUs keep it.
    ('var gl=canvasElement.getContext("webgl2");',
     'var gl=canvasElement.getContext("webgl2",window.hepaanimGLOptions?hepaanimGLOptions():{});'),
    # The picture can be drawn at a fraction of the canvas's size and shown stretched to it
    # (a software GL is bound by the pixels it shades; see hepaanimRenderScale).
    ("canvas_size[0]=ktexture*cvs.__width;canvas_size[1]=ktexture*cvs.__height;",
     "var __rs=window.hepaanimRenderScale?hepaanimRenderScale(cvs,canvasElement):1;"
     "canvas_size[0]=Math.round(ktexture*cvs.__width*__rs);"
     "canvas_size[1]=Math.round(ktexture*cvs.__height*__rs);"),
    ("fullpeels=gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS)>=16",
     "fullpeels=(window.hepaanimFullPeels===true)&&gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS)>=16"),
]


def build_glow(root: Path | None = None) -> bytes:
    root = root or vpython_dir()
    js = (root / "vpython_libraries" / "glow.min.js").read_text(encoding="utf-8")
    for old, new in _GLOW_EDITS:
        if js.count(old) != 1:
            raise RuntimeError(f"unexpected glow.min.js: cannot find {old[:50]!r}; "
                               "this hepaanim supports vpython 7.6")
        js = js.replace(old, new)
    return js.encode("utf-8")


def build_page(root: Path | None = None) -> bytes:
    root = root or vpython_dir()
    page = (root / "vpython_libraries" / "glowcomm.html").read_text(encoding="utf-8")
    for old, new in _PAGE_EDITS:
        if old not in page:
            raise RuntimeError(f"unexpected VPython page (glowcomm.html): cannot find {old[:50]!r}; "
                               "this hepaanim supports vpython 7.6")
        page = page.replace(old, new)
    page = page.replace("<head>", "<head>\n" + _PAGE_HEAD, 1)
    page = page.replace("<body>", '<body>\n<div id="hepaanim-stopped">preview stopped</div>\n'
                        '<audio id="hepaanim-audio" preload="auto"></audio>', 1)
    return ("<!DOCTYPE html>\n<html>\n" + page + "\n</html>\n").encode("utf-8")


class Session:
    """What the server talks to; the preview app implements it."""

    def on_connect(self) -> str:            # full state for a new page, as a JSON text
        raise NotImplementedError

    def on_message(self, text: str) -> str:  # browser events / poll -> updates (JSON text)
        raise NotImplementedError

    def on_disconnect(self) -> None:
        pass

    def soundtrack(self):
        """The film's sound for the page: (bytes, content type) when ready, PENDING while
        it is being made, None when there is none (the path is then 404)."""
        return None


class PreviewServer:
    """Serves the page, its assets and one WebSocket client at a time on 127.0.0.1."""

    def __init__(self, session: Session, port: int = 0, token: str | None = None):
        self.session = session
        self.port = port
        self.token = token or secrets.token_urlsafe(18)
        self.assets = asset_table()
        self.page = build_page()
        self.overrides = {"/glow.min.js": build_glow()}
        self._server: asyncio.base_events.Server | None = None
        self._client = None            # the current WebSocket writer
        self.clients_seen = 0
        self.connected = asyncio.Event()
        self.last_disconnect: float | None = None
        self._errors_said: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    async def start(self):
        self._server = await asyncio.start_server(self._handle, HOST, self.port,
                                                  reuse_address=True, limit=MAX_HEADER)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self):
        if self._client is not None:
            try:
                self._client.write(_frame(8, struct.pack("!H", 1001)))
                self._client.close()
            except Exception:
                pass
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def has_client(self) -> bool:
        return self._client is not None

    # --- HTTP -------------------------------------------------------------------------
    def _host_ok(self, headers) -> bool:
        return headers.get("host", "") in (f"{HOST}:{self.port}", f"localhost:{self.port}")

    def _token_ok(self, query: str) -> bool:
        got = parse_qs(query).get("token", [""])[0]
        return hmac.compare_digest(got.encode(), self.token.encode())

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError,
                    ConnectionError):
                return
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                return await _respond(writer, 400, b"bad request")
            method, target, _ = parts
            headers = {}
            for ln in lines[1:]:
                if ":" in ln:
                    k, v = ln.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if method not in ("GET", "HEAD"):
                return await _respond(writer, 405, b"method not allowed")
            if not self._host_ok(headers):
                return await _respond(writer, 403, b"forbidden host")
            url = urlsplit(target)
            path = url.path
            if path == "/ws" and headers.get("upgrade", "").lower() == "websocket":
                return await self._websocket(reader, writer, headers, url.query)
            if path in ("/", "/index.html"):
                if not self._token_ok(url.query):
                    return await _respond(writer, 403, b"forbidden: open the URL that "
                                          b"'hepaanim preview' printed (it carries a token)")
                body = b"" if method == "HEAD" else self.page
                return await _respond(writer, 200, body, "text/html; charset=utf-8",
                                      extra=self._page_headers(), length=len(self.page))
            if path == SOUNDTRACK:
                return await self._soundtrack(writer, method, url.query, headers)
            file = self.assets.get(unquote(path))
            if file is None:
                return await _respond(writer, 404, b"not found")
            data = self.overrides.get(unquote(path)) or file.read_bytes()
            return await _respond(writer, 200, b"" if method == "HEAD" else data,
                                  _MIME.get(file.suffix, "application/octet-stream"),
                                  extra={"Cache-Control": "max-age=3600"}, length=len(data))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if writer is not self._client:
                writer.close()

    async def _soundtrack(self, writer, method, query, headers):
        """The film's sound, whole (200) or the byte range asked for (206), to a request
        carrying the page's token; 503 while it is being made, 404 when there is none."""
        if not self._token_ok(query):
            return await _respond(writer, 403, b"forbidden: bad token")
        got = self.session.soundtrack()
        if got is None:
            return await _respond(writer, 404, b"no soundtrack: the film has no sound")
        if got == PENDING:
            return await _respond(writer, 503, b"the soundtrack is being mixed",
                                  extra={"Retry-After": "2"})
        data, ctype = got
        size = len(data)
        extra = {"Accept-Ranges": "bytes", "Cache-Control": "no-store"}
        span = byte_range(headers.get("range"), size)
        if span == "unsatisfiable":
            return await _respond(writer, 416, b"", extra=extra | {
                "Content-Range": f"bytes */{size}"})
        if span is None:
            return await _respond(writer, 200, b"" if method == "HEAD" else data, ctype,
                                  extra=extra, length=size)
        a, b = span
        part = data[a:b + 1]
        return await _respond(writer, 206, b"" if method == "HEAD" else part, ctype,
                              extra=extra | {"Content-Range": f"bytes {a}-{b}/{size}"},
                              length=len(part))

    def _page_headers(self) -> dict:
        origins = f"ws://{HOST}:{self.port} ws://localhost:{self.port}"
        return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                "Content-Security-Policy":
                    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                    f"font-src 'self' data:; connect-src 'self' {origins}; "
                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}

    # --- WebSocket (RFC 6455, server side, text frames) ----------------------------------
    async def _websocket(self, reader, writer, headers, query):
        origin = headers.get("origin", "")
        if origin not in (f"http://{HOST}:{self.port}", f"http://localhost:{self.port}"):
            return await _respond(writer, 403, b"forbidden origin")
        if not self._token_ok(query):
            return await _respond(writer, 403, b"forbidden: bad token")
        key = headers.get("sec-websocket-key", "")
        if not key or headers.get("sec-websocket-version") != "13":
            return await _respond(writer, 400, b"bad websocket request")
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        await writer.drain()
        previous, self._client = self._client, writer
        if previous is not None:          # a newer tab (or a reload) takes over
            try:
                previous.write(_frame(8, struct.pack("!H", 4000) + b"opened elsewhere"))
                previous.close()
            except Exception:
                pass
        self.clients_seen += 1
        self.connected.set()
        first = True
        try:
            while True:
                msg = await _read_message(reader, writer)
                if msg is None or writer is not self._client:
                    break
                reply = self._answer(msg, first)
                first = False
                writer.write(_frame(1, reply.encode("utf-8")))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if writer is self._client:
                self._client = None
                self.last_disconnect = asyncio.get_running_loop().time()
                self.session.on_disconnect()
            writer.close()


    def _answer(self, msg: str, first: bool) -> str:
        """The session's reply to one message (a fresh page gets everything first).  The
        session refuses malformed messages itself; should it fail anyway, the client gets
        an error reply and keeps its connection, and the server says so once, in one line
        (not a traceback per poll)."""
        try:
            return self.session.on_connect() if first else self.session.on_message(msg)
        except Exception as e:
            why = f"{type(e).__name__}: {e}".splitlines()[0][:300]
            if why not in self._errors_said:
                self._errors_said.add(why)
                print(f"hepaanim preview: error answering the page: {why}", file=sys.stderr,
                      flush=True)
            return json.dumps({"hepaanim": {"rejected": f"server error: {why}"}})


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def _read_message(reader, writer) -> str | None:
    """One whole text/binary message (control frames handled here); None when closed."""
    parts: list[bytes] = []
    size = 0
    while True:
        b0, b1 = await reader.readexactly(2)
        fin, opcode = b0 & 0x80, b0 & 0x0F
        masked, n = b1 & 0x80, b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", await reader.readexactly(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await reader.readexactly(8))
        if not masked or n > MAX_MESSAGE or size + n > MAX_MESSAGE:
            writer.write(_frame(8, struct.pack("!H", 1002 if not masked else 1009)))
            return None
        mask = await reader.readexactly(4)
        raw = await reader.readexactly(n)
        key = (mask * (n // 4 + 1))[:n]
        data = (int.from_bytes(raw, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")
        if opcode == 8:                    # close: echo and stop
            writer.write(_frame(8, data[:2]))
            return None
        if opcode == 9:                    # ping
            writer.write(_frame(10, data))
            continue
        if opcode == 10:                   # pong
            continue
        parts.append(data)
        size += n
        if fin:
            return b"".join(parts).decode("utf-8", "replace")


def byte_range(header: str | None, size: int):
    """The one byte range a ``Range`` header asks of `size` bytes, as (first, last)
    inclusive; None to answer with the whole (no header, a unit other than bytes, several
    ranges or a malformed one: RFC 9110 lets a server ignore those); "unsatisfiable"
    when it starts past the end (416)."""
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or \
            (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    if not first:                                  # bytes=-N: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    a = int(first)
    b = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < a:
        return None
    if a >= size:
        return "unsatisfiable"
    return a, b


async def _respond(writer, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8",
                   extra: dict | None = None, length: int | None = None):
    reason = {200: "OK", 206: "Partial Content", 400: "Bad Request", 403: "Forbidden",
              404: "Not Found", 405: "Method Not Allowed", 416: "Range Not Satisfiable",
              503: "Service Unavailable"}[status]
    hdr = {"Content-Type": ctype, "Content-Length": str(len(body) if length is None else length),
           "Connection": "close", "X-Content-Type-Options": "nosniff", **(extra or {})}
    if status == 405:
        hdr["Allow"] = "GET, HEAD"
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdr.items())
    writer.write(head.encode("latin-1") + b"\r\n" + body)
    try:
        await writer.drain()
    except ConnectionError:
        pass

