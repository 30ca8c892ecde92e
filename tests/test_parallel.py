"""Chunked renders: any worker count gives the same frames; finished chunks are reused after a
crash or an edit; a Dask cluster renders the same file; killed workers, encoder failures and
a full disk leave a correct file or the previous one.

Everything renders at 160x90 (bloodstream at 5 fps: 40 frames in four 2-s chunks) and
keeps its cache under tmp_path.
"""
from __future__ import annotations

import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from hepaanim.loader import load
from hepaanim.render.frames import FrameRange, frame_range, render_still
from hepaanim.pipeline.chunked import render_chunked
from hepaanim.pipeline.plan import plan_chunks
from hepaanim.render.settings import Settings
from hepaanim.timeline import Film

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT / "scenes" / "bloodstream.py"
W, H, FPS = 160, 90, 5
SMALL = ["-q", "medium", "--resolution", f"{W}x{H}", "--fps", str(FPS), "--quiet"]


def decode(path: Path) -> list[np.ndarray]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


def leftovers(*folders: Path) -> list[str]:
    """Temporary files (hidden partials) in the folders."""
    return [p.name for d in folders if d.exists() for p in d.iterdir()
            if ".partial-" in p.name]


@pytest.fixture(scope="module")
def film():
    return load(SCENE)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, film) -> Path:
    """The single-worker render every other render must equal."""
    d = tmp_path_factory.mktemp("reference")
    res = render_chunked(SCENE, film, "mp4", d / "ref.mp4", Settings(W, H, FPS, "fxaa"),
                         frame_range(film, FPS), cache_dir=d / "cache", quiet=True)
    assert (res["chunks"], res["rendered"], res["frames"]) == (4, 4, 40)
    return d / "ref.mp4"


# --- the chunk plan ----------------------------------------------------------------------

def test_chunks_follow_act_boundaries():
    film = Film("plan")
    for name, secs in (("a", 1.0), ("b", 2.5), ("c", 0.3)):
        film.act(name, secs)
    chunks = plan_chunks(film, 10, FrameRange(0, film.frame_count(10)), seconds=1.0)
    assert [(c.first, c.stop, c.act) for c in chunks] == [
        (0, 10, "a"), (10, 18, "b"), (18, 27, "b"), (27, 35, "b"), (35, 38, "c")]
    clipped = plan_chunks(film, 10, FrameRange(5, 30), seconds=1.0)
    assert [(c.first, c.stop) for c in clipped] == [(5, 10), (10, 18), (18, 27), (27, 30)]


# --- same frames whatever the worker count ----------------------------------------------

def test_two_workers_decode_to_the_single_worker_frames(hepaanim_cmd, tmp_path, film,
                                                        reference):
    out = tmp_path / "w2.mp4"
    r = hepaanim_cmd("render", SCENE, *SMALL, "--workers", "2", "--cache-dir",
                     tmp_path / "cache", "-o", out)
    assert r.returncode == 0, r.stderr
    got, want = decode(out), decode(reference)
    assert len(got) == len(want) == 40
    for i, (a, b) in enumerate(zip(got, want)):
        assert np.array_equal(a, b), f"frame {i} differs"
    assert out.read_bytes() == reference.read_bytes()
    # Chunks joined in order, none dropped or doubled: each decoded frame is its own frame.
    for i in (0, 12, 27, 39):
        raw = render_still(film, i / FPS, W, H)[..., :3].astype(int)
        err = np.abs(got[i].astype(int) - raw).mean()
        other = np.abs(got[(i + 20) % 40].astype(int) - raw).mean()
        assert err < 8 and other > 2 * err, (i, err, other)
    assert not leftovers(tmp_path, tmp_path / "cache")


