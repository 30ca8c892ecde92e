"""Faults a user meets: a cache that was damaged, a disk that fills while the subtitles are
written, and every command-line mistake (issue 13, sections 3, 4 and 6).

Each case asserts the exit code, exactly one line on stderr, and that nothing was left
behind or changed.  Renders are bloodstream at 160x90 and 5 fps (40 frames in four 2-s
chunks), in this process through ``cli.main``, with their cache under tmp_path.
"""
from __future__ import annotations

import errno
import os
import pathlib
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from hepaanim import cli
from hepaanim.output.encoders import count_frames
from hepaanim.pipeline import chunked

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT / "scenes" / "bloodstream.py"
SMALL = ["-q", "medium", "--resolution", "160x90", "--fps", "5", "--quiet"]


def main(argv) -> int:
    """The CLI in this process: its exit code, whether returned or raised by argparse."""
    try:
        return cli.main(argv)
    except SystemExit as e:
        return e.code


def render(tmp_path, *extra, out=None):
    out = out or tmp_path / "out.mp4"
    return main(["render", str(SCENE), *SMALL, "--cache-dir", str(tmp_path / "cache"),
                     "-o", str(out), *map(str, extra)])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes (hidden temporaries included)."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(capsys, code, expected_code, *needles) -> str:
    err = capsys.readouterr().err
    assert code == expected_code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def segments(tmp_path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("*.mp4"))


# --- §3 a damaged cache is never used --------------------------------------------------------

@pytest.fixture
def cached(tmp_path, capsys):
    """A finished render whose four chunks are in the cache."""
    assert render(tmp_path) == 0
    capsys.readouterr()
    assert len(segments(tmp_path)) == 4
    return tmp_path


def _rerender_reports(capsys, tmp_path, count: int) -> list[str]:
    assert render(tmp_path) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == count, err
    for line in err:
        assert line.startswith("cache: chunk ") and "failed its check" in line \
            and line.endswith("; rendered again"), line
    assert count_frames(tmp_path / "out.mp4")[0] == 40
    return err


def test_truncated_chunk_is_rendered_again(cached, capsys):
    segments(cached)[0].write_bytes(b"")
    (line,) = _rerender_reports(capsys, cached, 1)
    assert "0 bytes" in line and "bloodstream" in line


