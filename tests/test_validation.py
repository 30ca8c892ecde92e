"""Scene mistakes are found when the scene is built and named by file:line (issue 13 §5),
and a scene folder may hold a virtualenv (§2).

Each case writes a small scene into tmp_path and runs the command line in process:
a mistake is exit 2 and one line on stderr naming the scene file and the line of the call.
"""
from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hepaanim import Film
from hepaanim.cli import main
from hepaanim.loader import SceneError, load, scene_files, source_hash

HEAD = """\
import math
from hepaanim import InstancedNode, Instances, Material, MeshNode
from hepaanim.scene import uv_sphere
from hepaanim.models import paracrine_factors

def build(film):
    act = film.act("x", 10.0)
    wall = act.add(MeshNode("wall", geometry=uv_sphere(1.0), material=Material("#8E9BE0")))
    factors = act.add(paracrine_factors(count=20))
    act.camera.set(position=(0, -10, 0), target=(0, 0, 0))
"""


def write_scene(folder: Path, body: str, name: str = "scene.py") -> tuple[Path, int]:
    """The scene file and the line of the statement marked `# <-` in `body`."""
    text = HEAD + textwrap.indent(textwrap.dedent(body), "    ")
    path = folder / name
    path.write_text(text)
    lines = text.splitlines()
    marked = [k + 1 for k, s in enumerate(lines) if s.rstrip().endswith("# <-")]
    return path, (marked[0] if marked else 0)


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def assert_named(code: int, err: str, path: Path, line: int, *words: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1, err                 # one line
    assert f"{path.resolve()}:{line}:" in err, err
    for w in words:
        assert w in err, err


# --- §5: property paths checked in full ------------------------------------------------

def test_misspelt_attribute_is_refused_with_the_known_ones(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.animate(wall, "material.opactiy", 0.0, 1.0, over=(0, 2))   # <-
    """)
    code, err = cli(capsys, "info", path)
    assert_named(code, err, path, line, "'opactiy'", "opacity")


def test_unknown_model_param_is_refused_with_the_known_ones(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.animate(factors, "params.sprad", 0.0, 1.0, over=(0, 2))   # <-
    """)
    code, err = cli(capsys, "info", path)
    assert_named(code, err, path, line, "unknown param 'sprad' of 'factors'",
                 "known: amount, spread")


def test_misspelt_path_in_set_and_procedural(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.procedural("factors.instances.postion", lambda x: x)   # <-
    """)
    assert_named(*cli(capsys, "info", path), path, line, "'postion'")


# --- §5: numbers that are not finite ------------------------------------------------------

NON_FINITE = {
    "node_position": """
        act.add(MeshNode("ball", geometry=uv_sphere(1.0)))
        act.animate("ball.transform.position", (0, 0, 0), (math.nan, 0, 0), over=(0, 1))  # <-
    """,
    "material_colour": """
        ball = MeshNode("ball", geometry=uv_sphere(1.0), material=Material((math.nan, 0, 0)))  # <-
    """,
    "camera_fov": """
        act.camera.set(fov=math.inf)   # <-
    """,
    "instance_arrays": """
        cells = InstancedNode("cells", instances=Instances([(0, 0, 0), (math.inf, 0, 0)]))
        act.add(cells)   # <-
    """,
    "procedural_at_start": """
        act.procedural("wall.transform.position", lambda x: (x / 0.0 if x else math.nan, 0, 0))  # <-
    """,
}


@pytest.mark.parametrize("case", sorted(NON_FINITE))
def test_non_finite_numbers_are_refused(case, tmp_path, capsys):
    path, line = write_scene(tmp_path, NON_FINITE[case])
    code, err = cli(capsys, "info", path)
    assert_named(code, err, path, line)
    assert "finite" in err, err


PROCEDURAL_NAN_LATER = """
    act.procedural("wall.material.opacity", lambda x: math.nan if 1 < x < 2 else 0.5)  # <-
"""


def test_procedural_nan_between_samples_names_the_call_when_evaluated(tmp_path):
    path, line = write_scene(tmp_path, PROCEDURAL_NAN_LATER)
    film = load(path)                            # sampled at 0, 5 and 10 s: builds
    assert film.evaluate(0.5).nodes["wall"].material.opacity == 0.5
    with pytest.raises(SceneError) as e:
        film.evaluate(1.5)
    msg = str(e.value)
    assert f"{path.resolve()}:{line}:" in msg and "not finite" in msg, msg


def test_procedural_nan_between_samples_is_exit_2_from_still(tmp_path, capsys):
    path, line = write_scene(tmp_path, PROCEDURAL_NAN_LATER)
    out = tmp_path / "f.png"
    code, err = cli(capsys, "still", path, "--t", "1.5", "-q", "low", "--resolution", "320x180",
                    "-o", out)
    assert_named(code, err, path, line, "not finite")
    assert not out.exists()


# --- §5: a move that starts from a property with no value ------------------------------

def test_animate_to_from_a_property_without_value(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.animate("scene.warmth", to=1.0, over=(0, 2))   # <-
    """)
    assert_named(*cli(capsys, "info", path), path, line, "no value")
    fixed, _ = write_scene(tmp_path, """
        act.set("scene.warmth", 0.0)
        act.animate("scene.warmth", to=1.0, over=(0, 2), ease="linear")
    """, name="fixed.py")
    assert load(fixed).evaluate(1.0).settings.params["warmth"] == pytest.approx(0.5)


# --- §5: nothing runs past its act's end -----------------------------------------------

def test_caption_past_the_act_end(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.caption("Too long.", over=(8, 12.5))   # <-
    """)
    assert_named(*cli(capsys, "info", path), path, line,
                 "caption over (8, 12.5) runs past the end of act 'x' (10 s)")


@pytest.mark.parametrize("call", [
    'act.animate(wall, "material.opacity", 0.0, 1.0, over=(9, 11))',
    'act.keyframes("wall.material.opacity", {0: 0.0, 10.5: 1.0})',
    'act.set("camera.fov", 30, at=12)',
    'act.camera.dolly(by=(1, 0, 0), over=(5, 10.5))',
    'act.caption("Early.", over=(-1, 2))',
])
def test_tracks_outside_their_act(call, tmp_path, capsys):
    path, line = write_scene(tmp_path, call + "   # <-\n")
    assert_named(*cli(capsys, "info", path), path, line, "act 'x'")


# --- §5: one key holds ----------------------------------------------------------------

def test_keyframes_with_one_key_hold_the_value(tmp_path, capsys):
    path, _ = write_scene(tmp_path, """
        act.keyframes("wall.material.opacity", {2.0: 0.25})
    """)
    code, err = cli(capsys, "info", path)
    assert code == 0, err
    film = load(path)
    assert film.evaluate(1.0).nodes["wall"].material.opacity == 1.0
    assert film.evaluate(2.0).nodes["wall"].material.opacity == 0.25
    assert film.evaluate(9.9).nodes["wall"].material.opacity == 0.25


# --- §5: a bad colour names the scene's line, whatever the working directory ----------

def test_bad_colour_names_the_scene_line_not_string(tmp_path, capsys, monkeypatch):
    path, line = write_scene(tmp_path, """
        act.add(MeshNode("ball", geometry=uv_sphere(1.0), material=Material("#12345")))  # <-
    """)
    monkeypatch.chdir(tmp_path)                  # '<string>' resolved here once matched
    code, err = cli(capsys, "info", path.name)
    assert_named(code, err, path, line, "colour '#12345'")
    assert "<string>" not in err


def test_caption_style_and_position_are_checked(tmp_path, capsys):
    path, line = write_scene(tmp_path, """
        act.caption("Hi", over=(0, 2), style="label", position="top-right")   # <-
    """)
    assert_named(*cli(capsys, "info", path), path, line, "top_right")


# --- §2: a scene folder that holds a virtualenv --------------------------------------

def _fake_venv(folder: Path) -> Path:
    """A virtualenv beside the scene whose package refuses a second import in one
    process, as numpy's C core does ('cannot load module more than once per process')."""
    site = folder / "venv" / "lib" / "python3" / "site-packages"
    site.mkdir(parents=True)
    (folder / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "loadonce.py").write_text(textwrap.dedent("""\
        import sys
        if getattr(sys, "_loadonce_loaded", False):
            raise ImportError("cannot load module more than once per process")
        sys._loadonce_loaded = True
        VALUE = 0.5
    """))
    return site


def test_scene_beside_a_virtualenv_loads_twice(tmp_path, monkeypatch):
    site = _fake_venv(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delattr(sys, "_loadonce_loaded", raising=False)
    monkeypatch.delitem(sys.modules, "loadonce", raising=False)
    acts = tmp_path / "acts"
    acts.mkdir()
    (acts / "__init__.py").write_text("")
    (acts / "one.py").write_text("OPACITY = 0.25\n")
    path, _ = write_scene(tmp_path, """
        import loadonce
        from acts import one
        act.set("wall.material.opacity", one.OPACITY * loadonce.VALUE / 0.5)
    """)
    try:
        assert load(path).evaluate(1).nodes["wall"].material.opacity == 0.25
        (acts / "one.py").write_text("OPACITY = 0.75\n")      # an edited act is re-imported
        assert load(path).evaluate(1).nodes["wall"].material.opacity == 0.75
    finally:
        sys.modules.pop("loadonce", None)
        sys.modules.pop("acts", None)
        sys.modules.pop("acts.one", None)


def test_source_hash_covers_the_scene_not_its_virtualenv(tmp_path):
    site = _fake_venv(tmp_path)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("")
    (tmp_path / ".venv" / "other.py").write_text("X = 1\n")
    path, _ = write_scene(tmp_path, "pass\n")
    (tmp_path / "acts").mkdir()
    (tmp_path / "acts" / "a.py").write_text("A = 1\n")
    assert [p.name for p in scene_files(tmp_path)] == ["a.py", "scene.py"]
    before = source_hash(tmp_path)
    (site / "loadonce.py").write_text("VALUE = 2\n")
    (tmp_path / ".venv" / "other.py").write_text("X = 2\n")
    assert source_hash(tmp_path) == before
    (tmp_path / "acts" / "a.py").write_text("A = 2\n")
    assert source_hash(tmp_path) != before


def test_film_api_errors_name_the_calling_line_outside_the_loader():
    film = Film("t")
    act = film.act("a", 4.0)
    line = sys._getframe().f_lineno + 2
    with pytest.raises(ValueError) as e:
        act.caption("x", over=(3, 5))
    assert f"{__file__}:{line}:" in str(e.value)
    assert math.isfinite(film.duration) and np.isfinite(film.evaluate(1.0).camera.fov)


class _Reads(dict):
    """A params dict that records the names read from it."""

    def __init__(self, *a):
        super().__init__(*a)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def test_every_model_declares_the_params_its_derive_reads():
    """The path check takes a node's params as built for the model's declaration: a model
    whose derive read an undeclared name would have that name refused in a scene."""
    from hepaanim.models.catalog import CATALOG
    checked = 0
    for entry in CATALOG:
        if entry.states is None:
            continue
        for node in entry.build().nodes:
            if node.derive is None:
                continue
            params = _Reads(node.params)
            node.derive(node.copy(params=params))
            assert params.read <= set(node.params), (entry.key, params.read - set(node.params))
            checked += 1
    assert checked >= 8


def test_a_film_package_of_the_same_name_from_another_folder_does_not_shadow(tmp_path):
    """Two copies of a film (a reviewer's edited copy, the repo's) loaded in one process:
    each load imports its own folder's package, not the one cached from the other."""
    for k, text in ((0, "ONE"), (1, "TWO")):
        d = tmp_path / f"copy{k}"
        (d / "filmpkg").mkdir(parents=True)
        (d / "filmpkg" / "__init__.py").write_text(f"WORD = {text!r}\n")
        (d / "scene.py").write_text(
            "from filmpkg import WORD\n\ndef build(film):\n    film.act(WORD.lower(), 1.0)\n")
    try:
        assert load(tmp_path / "copy0" / "scene.py").acts[0].name == "one"
        assert load(tmp_path / "copy1" / "scene.py").acts[0].name == "two"
    finally:
        sys.modules.pop("filmpkg", None)
