"""Preview benchmark: `hepaanim preview` in headless Chromium (SwiftShader), act by act.

    python bench/preview_bench.py [SCENE ...] [--seconds S] [--scrubs N] [--shots DIR]
                                  [--act NAME ...]

For each act of each scene (default scenes/bloodstream.py): the time to jump there with
the act menu (the first visit builds the act's objects), scrub-to-picture latency (a click
on the time slider until the page has painted the frame for the new time; median and
worst of N), and playback fps (new pictures painted per second at 1×).  Floors: scrub
median < 1 s; playback >= 10 fps for sinusoid-scale shots.  Last line: scrub_ms=<median>.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
FPS_FLOOR, SCRUB_FLOOR_MS = 10.0, 1000.0
SHOT_AT = (0.3, 0.6, 0.9)           # --shots: also these points of each act


def start_preview(scene: Path):
    proc = subprocess.Popen([sys.executable, "-m", "hepaanim", "preview", str(scene),
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT)
    t0 = time.monotonic()
    for line in proc.stdout:
        m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, m.group(1), time.monotonic() - t0
    proc.kill()
    proc.wait()
    raise SystemExit(f"preview of {scene} did not start")


def shown(page, cond: str, timeout=120_000):
    page.wait_for_function("(() => { const h = window.hepaanim; return h.painted === h.seq && ("
                           + cond + ") })()", timeout=timeout)
    return page.evaluate("Object.assign({}, window.hepaanim)")


def slider_click(page, frac: float):
    box = page.locator(".ui-slider").first.bounding_box()
    page.mouse.click(box["x"] + frac * box["width"], box["y"] + box["height"] / 2)


def bench_scene(browser, scene: Path, seconds: float, scrubs: int, shots: Path | None,
                acts: list[str] | None = None):
    proc, url, start_s = start_preview(scene)
    rows = []
    try:
        page = browser.new_page(viewport={"width": 900, "height": 640})
        page.add_init_script("document.addEventListener('mousedown', "
                             "() => { window.__down = performance.now() }, true)")
        t0 = time.monotonic()
        page.goto(url)
        h = shown(page, "h.seq >= 1")
        print(f"{scene.name}: server up {start_s:.1f} s, first picture {time.monotonic() - t0:.1f} s "
              f"after opening the page")
        duration = h["duration"]
        for name, a, b in h["acts"]:
            if acts and name not in acts:
                continue
            t0 = time.monotonic()
            page.locator("select").first.select_option(name)
            shown(page, f"h.act === {name!r} && Math.abs(h.t - {a}) < 1e-3")
            jump_ms = (time.monotonic() - t0) * 1000
            lat = []
            # Alternate ends of the act, so each click lands away from the slider's handle
            # (a click on the handle itself starts a drag and moves nothing).
            spots = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.95, 0.05]
            for k in range(scrubs):
                frac = (a + (b - a) * spots[k % len(spots)]) / duration
                before = page.evaluate("window.hepaanim.t")
                slider_click(page, frac)
                try:
                    h = shown(page, f"h.painted_at > window.__down && "
                                    f"Math.abs(h.t - {before}) > 1e-3", timeout=30_000)
                except Exception:
                    print(f"  {name}: a slider click at {frac * duration:.2f} s moved nothing")
                    continue
                lat.append(h["painted_at"] - page.evaluate("window.__down"))
            lat = lat or [float("nan")]
            page.locator("select").first.select_option(name)
            shown(page, f"Math.abs(h.t - {a}) < 1e-3")
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / f"{scene.stem}_{name}.png"))
            page.get_by_role("button", name=re.compile("Play")).click()
            page.wait_for_function("window.hepaanim.playing === true")
            time.sleep(0.5)
            f0, c0 = page.evaluate("[window.hepaanim.frames, performance.now()]")
            time.sleep(min(seconds, max(b - a - 1.0, 1.0)))
            f1, c1 = page.evaluate("[window.hepaanim.frames, performance.now()]")
            page.get_by_role("button", name=re.compile("Pause")).click()
            shown(page, "h.playing === false")
            fps = (f1 - f0) / ((c1 - c0) / 1000)
            if shots:                  # the act under way (its start is a dissolve)
                for frac in SHOT_AT:
                    before = page.evaluate("window.hepaanim.t")
                    slider_click(page, (a + (b - a) * frac) / duration)
                    try:
                        shown(page, f"Math.abs(h.t - {before}) > 1e-3", timeout=30_000)
                    except Exception:
                        continue
                    page.screenshot(path=str(shots / f"{scene.stem}_{name}_{int(frac * 100):02d}.png"))
            rows.append((scene.stem, name, jump_ms, statistics.median(lat), max(lat), fps))
            print(f"  {name:<16} jump {jump_ms:7.0f} ms   scrub median {statistics.median(lat):6.0f} ms"
                  f"  worst {max(lat):6.0f} ms   playback {fps:5.1f} fps"
                  f"{'' if fps >= FPS_FLOOR else '  (below 10)'}", flush=True)
        page.close()
    finally:                      # never leave a preview listening behind the bench
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenes", nargs="*", default=[str(ROOT / "scenes" / "bloodstream.py")])
    ap.add_argument("--seconds", type=float, default=4.0, help="playback seconds per act")
    ap.add_argument("--scrubs", type=int, default=5, help="slider clicks per act")
    ap.add_argument("--shots", type=Path, help="save screenshots of each act here (its start, and 30/60/90 %% in)")
    ap.add_argument("--act", action="append", metavar="NAME",
                    help="only this act (repeatable; default: every act)")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        info = browser.new_page()
        print(f"chromium {browser.version}, renderer: " + info.evaluate(
            "(() => { const g = document.createElement('canvas').getContext('webgl2');"
            " const e = g.getExtension('WEBGL_debug_renderer_info');"
            " return e ? g.getParameter(e.UNMASKED_RENDERER_WEBGL) : '?' })()"))
        info.close()
        for s in a.scenes:
            rows += bench_scene(browser, Path(s).resolve(), a.seconds, a.scrubs, a.shots, a.act)
        browser.close()
    if not rows:
        raise SystemExit("no act matched --act")
    scrub = statistics.median(r[3] for r in rows)
    fps = [r[5] for r in rows]
    print(f"acts {len(rows)}: scrub median {scrub:.0f} ms (floor < {SCRUB_FLOOR_MS:.0f}), "
          f"worst scrub {max(r[4] for r in rows):.0f} ms, playback {min(fps):.1f}–{max(fps):.1f} fps")
    print(f"scrub_ms={scrub:.0f}")


if __name__ == "__main__":
    main()
