"""Shared test fixtures: the golden-frame comparison and the --update-goldens flag.

Golden frames are PNGs under tests/goldens/ that a person has looked at.  They are
compared on Mesa llvmpipe (bit-identical across runs there) with the tolerance below;
other GL drivers give slightly different pixels, so there the comparison only checks that
a frame rendered.  A failure writes expected / actual / diff PNGs under tests/_failures/.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
GOLDENS = ROOT / "tests" / "goldens"
FAILURES = ROOT / "tests" / "_failures"

# The one place the golden tolerance is stated.
MAX_CHANNEL_DELTA = 16        # a pixel differs if any channel differs by more than this
MAX_MISMATCH_RATIO = 0.002    # the frame fails if more than 0.2 % of pixels differ

GOLDEN_SIZE = (320, 180)


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/*.png from the current renderer and list them")


_written: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if _written:
        terminalreporter.write_line(f"--update-goldens wrote {len(_written)} golden(s):")
        for p in _written:
            terminalreporter.write_line(f"  {p}")


@pytest.fixture(scope="session")
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def gl_renderer_info():
    from hepaanim.render.gl.context import GLContext
    g = GLContext(16, 16)
    info = g.info
    g.release()
    return info


def _save(a: np.ndarray, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.ascontiguousarray(a[..., :3])).save(path)


@pytest.fixture
def golden(update_goldens, gl_renderer_info):
    """golden(name, rgba) compares a frame with tests/goldens/<name>.png."""
    def check(name: str, frame: np.ndarray):
        actual = np.ascontiguousarray(frame[..., :3])
        assert actual.std() > 2.0, f"{name}: the frame is flat (blank or one colour)"
        path = GOLDENS / f"{name}.png"
        if update_goldens:
            _save(actual, path)
            _written.append(str(path.relative_to(ROOT)))
            return
        if not path.exists():
            pytest.fail(f"golden {path.relative_to(ROOT)} is missing: render it, look at it, "
                        f"then run `pytest --update-goldens` to write it")
        expected = np.asarray(Image.open(path).convert("RGB"))
        if "llvmpipe" not in gl_renderer_info["renderer"]:
            return      # other drivers: only check that a frame rendered (see module doc)
        assert expected.shape == actual.shape, (
            f"{name}: golden is {expected.shape[1]}x{expected.shape[0]}, "
            f"frame is {actual.shape[1]}x{actual.shape[0]}")
        delta = np.abs(expected.astype(np.int16) - actual.astype(np.int16)).max(axis=2)
        bad = delta > MAX_CHANNEL_DELTA
        ratio = float(bad.mean())
        if ratio > MAX_MISMATCH_RATIO:
            FAILURES.mkdir(parents=True, exist_ok=True)
            paths = {k: FAILURES / f"{name}_{k}.png" for k in ("expected", "actual", "diff")}
            _save(expected, paths["expected"])
            _save(actual, paths["actual"])
            diff = np.zeros_like(actual)
            diff[..., 0] = np.clip(delta * 4, 0, 255)
            diff[bad] = (255, 255, 0)
            _save(diff, paths["diff"])
            pytest.fail(f"{name}: {ratio:.2%} of pixels differ by > {MAX_CHANNEL_DELTA} "
                        f"(allowed {MAX_MISMATCH_RATIO:.2%}); wrote "
                        + ", ".join(str(p) for p in paths.values()))
    return check


@pytest.fixture
def hepaanim_cmd(tmp_path_factory):
    """Run the CLI in a subprocess (as a user would) from the repository root, with its own
    empty chunk cache: a warm renders/.cache would let renders finish from earlier runs
    (and a Ctrl-C test end before it interrupts anything)."""
    import subprocess
    cache = tmp_path_factory.mktemp("chunk-cache")

    def run(*args, timeout=300, **kw):
        env = dict(os.environ)
        env.setdefault("HEPAANIM_CACHE_DIR", str(cache))
        return subprocess.run([sys.executable, "-m", "hepaanim", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, env=env, **kw)
    return run


@pytest.fixture
def spawn():
    """spawn(args, **kw) starts a command as a tests.children.Child (SIGINT at its default
    however the suite was started); every child is stopped when the test ends, pass or fail."""
    from .children import Child
    started: list[Child] = []

    def start(args, **kw) -> Child:
        child = Child(args, **kw)
        started.append(child)
        return child
    try:
        yield start
    finally:
        for child in started:
            child.stop()
