"""`hepaanim preview` in a real browser (Debian chromium, headless, via playwright).

The page must load and draw the scene; the slider, act menu and play button must change
what is drawn; saving the scene reloads it at the same time; the servers must refuse any
file outside the page's assets and listen on 127.0.0.1 only; the process must stop on
Ctrl-C and when its tab closes.  The GL render path must never import vpython.  A narrated
film's sound (the render's mix) is served with the token and byte ranges, and the page's
audio follows the timeline: play/pause, scrub, act menu, mute.
"""
from __future__ import annotations

import contextlib

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .children import Child, hepaanim

ROOT = Path(__file__).resolve().parents[1]
BLOOD = ROOT / "scenes" / "bloodstream.py"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
URL = re.compile(r"(http://127\.0\.0\.1:(\d+)/\?token=([\w-]+))")

TWO_ACTS = '''\
import numpy as np
from hepaanim import InstancedNode, Instances, Material

SECOND = "#14B8A6"


def build(film):
    rng = np.random.default_rng(3)
    p = rng.uniform(-30, 30, (60, 3))
    a = film.act("first", 4.0)
    a.add(InstancedNode("reds", shape="sphere", material=Material("#C62828"),
                        instances=Instances(p, None, 4.0)))
    a.camera.set(position=(0, -150, 20), target=(0, 0, 0), fov=40)
    a.caption("first act", over=(0, 4))
    b = film.act("second", 4.0)
    b.add(InstancedNode("others", shape="sphere", material=Material(SECOND),
                        instances=Instances(p * 0.8, None, 6.0)))
    b.camera.set(position=(0, -150, 20), target=(0, 0, 0), fov=40)   # an act starts clean
    b.caption("second act", over=(0, 4))
'''


# --- a running `hepaanim preview` ------------------------------------------------------------
class Preview(Child):
    """`hepaanim preview SCENE --no-browser`, started as tests/children.py starts a child
    (Ctrl-C reaches it however the suite was started), once it has printed its URL."""

    def __init__(self, scene, *args, cwd=ROOT, env=None):
        super().__init__(hepaanim("preview", scene, "--no-browser", *args), cwd=cwd, env=env)
        try:
            m = self.wait_for(URL, 60)
        except BaseException:
            self.stop()
            raise
        self.url, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def blood():
    p = Preview(BLOOD)           # run from the repository root: its files must not be served
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def blood_page(browser, blood):
    """One page on the bloodstream preview for the whole module: the preview stops a few
    seconds after its last page closes, so the page stays open until the module ends."""
    page = open_page(browser, blood.url)
    yield page
    page.close()


@pytest.fixture
def two_acts(tmp_path):
    scene = tmp_path / "two_acts.py"
    scene.write_text(TWO_ACTS)
    p = Preview(scene, cwd=tmp_path)
    try:
        yield p, scene
    finally:
        p.stop()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 900, "height": 640})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.hepaanim && window.hepaanim.painted >= 1", timeout=60_000)
    page.errors = errors
    return page


def wait_shown(page, t=None, tol=0.05, timeout=30_000, **meta):
    """Until the picture for time t (and the given meta fields) is on screen."""
    cond = ["h.painted === h.seq"]
    if t is not None:
        cond.append(f"Math.abs(h.t - {t}) <= {tol}")
    cond += [f"h.{k} === {json.dumps(v)}" for k, v in meta.items()]
    page.wait_for_function("(() => { const h = window.hepaanim; return " + " && ".join(cond)
                           + " })()", timeout=timeout)
    return page.evaluate("Object.assign({}, window.hepaanim)")


def canvas(page) -> np.ndarray:
    png = page.locator(".glowscript canvas").first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def picture(page, ok, timeout=30.0) -> np.ndarray:
    """The canvas once ok(picture) holds, or the last one after `timeout` seconds (the
    caller's assertions then say what is wrong).  GlowScript draws on its own timer, a
    moment after the page reports a frame, and objects an act shows for the first time
    take longer, the more so on a loaded machine: wait for the picture, not a fixed time."""
    end = time.monotonic() + timeout
    while True:
        img = canvas(page)
        if ok(img) or time.monotonic() > end:
            return img
        page.wait_for_timeout(100)


def count(img, kind) -> int:
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    masks = {"red": (r > 120) & (g < 70) & (b < 70),
             "teal": (r < 90) & (g > 110) & (b > 90) & (g - r > 50),
             "gold": (r > 160) & (g > 120) & (b < 110) & (r - b > 80),
             "vessel": (b > 70) & (b - r > 25) & (b - g > 10)}
    return int(masks[kind].sum())


def slider_click(page, frac: float):
    box = page.locator(".ui-slider").first.bounding_box()
    page.mouse.click(box["x"] + frac * box["width"], box["y"] + box["height"] / 2)