def test_chunk_with_flipped_bytes_is_rendered_again(cached, capsys):
    seg = segments(cached)[2]
    data = bytearray(seg.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = bytes(b ^ 0xFF for b in data[mid:mid + 64])
    seg.write_bytes(bytes(data))
    (line,) = _rerender_reports(capsys, cached, 1)
    assert "its bytes changed" in line


def test_swapped_chunks_are_rendered_again(cached, capsys):
    a, b = segments(cached)[:2]
    tmp = a.with_name("swap")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    _rerender_reports(capsys, cached, 2)


def test_swapped_chunks_with_their_checks_are_rendered_again(cached, capsys):
    """Swapping the check records too does not fool it: a record names its own key."""
    a, b = segments(cached)[:2]
    for x, y in ((a, b), (Path(f"{a}.check"), Path(f"{b}.check"))):
        tmp = x.with_name("swap")
        x.rename(tmp)
        y.rename(x)
        tmp.rename(y)
    _rerender_reports(capsys, cached, 2)


def test_joined_file_missing_frames_is_not_committed(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous")
    join = chunked.concat_segments

    def drop_last(segs, *a, **kw):
        return join(segs[:-1], *a, **kw)
    monkeypatch.setattr(chunked, "concat_segments", drop_last)
    one_line(capsys, render(tmp_path), 1, "the joined video has 30 frames", "expected 40",
             "left as it was")
    assert out.read_bytes() == b"previous"
    assert not [p for p in tmp_path.rglob(".*partial*")]


# --- §4 the video and its subtitles are one transaction --------------------------------------

def test_subtitle_failure_leaves_video_and_subtitles_as_they_were(tmp_path, capsys,
                                                                  monkeypatch):
    assert render(tmp_path) == 0
    assert {"out.mp4", "out.srt", "out.vtt"} <= set(os.listdir(tmp_path))
    before = snapshot(tmp_path)
    write_text = pathlib.Path.write_text

    def full_disk(self, *a, **kw):
        if self.suffix == ".vtt":          # after the video and the .srt are written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return write_text(self, *a, **kw)
    monkeypatch.setattr(pathlib.Path, "write_text", full_disk)
    code = main(["render", str(SCENE), *SMALL, "--fps", "4", "--cache-dir",
                     str(tmp_path / "cache"), "-o", str(tmp_path / "out.mp4")])
    line = one_line(capsys, code, 1, "cannot write out.vtt", "No space left on device",
                    "left as they were")
    assert "partial" not in line
    after = snapshot(tmp_path)
    for name in ("out.mp4", "out.srt", "out.vtt"):
        assert after[name] == before[name], name
    assert not [n for n in after if "partial" in n]


def test_stale_partial_subtitles_are_cleaned(tmp_path, capsys):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = [tmp_path / f".out.partial-{dead}.{ext}" for ext in ("srt", "vtt", "mp4")]
    for p in stale:
        p.write_text("left by a render that died")
    assert render(tmp_path) == 0
    assert not [p for p in stale if p.exists()]
    assert (tmp_path / "out.srt").read_text().startswith("1\n")


# --- §6 command-line mistakes: one line, exit 2, nothing touched -----------------------------

@pytest.mark.parametrize("flags,needles", [
    (["--fps", "nan"], ["'nan' is not a finite number"]),
    (["--fps", "inf"], ["'inf' is not a finite number"]),
    (["--resolution", "16x16"], ["'16x16' is outside 100x60 .. 8192x8192"]),
    (["--resolution", "98x400"], ["outside 100x60"]),
    (["--resolution", "321x181"], ["mp4 needs an even width and height", "322x182"]),
    (["--resolution", "321x180", "--format", "webm"], ["webm needs an even width"]),
])
def test_bad_numbers_are_one_line(tmp_path, capsys, flags, needles):
    out = tmp_path / ("out.webm" if "webm" in flags else "out.mp4")
    code = main(["render", str(SCENE), "-q", "low", *flags, "--cache-dir",
                     str(tmp_path / "cache"), "-o", str(out)])
    one_line(capsys, code, 2, *needles)
    assert not list(tmp_path.iterdir())


def test_smallest_allowed_size_renders(tmp_path, capsys):
    """100x60 is allowed because it works: every caption style of the film lays out."""
    code = main(["still", str(ROOT / "scenes" / "hepastem_moa.py"), "--t", "25.3",
                     "-q", "low", "--resolution", "100x60", "-o", str(tmp_path / "s.png")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "s.png").stat().st_size > 0


@pytest.mark.parametrize("content,needle", [
    (bytes(range(128, 256)) * 4, "not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "null bytes"),
], ids=["latin1", "png"])
def test_binary_scene_is_one_line(tmp_path, capsys, content, needle):
    scene = tmp_path / "scene.py"
    scene.write_bytes(content)
    one_line(capsys, main(["render", str(scene), "-o", str(tmp_path / "o.mp4")]), 2,
             "is not a Python scene", needle)
    assert os.listdir(tmp_path) == ["scene.py"]


@pytest.mark.parametrize("where,needles", [
    ("sys", ["cannot write the output in /sys", "Permission denied"]),   # sysfs: read-only
    ("file", ["is a file, not a folder"]),
])
def test_unwritable_output_folder_is_one_line(tmp_path, capsys, where, needles):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    out = Path("/sys/hepaanim-test.mp4") if where == "sys" else blocker / "sub" / "o.mp4"
    one_line(capsys, render(tmp_path, out=out), 2, *needles)
    assert sorted(os.listdir(tmp_path)) == ["a_file"]
    assert not out.exists()


@pytest.mark.parametrize("where,needles", [
    ("sys", ["cannot write the chunk cache in /sys/hepaanim-cache"]),
    ("file", ["is a file, not a folder"]),
])
def test_unwritable_cache_folder_is_one_line(tmp_path, capsys, where, needles):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    cache = "/sys/hepaanim-cache" if where == "sys" else blocker / "cache"
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous")
    code = main(["render", str(SCENE), *SMALL, "--cache-dir", str(cache), "-o", str(out)])
    one_line(capsys, code, 2, *needles)
    assert sorted(os.listdir(tmp_path)) == ["a_file", "out.mp4"]
    assert out.read_bytes() == b"previous"


@pytest.mark.parametrize("command", ["render", "still"])
def test_output_naming_a_folder_is_refused_before_rendering(tmp_path, capsys, command,
                                                             monkeypatch):
    folder = tmp_path / ("film.mp4" if command == "render" else "frame.png")
    folder.mkdir()
    from hepaanim.render.settings import Settings

    def no_render(*a, **kw):
        raise AssertionError("rendered before refusing the output")
    monkeypatch.setattr(Settings, "renderer", no_render)
    args = (["render", str(SCENE), *SMALL, "--cache-dir", str(tmp_path / "cache")]
            if command == "render" else ["still", str(SCENE), "--t", "1"])
    one_line(capsys, main([*args, "-o", str(folder)]), 2, "is a folder",
             "name a file in it")
    assert sorted(os.listdir(tmp_path)) == [folder.name] and not os.listdir(folder)


def _fake_ffmpeg(tmp_path: Path, body: str, mode: int = 0o755) -> Path:
    exe = tmp_path / "bin" / "ffmpeg"
    exe.parent.mkdir()
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(mode)
    return exe


@pytest.mark.parametrize("case,needles", [
    ("nowhere", ["IMAGEIO_FFMPEG_EXE=", "is not a file", "set IMAGEIO_FFMPEG_EXE"]),
    ("not executable", ["ffmpeg is not executable", "chmod +x"]),
    ("not ffmpeg", ["is not a working ffmpeg"]),
    ("missing", ["no ffmpeg found", "pip install"]),
])
def test_unusable_ffmpeg_is_one_line(tmp_path, capsys, monkeypatch, case, needles):
    work = tmp_path / "work"
    work.mkdir()
    if case == "nowhere":
        monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "nowhere" / "ffmpeg"))
    elif case == "not executable":
        monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(_fake_ffmpeg(tmp_path, "", 0o644)))
    elif case == "not ffmpeg":
        monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(_fake_ffmpeg(tmp_path, "exit 3")))
    else:       # what imageio-ffmpeg does when it finds no binary and none is named
        def none_found():
            raise RuntimeError("No ffmpeg exe could be found.")
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
        monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", none_found)
    one_line(capsys, render(work), 2, *needles)
    assert not os.listdir(work)


