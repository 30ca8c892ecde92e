"""The command line as users and scripts rely on it: outputs, errors, interruption."""
import json
import struct
import subprocess
import time
from pathlib import Path

import imageio_ffmpeg

import pytest

from .children import hepaanim

ROOT = Path(__file__).resolve().parents[1]
SCENE = "scenes/bloodstream.py"


def _info(hepaanim_cmd, *extra):
    r = hepaanim_cmd("info", SCENE, "--json", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_info_json_keys(hepaanim_cmd):
    info = _info(hepaanim_cmd, "-q", "low")
    assert info["duration"] == pytest.approx(8.0)
    assert info["fps"] == 15 and info["frames"] == 120
    assert info["acts"] == [{"name": "bloodstream", "start": 0.0, "end": 8.0}]
    assert info["counts"]["instances"] > 300


def test_info_text(hepaanim_cmd):
    r = hepaanim_cmd("info", SCENE)
    assert r.returncode == 0 and "bloodstream" in r.stdout and "frames" in r.stdout


def test_info_into_a_closed_pipe_stops_quietly():
    """`hepaanim info SCENE | head`: the reader has gone; no traceback, SIGPIPE's status.
    The pipe's read end is closed before the child starts, so its first write fails."""
    import os
    import sys
    read, write = os.pipe()
    os.close(read)
    try:
        r = subprocess.run([sys.executable, "-m", "hepaanim", "info", SCENE], cwd=ROOT,
                           stdout=write, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write)
    assert r.returncode == 141 and r.stderr == "", r.stderr


def _top_level_atoms(path: Path) -> list[str]:
    atoms, data = [], path.read_bytes()
    i = 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        i += size
    return atoms


def _probe(path: Path) -> str:
    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True).stderr


def test_render_mp4_round_trip(hepaanim_cmd, tmp_path):
    out = tmp_path / "X.mp4"
    r = hepaanim_cmd("render", SCENE, "-q", "low", "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    probe = _probe(out)
    assert "h264" in probe and "yuv420p" in probe and "854x480" in probe, probe
    atoms = _top_level_atoms(out)
    assert atoms.index("moov") < atoms.index("mdat"), atoms       # +faststart
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert tuple(meta["size"]) == (854, 480)
    n = sum(1 for _ in reader)
    assert n == _info(hepaanim_cmd, "-q", "low")["frames"] == 120
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp files


def test_1080_is_not_rescaled(hepaanim_cmd, tmp_path):
    out = tmp_path / "hd.mp4"
    r = hepaanim_cmd("render", SCENE, "--resolution", "1920x1080", "--fps", "5", "--to", "0.4",
                     "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "1920x1080" in _probe(out)


def test_still_equals_png_sequence_frame_and_renders_repeat(hepaanim_cmd, tmp_path):
    still = tmp_path / "a.png"
    r = hepaanim_cmd("still", SCENE, "--t", "2.0", "-q", "low", "-o", still)
    assert r.returncode == 0, r.stderr
    seq = tmp_path / "seq"
    r = hepaanim_cmd("render", SCENE, "-q", "low", "--format", "png", "--from", "1.8",
                     "--to", "2.2", "-o", seq, "--quiet")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in seq.iterdir())
    assert names == ["frame_000027.png", "frame_000028.png", "frame_000029.png",
                     "frame_000030.png", "frame_000031.png", "frame_000032.png"]
    assert (seq / "frame_000030.png").read_bytes() == still.read_bytes()
    again = tmp_path / "b.png"
    hepaanim_cmd("still", SCENE, "--t", "2.0", "-q", "low", "-o", again)
    assert again.read_bytes() == still.read_bytes()


def test_webm_and_gif(hepaanim_cmd, tmp_path):
    for fmt in ("webm", "gif"):
        out = tmp_path / f"x.{fmt}"
        r = hepaanim_cmd("render", SCENE, "--resolution", "160x90", "--fps", "5", "--to", "1",
                         "--format", fmt, "-o", out, "--quiet")
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 1000
        assert ("vp9" if fmt == "webm" else "gif") in _probe(out)


# --- bad input --------------------------------------------------------------------------

def _one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_bad_flags_are_one_line(hepaanim_cmd, tmp_path):
    _one_line_error(hepaanim_cmd("render", SCENE, "--resolution", "12x", "-o", tmp_path / "a.mp4"),
                    "malformed resolution", "WIDTHxHEIGHT")
    _one_line_error(hepaanim_cmd("render", SCENE, "-q", "ultra"), "ultra", "low", "4k")
    _one_line_error(hepaanim_cmd("render", SCENE, "--act", "nope", "-o", tmp_path / "a.mp4"),
                    "unknown act 'nope'", "bloodstream")
    _one_line_error(hepaanim_cmd("still", SCENE, "--t", "99", "-o", tmp_path / "a.png"),
                    "past the end", "0 .. 8")
    _one_line_error(hepaanim_cmd("render", SCENE, "--format", "avi"), "avi", "mp4")
    _one_line_error(hepaanim_cmd("render", "scenes/missing.py"), "no such scene file")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("body,line,what", [
    ("def build(film):\n    act = film.act('a', 1)\n    x = (\n", 3, "syntax error"),
    ("import numpy\n\ndef build(film):\n    act = film.act('a', 1)\n    act.add(1 / 0)\n", 5,
     "ZeroDivisionError"),
    ("def build(film):\n    act = film.act('a', 1)\n    act.animate('ghost.material.opacity',"
     " 0, 1, over=(0, 1))\n", 3, "no node named 'ghost'"),
])
def test_broken_scene_names_file_and_line(hepaanim_cmd, tmp_path, body, line, what):
    scene = tmp_path / "broken.py"
    scene.write_text(body)
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous")
    r = hepaanim_cmd("render", scene, "-o", out)
    _one_line_error(r, f"{scene}:{line}", what)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.py", "out.mp4"]


def test_sigint_leaves_previous_output(tmp_path, spawn):
    """Ctrl-C mid-render.  The child gets SIGINT at its default (tests/children.py), so this
    holds however the suite was started (a background job of a script ignores SIGINT)."""
    cache = tmp_path / "cache"                  # nothing cached
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"the previous good render")
    child = spawn(hepaanim("render", SCENE, "-q", "medium", "-o", out, "--quiet"),
                  env={"HEPAANIM_CACHE_DIR": str(cache)}, stderr="pipe")
    deadline = time.monotonic() + 120
    # Mid-render: the first of the shot's four chunks is finished, three are to come.
    while child.running() and time.monotonic() < deadline and not (
            cache.is_dir() and any(p.suffix == ".mp4" and not p.name.startswith(".")
                                   for p in cache.iterdir())):
        time.sleep(0.02)
    assert child.running(), "the render finished before it could be interrupted"
    child.interrupt()
    err = child.communicate(timeout=60)
    assert child.proc.returncode == 130, err
    assert "interrupted" in err
    assert out.read_bytes() == b"the previous good render"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["keep.mp4"]