# --- the page -------------------------------------------------------------------------------
def test_page_loads_and_draws_the_scene(blood_page):
    page = blood_page
    h = wait_shown(page, t=0.0)
    img = picture(page, lambda im: count(im, "red") > 300 and count(im, "vessel") > 2000)
    assert img.shape[0] > 200 and img.shape[1] > 300
    assert img.reshape(-1, 3).std(axis=0).mean() > 12, "canvas is blank"
    assert count(img, "red") > 300, "no red cells on the canvas"
    assert count(img, "vessel") > 2000, "no vessel wall on the canvas"
    # the widgets are there
    assert page.get_by_role("button", name=re.compile("Play")).is_visible()
    assert page.locator("select").count() == 2 and page.locator(".ui-slider").count() == 1
    assert page.get_by_text(re.compile(r"0\.00 s / 8\.00 s")).is_visible()
    assert h["duration"] == pytest.approx(8.0) and h["act"] == "bloodstream"
    assert not page.errors


def test_slider_scrubs_the_picture(blood_page):
    page = blood_page
    wait_shown(page, t=0.0)
    before = canvas(page)
    slider_click(page, 0.75)
    h = wait_shown(page, t=6.0, tol=0.35)
    after = picture(page, lambda im: np.abs(im - before).mean() > 3 and count(im, "teal") > 100)
    assert np.abs(after - before).mean() > 3, "moving the slider did not change the picture"
    assert count(after, "teal") > 100, "HepaStem cells not in the picture at t≈6 s"
    assert page.get_by_text(re.compile(rf"{h['t']:.2f} s / 8\.00 s")).is_visible()
    assert page.get_by_text("Infused into a vein").is_visible()       # the caption


def test_play_pause_and_speed(blood_page):
    page = blood_page
    slider_click(page, 0.1)
    h0 = wait_shown(page, t=0.8, tol=0.35)
    page.locator("select").nth(1).select_option("2×")
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(f"window.hepaanim.t > {h0['t'] + 1.0}", timeout=20_000)
    h1 = page.evaluate("Object.assign({}, window.hepaanim)")
    assert h1["playing"] and h1["speed"] == 2.0
    page.get_by_role("button", name=re.compile("Pause")).click()
    h2 = wait_shown(page, playing=False)
    time.sleep(0.5)
    assert page.evaluate("window.hepaanim.t") == pytest.approx(h2["t"], abs=1e-6)
    assert not page.errors


def test_act_menu_jumps_and_follow_toggle(browser, two_acts):
    p, _ = two_acts
    page = open_page(browser, p.url)
    wait_shown(page, t=0.0, act="first")
    first = picture(page, lambda im: count(im, "red") > 500 and count(im, "teal") == 0)
    assert count(first, "red") > 500 and count(first, "teal") == 0
    page.locator("select").first.select_option("second")
    wait_shown(page, t=4.0, tol=1e-3, act="second")
    second = picture(page, lambda im: count(im, "teal") > 500 and count(im, "red") < 50)
    assert count(second, "teal") > 500 and count(second, "red") < 50
    page.locator("input[type=checkbox]").first.uncheck()
    wait_shown(page, follow=False)
    page.locator("select").first.select_option("first")
    wait_shown(page, t=0.0, tol=1e-3, act="first", follow=False)
    assert not page.errors
    page.close()


def test_saving_the_scene_reloads_it_at_the_same_time(browser, two_acts):
    p, scene = two_acts
    page = open_page(browser, p.url)
    page.locator("select").first.select_option("second")
    slider_click(page, 0.7)
    h = wait_shown(page, t=5.6, tol=0.35, act="second")
    assert count(picture(page, lambda im: count(im, "teal") > 500), "teal") > 500
    time.sleep(0.05)
    scene.write_text(TWO_ACTS.replace('SECOND = "#14B8A6"', 'SECOND = "#F2C14E"'))
    h2 = wait_shown(page, reloads=1, timeout=20_000)
    assert h2["t"] == pytest.approx(h["t"], abs=1e-3), "reload lost the current time"
    img = picture(page, lambda im: count(im, "gold") > 500 and count(im, "teal") < 50)
    assert count(img, "gold") > 500 and count(img, "teal") < 50
    # a broken save keeps the last good film and says why
    scene.write_text(TWO_ACTS.replace("def build(film):", "def build(film):\n    1/0"))
    page.wait_for_function("window.hepaanim.error !== null", timeout=20_000)
    assert "ZeroDivisionError" in page.evaluate("window.hepaanim.error")
    assert page.get_by_text(re.compile("reload failed")).is_visible()
    assert count(canvas(page), "gold") > 500
    page.close()


_SAME_NAME_TWO_SHAPES = textwrap.dedent('''
    import numpy as np
    from hepaanim import Film, InstancedNode, Instances, Material
    from hepaanim.scene.geometry import Geometry, uv_sphere
    from hepaanim.preview.mirror import Mirror
    from hepaanim.preview.vp import Wire, import_vpython
    film = Film("two")
    p = np.random.default_rng(1).uniform(-5, 5, (8, 3))
    film.act("one", 2.0).add(InstancedNode("cells", shape="sphere", material=Material("#C62828"),
                                           instances=Instances(p, None, 1.0)))
    film.act("two", 2.0).add(InstancedNode("cells", shape=uv_sphere(1.0, 4, 8),
                                           material=Material("#14B8A6"),
                                           instances=Instances(p, None, 1.0)))
    vp = import_vpython()
    mirror = Mirror(vp, Wire(vp), vp.scene)
    drawn = []
    for t in (0.5, 2.5, 0.5):
        before = {id(g) for g in mirror.groups.values()}
        mirror.apply(film.evaluate(t))
        shape = film.evaluate(t).nodes["cells"].shape
        mine = [g for g in mirror.groups.values() if g.shape is shape]
        drawn.append(len(mine) == 1 and len(mine[0].pool) == 8)
    print(drawn)
''')