def test_any_runner_behind_the_one_interface_gives_the_same_file(tmp_path, film, reference):
    """The coordinator hands its pending chunks to a Runner (``run(work)``); a runner of
    one's own (here: the inline runner, with the chunks it was given noted) makes the
    reference's bytes, and hears of every chunk the cache did not hold."""
    from hepaanim.pipeline.inline import InlineRunner

    class Noting(InlineRunner):
        def __init__(self):
            self.seen = []

        def run(self, work):
            def noted(pending):
                for p in pending:
                    self.seen.append((p.chunk.first, p.chunk.stop))
                    yield p
            work.pending = noted(work.pending)
            super().run(work)

    runner = Noting()
    out = tmp_path / "own.mp4"
    res = render_chunked(SCENE, film, "mp4", out, Settings(W, H, FPS, "fxaa"),
                         frame_range(film, FPS), runner=runner, cache_dir=tmp_path / "cache",
                         quiet=True)
    assert runner.seen == [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert res["rendered"] == 4
    assert out.read_bytes() == reference.read_bytes()


# --- cache: resume and partial re-render -------------------------------------------------

TWO_ACTS = '''
import numpy as np
from hepaanim import InstancedNode, Instances, Material

SECOND_COLOR = "#3366FF"

def dots(name, color, x):
    return InstancedNode(name, shape="sphere", material=Material(color), instances=Instances(
        np.array([[x, 0.0, 0.0], [x + 1.2, 0.0, 0.5]]), scale=0.5))

def build(film):
    one = film.act("one", 1.0)
    a = one.add(dots("first", "#FF6633", -1.0))
    one.animate(a, "material.emissive", 0.0, 1.0, over=(0, 1))
    one.camera.set(position=(0.0, -6.0, 0.5), target=(0.0, 0.0, 0.0))
    two = film.act("two", 1.0)
    b = two.add(dots("second", SECOND_COLOR, -0.5))
    two.animate(b, "material.emissive", 1.0, 0.0, over=(0, 1))
'''


def _render_two_acts(scene: Path, out: Path, cache: Path) -> dict:
    f = load(scene)
    return render_chunked(scene, f, "mp4", out, Settings(W, H, 10, "fxaa"), frame_range(f, 10),
                          cache_dir=cache, quiet=True, chunk_seconds=0.5)


def test_cache_reuses_chunks_and_an_edit_rerenders_only_its_act(tmp_path):
    scene = tmp_path / "two_acts.py"
    scene.write_text(TWO_ACTS)
    cache = tmp_path / "cache"
    first = _render_two_acts(scene, tmp_path / "a.mp4", cache)
    assert (first["chunks"], first["rendered"], first["cached"]) == (4, 4, 0)
    again = _render_two_acts(scene, tmp_path / "b.mp4", cache)
    assert (again["rendered"], again["cached"]) == (0, 4)
    assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()

    scene.write_text(TWO_ACTS.replace("#3366FF", "#33CC66"))     # edit act "two" only
    edited = _render_two_acts(scene, tmp_path / "c.mp4", cache)
    assert (edited["rendered"], edited["cached"]) == (2, 2)
    fresh = _render_two_acts(scene, tmp_path / "d.mp4", tmp_path / "fresh-cache")
    assert fresh["rendered"] == 4
    assert (tmp_path / "c.mp4").read_bytes() == (tmp_path / "d.mp4").read_bytes()
    assert (tmp_path / "c.mp4").read_bytes() != (tmp_path / "a.mp4").read_bytes()


def test_a_crashed_render_resumes_from_its_finished_chunks(tmp_path, film, spawn):
    cache, out = tmp_path / "cache", tmp_path / "out.mp4"
    args = [sys.executable, "-m", "hepaanim", "render", str(SCENE), "--resolution", "480x270",
            "--fps", "10", "--cache-dir", str(cache), "-o", str(out)]
    child = spawn(args, stderr="pipe")           # stopped by the fixture, pass or fail
    deadline = time.time() + 120
    while time.time() < deadline and child.running():
        # a chunk is finished once sealed: its .check record is written after the
        # segment itself, and a segment without one is (rightly) rendered again
        if cache.is_dir() and any(p.name.endswith(".mp4.check") and not p.name.startswith(".")
                                  for p in cache.iterdir()):
            break
        time.sleep(0.01)
    child.proc.send_signal(signal.SIGKILL)       # a crash: no cleanup at all
    child.communicate(timeout=60)
    done = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert done and not out.exists()
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "chunks from the cache" in r.stdout, r.stdout
    assert len(decode(out)) == 80
    assert not leftovers(tmp_path, cache)        # the crashed run's temporaries are gone


# --- killed workers ----------------------------------------------------------------------

def test_a_worker_killed_mid_chunk_is_replaced(tmp_path, film, reference):
    marker = tmp_path / "killed"
    res = render_chunked(SCENE, film, "mp4", tmp_path / "k.mp4", Settings(W, H, FPS, "fxaa"),
                         frame_range(film, FPS), workers=2, cache_dir=tmp_path / "cache",
                         quiet=True, kill_once=str(marker))
    assert marker.exists(), "no worker was killed"
    assert res["retried"] == 1 and res["rendered"] == 4
    assert (tmp_path / "k.mp4").read_bytes() == reference.read_bytes()
    assert not leftovers(tmp_path, tmp_path / "cache")


# --- Dask --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    yield cluster
    cluster.close()


def test_local_cluster_renders_the_same_file(hepaanim_cmd, tmp_path, dask_cluster, reference):
    out = tmp_path / "cluster.mp4"
    r = hepaanim_cmd("render", SCENE, *SMALL, "--scheduler", dask_cluster.scheduler_address,
                     "--cache-dir", tmp_path / "cache", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == reference.read_bytes()


def test_a_reused_cluster_worker_renders_each_job_at_its_own_scale(tmp_path):
    """A Dask worker thread keeps its renderer between tasks, keyed by the job's whole
    Settings: a 1.0-scale job after a 0.65 one is drawn at 1.0 (the key once left the scale
    out, and the second job came out at 0.65)."""
    from concurrent.futures import ThreadPoolExecutor

    from hepaanim.pipeline import dask as cluster
    from hepaanim.pipeline.job import Job
    bundle = cluster.scene_bundle(str(SCENE))
    sharp, soft = (Job(str(SCENE), "mp4", Settings(W, H, FPS, "fxaa", scale=s))
                   for s in (1.0, 0.65))

    def worker(*jobs):          # one worker thread, fed tasks in turn
        def run():
            try:
                return [decode_bytes(cluster.render_chunk_task(bundle, j, 0, 5)["data"],
                                     tmp_path) for j in jobs]
            finally:
                cluster._local.renderer.close()
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(run).result()

    (fresh,) = worker(sharp)
    at_soft, reused = worker(soft, sharp)
    assert np.abs(at_soft[0].astype(int) - fresh[0]).max() > 8     # the scale shows
    for a, b in zip(reused, fresh):
        assert np.array_equal(a, b)


def decode_bytes(data: bytes, folder: Path) -> list[np.ndarray]:
    p = folder / "segment.mp4"
    p.write_bytes(data)
    return decode(p)


def test_cluster_worker_killed_mid_chunk(tmp_path, film, dask_cluster, reference):
    marker = tmp_path / "killed"
    render_chunked(SCENE, film, "mp4", tmp_path / "k.mp4", Settings(W, H, FPS, "fxaa"),
                   frame_range(film, FPS), scheduler=dask_cluster.scheduler_address,
                   cache_dir=tmp_path / "cache", quiet=True, kill_once=str(marker))
    assert marker.exists(), "no worker was killed"
    assert (tmp_path / "k.mp4").read_bytes() == reference.read_bytes()


# --- failures leave the previous output --------------------------------------------------

def _assert_failed_cleanly(r, out: Path, cache: Path, *needles):
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert r.stderr.startswith("hepaanim render: error:"), r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr
    assert out.read_bytes() == b"previous"
    assert not leftovers(out.parent, cache)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_encoder_failure_keeps_previous_output(hepaanim_cmd, tmp_path, workers, monkeypatch):
    """An ffmpeg that runs but cannot encode (an odd size is now refused at the flag, so
    a stand-in ffmpeg fails every encode the way libx264 did, and passes the rest on)."""
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    fake.write_text(f"""#!/bin/sh
case "$*" in
  *rawvideo*) echo "[libx264 @ 0x55] width not divisible by 2 (161x91)" >&2; exit 1;;
  *) exec {imageio_ffmpeg.get_ffmpeg_exe()} "$@";;
esac
""")
    fake.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    out, cache = tmp_path / "out.mp4", tmp_path / "cache"
    out.write_bytes(b"previous")
    r = hepaanim_cmd("render", SCENE, "--resolution", "160x90", "--fps", "5", "--to", "1",
                     "--workers", workers, "--cache-dir", cache, "-o", out, "--quiet")
    _assert_failed_cleanly(r, out, cache, "ffmpeg")


@pytest.mark.parametrize("limit,stage", [(10_000, "segment"), (60_000, "join")])
def test_full_disk_keeps_previous_output(tmp_path, limit, stage):
    """A file-size limit stands in for a full disk: segments (~30 kB each) or the joined
    file (~120 kB) cannot be written."""
    out, cache = tmp_path / "out.mp4", tmp_path / "cache"
    out.write_bytes(b"previous")

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = subprocess.run([sys.executable, "-m", "hepaanim", "render", str(SCENE), *SMALL,
                        "--cache-dir", str(cache), "-o", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300, preexec_fn=small_disk)
    _assert_failed_cleanly(r, out, cache, "join" if stage == "join" else "ffmpeg")


def test_parallel_flag_errors(hepaanim_cmd, tmp_path):
    for args, needle in ((["--format", "gif", "--workers", "2", "-o", "x.gif"], "apply to mp4"),
                         (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1", "-o", "x.mp4"],
                          "either"),
                         (["--workers", "0", "-o", "x.mp4"], "must be > 0")):
        args = [tmp_path / a if a.startswith("x.") else a for a in args]
        r = hepaanim_cmd("render", SCENE, *args)
        assert r.returncode == 2 and needle in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())