def test_ffmpeg_errors_are_condensed_and_verbose_shows_them(tmp_path, capsys, monkeypatch):
    """An ffmpeg that runs but fails to encode: its three error lines become one (exit 1,
    the README's code for an encoder failure); --verbose prints them all."""
    real = imageio_ffmpeg.get_ffmpeg_exe()
    exe = _fake_ffmpeg(tmp_path, f"""case "$*" in
  *rawvideo*) echo "[libx264 @ 0x5581e0] broken encoder for the test" >&2
              echo "[vost#0:0/libx264 @ 0x5581f0] Error while opening encoder" >&2
              echo "Conversion failed!" >&2; exit 1;;
  *) exec {real} "$@";;
esac""")
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(exe))
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out.mp4"
    out.write_bytes(b"previous")
    line = one_line(capsys, render(work), 1, "[libx264] broken encoder for the test",
                    "(+2 more lines with --verbose)")
    assert "0x5581" not in line
    code = render(work, "--verbose")
    err = capsys.readouterr().err
    assert code == 1 and "Conversion failed!" in err and "0x5581f0" in err, err
    assert out.read_bytes() == b"previous"
    assert not [p for p in work.rglob("*partial*")]


TWO_ACTS = '''
import numpy as np
from hepaanim import InstancedNode, Instances, Material

def build(film):
    for name, x in (("one", -1.0), ("two", 0.5)):
        act = film.act(name, 1.0)
        act.add(InstancedNode(name, shape="sphere", material=Material("#FF6633"),
                              instances=Instances(np.array([[x, 0.0, 0.0]]), scale=0.5)))
        act.camera.set(position=(0.0, -6.0, 0.5), target=(0.0, 0.0, 0.0))
'''


def test_from_and_to_count_from_the_act_start(tmp_path, capsys):
    scene = tmp_path / "two_acts.py"
    scene.write_text(TWO_ACTS)
    out = tmp_path / "frames"
    code = main(["render", str(scene), "--act", "two", "--from", "0.5", "--to", "0.8",
                     "--fps", "10", "--resolution", "160x90", "--format", "png", "--quiet",
                     "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert sorted(os.listdir(out)) == [f"frame_{i:06d}.png" for i in (15, 16, 17)]
    one_line(capsys, main(["render", str(scene), "--act", "two", "--from", "1.5",
                               "-o", str(tmp_path / "x.mp4")]), 2,
             "--from 1.5 is past the end of act 'two'", "count from its start")
    help_text = subprocess.run([sys.executable, "-m", "hepaanim", "render", "--help"],
                               capture_output=True, text=True, cwd=ROOT).stdout
    assert "--from/--to then count from its start" in " ".join(help_text.split())