def test_acts_may_reuse_a_group_name_with_another_shape():
    """Node names are scoped to their act: two acts may each have a group 'cells', of
    different shapes.  The preview draws each act's group with its own shape (one mirror
    per name and shape), not with the shape the name first had."""
    r = subprocess.run([sys.executable, "-c", _SAME_NAME_TWO_SHAPES], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[True, True, True]", r.stdout


# --- safety ---------------------------------------------------------------------------------
def _http(port, target, host=None, headers=()):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        hdr = f"GET {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
        hdr += "".join(f"{k}: {v}\r\n" for k, v in headers) + "Connection: close\r\n\r\n"
        s.sendall(hdr.encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize("target", [
    "/../pyproject.toml", "/..%2fpyproject.toml", "/%2e%2e/%2e%2e/etc/passwd",
    "/../../../../etc/passwd", "//etc/passwd", "/etc/passwd", "/pyproject.toml",
    "/scenes/bloodstream.py", "/src/hepaanim/cli.py", "/README.md", "/.git/config",
    "/glowcomm.html", "/vpython.py", "/no_notebook.py", "/images/../../vpython.py",
    "/C:/Windows/win.ini", "/%00", "/ws"])
def test_files_outside_the_assets_are_refused(blood, target):
    status, body = _http(blood.port, target)
    assert status == 404, (target, status, body[:200])


def test_assets_page_token_and_host(blood):
    assert _http(blood.port, "/glow.min.js")[0] == 200
    assert _http(blood.port, "/Roboto-Medium.ttf")[0] == 200
    assert _http(blood.port, f"/?token={blood.token}")[0] == 200
    assert _http(blood.port, "/")[0] == 403                       # no token
    assert _http(blood.port, "/?token=guess")[0] == 403
    # DNS rebinding: a page from another name pointing at 127.0.0.1 is refused
    assert _http(blood.port, f"/?token={blood.token}", host=f"evil.example:{blood.port}")[0] == 403
    assert _http(blood.port, "/glow.min.js", host="evil.example")[0] == 403


def test_websocket_needs_our_origin_and_token(two_acts):
    """On a preview of its own: an accepted WebSocket takes over from the page connected
    before it, and the preview stops once no page is connected (the shared bloodstream
    preview would stop under the tests after this one)."""
    p, _ = two_acts
    ws = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
          ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]
    mine = ("Origin", f"http://127.0.0.1:{p.port}")
    assert _http(p.port, f"/ws?token={p.token}", headers=ws + [
        ("Origin", "http://evil.example")])[0] == 403
    assert _http(p.port, "/ws?token=guess", headers=ws + [mine])[0] == 403
    with socket.create_connection(("127.0.0.1", p.port), timeout=10) as s:
        s.sendall((f"GET /ws?token={p.token} HTTP/1.1\r\nHost: 127.0.0.1:{p.port}\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in ws + [mine]) + "\r\n").encode())
        assert s.recv(1024).startswith(b"HTTP/1.1 101")


class _WebSocket:
    """The smallest authenticated client of the preview's WebSocket: send a text message,
    read the one reply."""

    def __init__(self, port, token):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.s.sendall((f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                        f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
                        ).encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += self._exactly(1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _exactly(self, n) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.s.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the preview closed the connection")
            data += chunk
        return data

    def ask(self, text: str) -> dict:
        data, mask = text.encode(), os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        b0, b1 = self._exactly(2)
        assert b0 & 0x0F == 1, f"expected a text reply, got opcode {b0 & 0x0F}"
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(self._exactly(2), "big")
        elif n == 127:
            n = int.from_bytes(self._exactly(8), "big")
        return json.loads(self._exactly(n))

    def close(self):
        self.s.close()


def test_malformed_messages_get_an_error_reply_and_the_connection_keeps_serving(two_acts):
    """An authenticated client sending what the page never sends (unknown events, missing
    keys, not JSON, wrong types) gets an error reply, nothing of the message is applied, and
    a valid message on the same connection still works; the server prints no traceback."""
    p, _ = two_acts
    ws = _WebSocket(p.port, p.token)
    try:
        full = ws.ask("trigger")                       # a new page: the whole scene first
        first = {}                                     # the first of each kind: the act menu
        for c in full["cmds"]:
            first.setdefault(c.get("cmd"), c)
        slider, menu, canvas_idx = first["slider"]["idx"], first["menu"]["idx"], 0
        bad = {
            '[{"event":"bogus"}]': "unknown event 'bogus'",
            "not json at all": "not JSON",
            '{"event":"update_canvas","canvas":0}': "expected a JSON list",
            "[42]": "expected an object",
            "[{}]": "no 'event' or 'widget' key",
            '[{"event":"update_canvas"}]': "integer 'canvas'",
            '[{"event":"update_canvas","canvas":99999}]': "no canvas",
            '[{"event":"update_canvas","canvas":0,"forward":[1,"x",0]}]': "'forward'",
            f'[{{"widget":"slider","idx":{slider}}}]': "without a 'value'",
            f'[{{"widget":"slider","idx":{slider},"value":"abc"}}]': "slider value",
            f'[{{"widget":"slider","idx":{slider},"value":NaN}}]': "slider value",
            f'[{{"widget":"slider","idx":{slider},"value":7}}]': "slider value",
            f'[{{"widget":"menu","idx":{menu},"value":99}}]': "menu value",
            f'[{{"widget":"checkbox","idx":{slider},"value":true}}]': "no checkbox",
            '[{"widget":"knob","idx":1,"value":1}]': "unknown widget 'knob'",
            # the first event is fine, the second not: nothing of the message is applied
            f'[{{"widget":"slider","idx":{slider},"value":0.5}},{{"event":"bogus"}}]':
                "event 1: unknown event",
        }
        for text, why in bad.items():
            reply = ws.ask(text)
            meta = reply["hepaanim"]
            assert why in meta.get("rejected", ""), (text, meta)
            assert meta["t"] == 0.0, (text, meta)           # nothing was applied
        good = ws.ask(f'[{{"widget":"slider","idx":{slider},"value":0.75}},'
                      f'{{"event":"update_canvas","canvas":{canvas_idx},"pos":[0,0,0]}}]')
        assert "rejected" not in good["hepaanim"]
        assert good["hepaanim"]["t"] == pytest.approx(6.0)
        assert good["hepaanim"]["act"] == "second"
        assert ws.ask(f'[{{"widget":"menu","idx":{menu},"value":0}}]')["hepaanim"]["t"] == 0.0
    finally:
        ws.close()
    p.interrupt()
    assert p.wait(15) == 0
    p.wait_for("preview: stopped", 5)
    assert "Traceback" not in p.output and "rror" not in p.output, p.output


@contextlib.contextmanager
def _serving(session):
    """A PreviewServer for `session` on a loop of its own thread (playwright's sync API
    already runs one on this thread when the browser tests share the module), closed after."""
    import asyncio
    from hepaanim.preview.server import PreviewServer
    loop, server, up = asyncio.new_event_loop(), PreviewServer(session), threading.Event()

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        up.set()
        loop.run_forever()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert up.wait(30), "the server did not start"
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_a_failing_session_answers_an_error_and_says_it_once(capfd):
    """Should the session itself fail on a message, the client gets an error reply and keeps
    its connection, and stderr gets one line (not a traceback per poll)."""
    from hepaanim.preview.server import Session

    class Broken(Session):
        def on_connect(self):
            return "{}"

        def on_message(self, text):
            if text == "fail":
                raise RuntimeError("the session broke")
            return json.dumps({"echo": text})

    with _serving(Broken()) as server:
        ws = _WebSocket(server.port, server.token)
        try:
            assert ws.ask("trigger") == {}
            for _ in range(3):
                assert ws.ask("fail") == {
                    "hepaanim": {"rejected": "server error: RuntimeError: the session broke"}}
            assert ws.ask("still there") == {"echo": "still there"}
        finally:
            ws.close()
    err = capfd.readouterr().err
    assert err == "hepaanim preview: error answering the page: RuntimeError: the session broke\n"


def _listeners(port: int) -> list[str]:
    out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True,
                         check=True).stdout
    return [ln.split()[3] for ln in out.splitlines() if ln.strip()]


def test_listens_on_loopback_only(blood):
    assert _listeners(blood.port) == [f"127.0.0.1:{blood.port}"]


_NETNS_PROBE = textwrap.dedent('''
    import json, re, socket, subprocess, sys, threading
    addr = "10.200.0.1"          # a non-loopback address, in this private namespace only
    def reach(a, p):
        c = socket.socket(); c.settimeout(3)
        try:
            c.connect((a, p)); return True
        except OSError:
            return False
        finally:
            c.close()
    ctrl = socket.socket(); ctrl.bind(("0.0.0.0", 0)); ctrl.listen()
    res = {"control_any": reach(addr, ctrl.getsockname()[1])}
    p = subprocess.Popen([sys.executable, "-m", "hepaanim", "preview", sys.argv[1],
                          "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    # If the preview never prints its URL, say what it did print instead of hanging.
    timer = threading.Timer(60, p.kill); timer.start()
    seen, port = [], None
    for line in p.stdout:
        seen.append(line)
        m = re.search(r"127\\.0\\.0\\.1:(\\d+)/", line)
        if m:
            port = int(m.group(1)); break
    timer.cancel()
    try:
        if port is None:
            sys.exit("the preview printed no URL within 60 s: " + repr("".join(seen)))
        res["loopback"] = reach("127.0.0.1", port)
        res["non_loopback"] = reach(addr, port)
    finally:
        p.terminate(); p.wait(10)
    print(json.dumps(res))
''')


def test_not_reachable_on_a_non_loopback_address(tmp_path):
    """In a network namespace of our own (no traffic leaves it), give the machine a
    non-loopback address and check the preview cannot be reached on it."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.fail("needs root and unshare (CI runs as root)")
    probe = tmp_path / "probe.py"
    probe.write_text(_NETNS_PROBE)
    # Its own process group, so the probe and the preview it starts go together if the
    # probe hangs (subprocess.run's timeout would kill the probe alone).
    proc = subprocess.Popen(["unshare", "-n", "sh", "-c",
                             "ip link set lo up && ip addr add 10.200.0.1/32 dev lo && "
                             f'exec "{sys.executable}" "{probe}" "{BLOOD}"'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["control_any"], "probe broken: a 0.0.0.0 socket should be reachable"
    assert res["loopback"] and not res["non_loopback"], res


# --- process life -----------------------------------------------------------------------------
def test_no_browser_prints_url_waits_and_stops_on_ctrl_c(tmp_path):
    scene = tmp_path / "two_acts.py"
    scene.write_text(TWO_ACTS)
    p = Preview(scene, cwd=tmp_path)
    try:
        p.wait_for("waiting for it", 10)
        assert _listeners(p.port) == [f"127.0.0.1:{p.port}"]
        p.interrupt()
        assert p.wait(15) == 0
        p.wait_for("preview: stopped", 5)
        assert _listeners(p.port) == []
    finally:
        p.stop()


def test_closing_the_tab_stops_the_preview(browser, tmp_path):
    scene = tmp_path / "two_acts.py"
    scene.write_text(TWO_ACTS)
    p = Preview(scene, cwd=tmp_path)
    try:
        page = open_page(browser, p.url)
        page.close()
        assert p.proc.wait(20) == 0
        p.wait_for("page was closed", 5)
        assert _listeners(p.port) == []
    finally:
        p.stop()


def test_cli_errors_are_one_line():
    def run(*a):
        return subprocess.run([sys.executable, "-m", "hepaanim", "preview", *a],
                              capture_output=True, text=True, cwd=ROOT, timeout=60)
    r = run(str(BLOOD), "--act", "nope", "--no-browser")
    assert r.returncode == 2 and "unknown act 'nope'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run(str(BLOOD), "--t", "99", "--no-browser")
    assert r.returncode == 2 and "past the end" in r.stderr
    r = run("no/such/scene.py", "--no-browser")
    assert r.returncode == 2 and "no such scene file" in r.stderr


def test_render_path_does_not_import_vpython():
    code = ("import sys, hepaanim, hepaanim.cli, hepaanim.render.frames, "
            "hepaanim.render.gl.renderer; hepaanim.cli.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'vpython'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_the_render_package_never_imports_the_preview():
    """The preview is its own package (hepaanim.preview): nothing under hepaanim/render/
    imports it or vpython, at module level or inside a function; importing every render
    module (and the command line) loads no part of it."""
    import ast
    render = ROOT / "src" / "hepaanim" / "render"
    bad = []
    for f in sorted(render.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] + [a.name for a in node.names]
                     if isinstance(node, ast.ImportFrom) else [])
            if any(re.search(r"(^|\.)(preview|vpython)(\.|$)", n) for n in names):
                bad.append(f"{f.relative_to(ROOT)}:{node.lineno}")
    assert not bad, bad
    code = ("import pkgutil, importlib, sys, hepaanim, hepaanim.cli, hepaanim.render as r\n"
            "for m in pkgutil.walk_packages(r.__path__, 'hepaanim.render.'):\n"
            "    importlib.import_module(m.name)\n"
            "hepaanim.cli.build_parser()\n"
            "print(sorted(m for m in sys.modules\n"
            "             if m.startswith(('hepaanim.preview', 'vpython'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_hepaanim_preview_is_callable_however_it_was_imported():
    """hepaanim.preview is the preview package and calling it previews: a submodule import
    (which rebinds the attribute to the package) leaves it callable."""
    code = (f"import hepaanim.preview.run, hepaanim, sys\n"
            f"from hepaanim import preview\n"
            f"assert preview is hepaanim.preview is sys.modules['hepaanim.preview']\n"
            f"try:\n"
            f"    hepaanim.preview({str(BLOOD)!r}, act='nope')\n"
            f"except hepaanim.preview.run.PreviewUsageError as e:\n"
            f"    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "unknown act 'nope'" in r.stdout


def test_jupyter_preview_starts_no_server(tmp_path):
    """hepaanim.preview() in a real kernel: the canvas is displayed, VPython's own servers
    are replaced, and the kernel listens on nothing but its own loopback Jupyter ports."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import hepaanim\nhepaanim.preview({str(BLOOD)!r}, t=2.0)"),
        nbformat.v4.new_code_cell(textwrap.dedent("""
            import os, subprocess, sys, vpython.vpython as vv
            ss = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
            mine = [ln.split()[3] for ln in ss.splitlines() if f"pid={os.getpid()}," in ln]
            print(repr(dict(stub="stand-in" in sys.modules["vpython.with_notebook"].__doc__,
                            objects=len(vv.baseObj.object_registry), listening=mine)))
        """))]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={
        "metadata": {"path": str(tmp_path)}}).execute()
    html = [o for o in nb.cells[0].outputs if o.output_type == "display_data"
            and "glowscript" in o.data.get("text/html", "")]
    assert html, nb.cells[0].outputs
    import ast
    res = ast.literal_eval(nb.cells[1].outputs[0].text.strip().splitlines()[-1])
    assert res["stub"] and res["objects"] > 100
    assert res["listening"] and all(a.startswith("127.0.0.1:") for a in res["listening"]), res


def test_preview_colours_follow_the_films_grade():
    """The grade is data (scene.grade at scene.warmth), so the preview applies it as the GL
    renderer does: a warm frame's gain leans red and its backdrop warms; ungraded is 1."""
    from hepaanim import Film
    from hepaanim.preview import mirror
    from hepaanim.scene.grade import Grade
    film = Film("graded")
    film.act("a", 1.0)
    film.scene.settings.params["grade"] = Grade(cool=(0.9, 1.0, 1.1), warm=(1.1, 1.0, 0.8),
                                                background_warm=((0.3, 0.1, 0.1),
                                                                  (0.1, 0.05, 0.05)))
    plain = film.evaluate(0.5)
    assert np.allclose(mirror._gain(plain), 1.0)
    film.set("scene.warmth", 1.0)
    warm = film.evaluate(0.5)
    g = mirror._gain(warm)
    assert g[0] > 1.05 and g[2] < 0.85
    bg0, bg1 = mirror._background_rgb(plain), mirror._background_rgb(warm)
    assert bg1[0] > bg0[0] and bg1[2] < bg0[2]



# --- sound ----------------------------------------------------------------------------------
# A 60 s film of two acts whose one narrated line (a recorded take: no espeak-ng involved)
# is placed at 50 s, in the second act; the first act has a label, which is not narrated.
SPEECH = (50.0, 52.0)
NARRATED_SCENE = """
from pathlib import Path
import numpy as np
from hepaanim import InstancedNode, Instances, Material


def build(film):
    film.use_script(Path(__file__).parent / "words")
    p = np.random.default_rng(3).uniform(-30, 30, (20, 3))
    a = film.act("one", 30.0)
    a.add(InstancedNode("reds", shape="sphere", material=Material("#C62828"),
                        instances=Instances(p, None, 4.0)))
    a.camera.set(position=(0, -150, 20), target=(0, 0, 0), fov=40)
    a.line("one.tag")
    b = film.act("two", 30.0)
    b.camera.set(position=(0, -150, 20), target=(0, 0, 0), fov=40)
    b.line("two.hello")
"""


def _narrated(folder: Path) -> Path:
    """The narrated film's scene, script table, ledger and take, written into `folder`."""
    import soundfile
    words = folder / "words"
    (words / "voice").mkdir(parents=True, exist_ok=True)
    (words / "script.csv").write_text(
        "id,act,in,out,style,position,fade,claims,en\n"
        "one.tag,one,1.0,4.0,label,top_right,,-,Not to scale\n"
        "two.hello,two,20.0,24.0,lower_third,bottom,,-,Hello from the second act.\n",
        encoding="utf-8")
    (words / "claims.csv").write_text("id,statement,evidence,refs,attribute\n",
                                      encoding="utf-8")
    (words / "references.json").write_text("[]", encoding="utf-8")
    (words / "film.toml").write_text('[film]\nname = "Narrated"\ncompany = ["Acme"]\n',
                                     encoding="utf-8")
    t = np.arange(int(48_000 * (SPEECH[1] - SPEECH[0]))) / 48_000
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    soundfile.write(str(words / "voice" / "two.hello.en.flac"),
                    np.stack([x, x], 1).astype(np.float32), 48_000)
    scene = folder / "narrated.py"
    scene.write_text(NARRATED_SCENE, encoding="utf-8")
    return scene


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """The narrated film's preview (its own cache folder), once its sound is ready."""
    folder = tmp_path_factory.mktemp("narrated")
    scene = _narrated(folder)
    p = Preview(scene, cwd=folder, env={"HEPAANIM_CACHE_DIR": str(folder / "cache")})
    try:
        p.wait_for(r"hepaanim preview: sound ready", 120)
        p.scene = scene
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def narrated_page(browser, narrated):
    """One page for the module (the preview stops once its last page has closed)."""
    page = open_page(browser, narrated.url)
    yield page
    page.close()


def load_scene(path):
    from hepaanim.loader import load
    return load(path)


def _get(port, target, headers=()):
    """(status, headers, body) of one GET to the preview."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall((f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in headers)
                   + "Connection: close\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(1 << 20):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdr = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    assert int(hdr["content-length"]) == len(body), hdr
    return int(lines[0].split()[1]), hdr, body


def test_the_soundtrack_needs_the_token_and_answers_ranges(narrated):
    p = narrated
    path = "/soundtrack.webm"
    assert _get(p.port, path)[0] == 403                                   # no token
    assert _get(p.port, path + "?token=guess")[0] == 403
    assert _http(p.port, f"{path}?token={p.token}", host=f"evil.example:{p.port}")[0] == 403
    status, hdr, whole = _get(p.port, f"{path}?token={p.token}")
    assert status == 200 and hdr["content-type"] == "audio/webm", hdr
    assert hdr["accept-ranges"] == "bytes" and len(whole) > 10_000
    status, hdr, part = _get(p.port, f"{path}?token={p.token}&v=x", [("Range", "bytes=100-1099")])
    assert status == 206 and hdr["content-range"] == f"bytes 100-1099/{len(whole)}", hdr
    assert part == whole[100:1100]
    status, hdr, tail = _get(p.port, f"{path}?token={p.token}", [("Range", "bytes=-500")])
    assert status == 206 and tail == whole[-500:]
    status, hdr, rest = _get(p.port, f"{path}?token={p.token}",
                             [("Range", f"bytes={len(whole) - 10}-")])
    assert status == 206 and rest == whole[-10:]
    status, hdr, _ = _get(p.port, f"{path}?token={p.token}",
                          [("Range", f"bytes={len(whole)}-")])
    assert status == 416 and hdr["content-range"] == f"bytes */{len(whole)}"


def test_the_served_sound_is_the_films_length_and_speaks(narrated, tmp_path):
    """Decoded by ffmpeg: the film's 60 s within a frame (1/30 s), in step with the
    render's mix of the same film (Opus is lossy: the difference is > 15 dB under it); where
    the narration plays it is loud (the mix is normalised to -16 LUFS) and louder than the
    bed alone under the first act."""
    from hepaanim.audio import film as sound, levels, mux
    status, _, data = _get(narrated.port, f"/soundtrack.webm?token={narrated.token}")
    assert status == 200
    f = tmp_path / "sound.webm"
    f.write_bytes(data)
    assert mux.streams(f) == [("audio", "opus")]
    audio = mux.decode_audio(f)
    assert abs(len(audio) / 48_000 - 60.0) <= 1 / 30, len(audio) / 48_000
    film = load_scene(narrated.scene)
    ref = sound.soundtrack(film, 0.0, film.duration).audio.astype(np.float64)
    n = min(len(ref), len(audio))
    snr = 10 * np.log10(np.sum(ref[:n] ** 2) / np.sum((audio[:n] - ref[:n]) ** 2))
    assert snr > 15.0, snr
    speech = audio[int(50.3 * 48_000):int(51.7 * 48_000)]
    bed = audio[int(10 * 48_000):int(25 * 48_000)]
    assert levels.rms_db(speech) > -30.0, levels.rms_db(speech)
    assert levels.rms_db(speech) > levels.rms_db(bed) + 2.0


def test_a_film_without_sound_has_no_soundtrack_and_says_so(blood):
    """The bloodstream scene has no script table: nothing is narrated, the path is 404,
    and the preview says so in one line (its page works as before: the tests above)."""
    assert _get(blood.port, f"/soundtrack.webm?token={blood.token}")[0] == 404
    assert _get(blood.port, "/soundtrack.webm")[0] == 403
    blood.wait_for(r"^hepaanim preview: no sound: the film has no script table", 10)


def test_the_preview_mixes_what_a_render_mixes(tmp_path):
    """The preview's soundtrack is the render's whole-film mix, sample for sample (the
    same calls as audio.film.soundtrack, without the description mix)."""
    from hepaanim.audio import film as sound
    from hepaanim.preview import soundtrack
    film = load_scene(_narrated(tmp_path))
    key, samples = soundtrack.mix(film, cache_dir=tmp_path / "cache")
    assert np.array_equal(samples, sound.soundtrack(film, 0.0, film.duration).audio)
    assert len(samples) == 60 * 48_000


def test_without_espeak_or_takes_the_bed_plays_and_one_line_names_the_silent_lines(
        tmp_path, monkeypatch):
    from hepaanim.audio import voice
    from hepaanim.preview.soundtrack import PreviewSound
    scene = _narrated(tmp_path)
    (tmp_path / "words" / "voice" / "two.hello.en.flac").unlink()
    monkeypatch.setattr(voice, "espeak", lambda: None)
    said = []
    sound = PreviewSound(cache_dir=tmp_path / "cache", say=said.append)
    sound.start(load_scene(scene))
    assert sound.wait(120)
    assert sound.state == "ready", sound.note
    assert len(said) == 1 and "\n" not in said[0], said
    assert "silent" in said[0] and "two.hello" in said[0], said


def test_a_reload_remixes_only_a_changed_sound_and_keeps_the_old_one_meanwhile(tmp_path):
    """A reload asks for the sound again: while it is made the previous file stays ready
    (the page keeps playing); a changed take gives a new file (a new key, which the page
    fetches); an unchanged film comes from the cache, mixing nothing."""
    import soundfile
    from hepaanim.preview.soundtrack import PreviewSound
    scene = _narrated(tmp_path)
    said = []
    sound = PreviewSound(cache_dir=tmp_path / "cache", say=said.append)
    sound.start(load_scene(scene))
    assert sound.wait(120) and sound.state == "ready", sound.note
    first = sound.ready
    take = tmp_path / "words" / "voice" / "two.hello.en.flac"
    x, rate = soundfile.read(str(take), dtype="float32")
    soundfile.write(str(take), x[: len(x) // 2], rate)           # a shorter take
    film = load_scene(scene)
    with sound._lock:                # (held: the worker cannot have finished yet)
        sound.start(film)
        meanwhile, busy = sound.meta(), sound.busy
    assert meanwhile["state"] == "ready" and meanwhile["v"] == first.key and busy
    assert sound.wait(120) and sound.state == "ready", sound.note
    second = sound.ready
    assert second.key != first.key and second.data != first.data and not second.cached
    sound.start(film)
    assert sound.wait(120)
    assert sound.ready.key == second.key and sound.ready.cached
    assert "from the cache" in said[-1], said


def test_the_soundtrack_path_is_503_while_mixing_and_404_without_sound():
    """The server asks its session: pending -> 503 (with Retry-After), none -> 404, the
    bytes -> 200; without the token it is 403 whatever the session holds."""
    from hepaanim.preview.server import PENDING, Session

    class Sound(Session):
        held = PENDING

        def soundtrack(self):
            return self.held

    session = Sound()
    with _serving(session) as server:
        url = f"/soundtrack.webm?token={server.token}"
        status, hdr, _ = _get(server.port, url)
        assert status == 503 and hdr["retry-after"] == "2"
        assert _get(server.port, "/soundtrack.webm")[0] == 403
        session.held = None
        assert _get(server.port, url)[0] == 404
        session.held = (b"0123456789", "audio/webm")
        assert _get(server.port, url)[2] == b"0123456789"
        assert _get(server.port, url, [("Range", "bytes=2-4")])[2] == b"234"
        assert _get(server.port, "/soundtrack.webm?token=guess")[0] == 403


@pytest.mark.parametrize("header,size,want", [
    (None, 1000, None), ("bytes=0-99", 1000, (0, 99)), ("bytes=900-", 1000, (900, 999)),
    ("bytes=-100", 1000, (900, 999)), ("bytes=-5000", 1000, (0, 999)),
    ("bytes=990-5000", 1000, (990, 999)), ("bytes=1000-", 1000, "unsatisfiable"),
    ("bytes=-0", 1000, "unsatisfiable"), ("bytes=0-9,20-29", 1000, None),
    ("items=0-9", 1000, None), ("bytes=abc", 1000, None), ("bytes=9-3", 1000, None),
    ("bytes=-", 1000, None)])
def test_byte_ranges(header, size, want):
    from hepaanim.preview.server import byte_range
    assert byte_range(header, size) == want


_AUDIO = "document.getElementById('hepaanim-audio')"


def _scrub(page, t: float, duration: float):
    """The event the slider sends when it is moved to t (VPython's control_handler)."""
    page.evaluate("f => { for (const o of Object.values(glowObjs)) if (o && o.objName === "
                  "'slider') { o.value = f; control_handler(o); return } }", t / duration)


def test_the_page_audio_follows_the_timeline(narrated_page):
    """The <audio> element gets the soundtrack when it is ready; a scrub (the slider's own
    event) and the act menu seek it to the preview's time; Play plays it in step with the
    preview's clock, Pause stops it there; the sound box mutes it."""
    page, a = narrated_page, _AUDIO
    page.wait_for_function(f"window.hepaanim.sound && window.hepaanim.sound.state === 'ready'"
                           f" && {a}.readyState >= 1", timeout=60_000)
    assert abs(page.evaluate(f"{a}.duration") - 60.0) <= 1 / 30
    assert page.evaluate(f"{a}.paused && {a}.currentTime === 0")
    _scrub(page, 50.0, 60.0)
    wait_shown(page, t=50.0, tol=0.05)
    page.wait_for_function(f"Math.abs({a}.currentTime - window.hepaanim.t) < 0.01 && "
                           f"Math.abs({a}.currentTime - 50) < 0.05", timeout=20_000)
    page.locator("select").first.select_option("two")
    page.wait_for_function(f"Math.abs({a}.currentTime - 30) < 0.01", timeout=20_000)
    _scrub(page, 49.0, 60.0)           # (VPython sends a slider value only if it is new)
    page.wait_for_function(f"Math.abs({a}.currentTime - 49) < 0.05", timeout=20_000)
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(f"window.hepaanim.playing && !{a}.paused && {a}.currentTime > 50",
                           timeout=20_000)
    # in step with the preview's clock (its time when it answered, plus what passed since)
    page.wait_for_function(f"(() => {{ const h = window.hepaanim; return !{a}.seeking && "
                           f"Math.abs({a}.currentTime - h.t - (performance.now() - h.sentAt)"
                           f" / 1000) < 0.15 }})()", timeout=20_000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    h = wait_shown(page, playing=False)
    page.wait_for_function(f"{a}.paused && Math.abs({a}.currentTime - {h['t']}) < 0.01",
                           timeout=20_000)
    assert not page.evaluate(f"{a}.muted")
    sound_box = page.locator("input[type=checkbox]").nth(1)    # after "camera follows"
    sound_box.uncheck()
    page.wait_for_function(f"{a}.muted", timeout=20_000)
    sound_box.check()
    page.wait_for_function(f"!{a}.muted", timeout=20_000)
    assert not page.errors
