"""The README's code runs as written, its command lines are ones the CLI accepts, and its
model table names every public name of ``hepaanim.models`` with each of its parameters.

Why: the README is a new user's first contact; its scene example once used an undefined
variable, and the model library was found only through ``dir(hepaanim.models)``.  Nothing
here renders: scenes are loaded and evaluated, command lines only parsed.
"""
from __future__ import annotations

import inspect
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from hepaanim import models
from hepaanim.cli import build_parser
from hepaanim.loader import load

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[tuple[int, str]]:
    """(line number, code) of every fenced block in that language ('' = unlabelled)."""
    return [(TEXT.count("\n", 0, m.start()) + 1, m.group(2)) for m in FENCE.finditer(TEXT)
            if m.group(1) == lang]


PYTHON = blocks("python")


def test_readme_has_python_blocks():
    assert len(PYTHON) >= 2, "the README's scene examples were not found"


def _finite(state) -> bool:
    """Every number a frame state carries (nodes, camera, settings) is finite."""
    vals = [state.camera.position, state.camera.target, state.camera.fov]
    for n in state.nodes.values():
        vals += [n.material.color, n.material.opacity, n.transform.position]
        if getattr(n, "instances", None) is not None:
            vals += [n.instances.position]
    return all(np.isfinite(np.asarray(v, dtype=np.float64)).all() for v in vals)


@pytest.mark.parametrize("line,code", PYTHON, ids=[f"README.md:{n}" for n, _ in PYTHON])
def test_python_block_runs(tmp_path, line, code):
    """A block defining ``build(film)`` is a scene: loaded as a file, evaluated across its
    span; any other block is executed as it stands."""
    if re.search(r"^def build\(", code, re.M):
        scene = tmp_path / f"readme_{line}.py"
        scene.write_text(code, encoding="utf-8")
        film = load(scene)
        assert film.duration > 0
        for t in np.linspace(0.0, film.duration, 7)[:-1]:
            state = film.evaluate(float(t))
            assert state.nodes, f"README.md:{line}: nothing on screen at t={t:.2f}"
            assert _finite(state), f"README.md:{line}: a value is not finite at t={t:.2f}"
    else:
        exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "readme"})


# --- command lines -------------------------------------------------------------------------

def _commands() -> list[tuple[int, str]]:
    """Every ``hepaanim ...`` line of the README's shell blocks, continuation lines (indented
    ``[...]``) joined on, comments dropped."""
    out = []
    for lang in ("", "bash", "sh"):
        for start, code in blocks(lang):
            for k, raw in enumerate(code.splitlines()):
                text = re.split(r"\s#\s", raw, maxsplit=1)[0].rstrip()
                if re.match(r"^\s+\[", text) and out and out[-1][1].startswith("hepaanim"):
                    out[-1] = (out[-1][0], out[-1][1] + " " + text.strip())
                    continue
                for part in re.split(r"&&|;", text):
                    part = part.strip()
                    if part.startswith("hepaanim "):
                        out.append((start + 1 + k, part))
    return out


COMMANDS = _commands()


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.choices and "render" in a.choices)
    return parser, action.choices


def test_readme_names_every_subcommand():
    _, subs = _subparsers()
    named = {c.split()[1] for _, c in COMMANDS}
    assert set(subs) <= named, f"not in the README's command lines: {set(subs) - named}"


@pytest.mark.parametrize("line,command", COMMANDS, ids=[f"README.md:{n}" for n, _ in COMMANDS])
def test_command_line_is_accepted(line, command):
    """Each flag is one the subcommand has, each ``a|b|c`` list after a flag holds choices
    it accepts; a concrete command (no placeholders) parses as a whole."""
    parser, subs = _subparsers()
    words = command.split()
    sub = words[1]
    assert sub in subs, f"README.md:{line}: unknown subcommand {sub!r}"
    options = subs[sub]._option_string_actions
    tokens = re.findall(r"--?[a-z][a-z0-9-]*|[\w.]+(?:\|[\w.]+)+", command[len("hepaanim"):])
    flag = None
    for tok in tokens:
        if tok.startswith("-"):
            assert tok in options, f"README.md:{line}: `hepaanim {sub}` has no flag {tok}"
            flag = options[tok]
        elif flag is not None and flag.choices is not None:
            for choice in tok.split("|"):
                assert choice in flag.choices, \
                    f"README.md:{line}: {flag.option_strings[-1]} does not accept {choice!r}"
    concrete = not re.search(r"[\[\]|]|\b[A-Z][A-Z_]*\b|\.\.\.", command)
    if concrete:
        parser.parse_args(shlex.split(command)[1:])      # exits 2 on a bad command line


def test_command_line_check_catches_a_bad_flag():
    """The check above is not vacuous: a made-up flag or choice is refused."""
    _, subs = _subparsers()
    assert "--no-such-flag" not in subs["render"]._option_string_actions
    assert "ultra" not in subs["render"]._option_string_actions["-q"].choices


# --- the model table -----------------------------------------------------------------------

COMMON = {"name", "seed", "transform", "position"}


def _table_rows() -> dict[str, str]:
    section = TEXT.split("## Model library", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `(\w+)` \|(.*)$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_model_table_lists_every_public_name_and_parameter():
    rows = _table_rows()
    missing = [n for n in models.__all__ if n not in rows]
    assert not missing, f"README's Model library has no row for: {', '.join(missing)}"
    for name in models.__all__:
        params = [p for p in inspect.signature(getattr(models, name)).parameters
                  if p not in COMMON]
        absent = [p for p in params if not re.search(rf"`{p}[`=]", rows[name])]
        assert not absent, f"README row `{name}` does not mention: {', '.join(absent)}"


def test_model_table_lists_every_state_the_gallery_shows():
    from hepaanim.models.catalog import CATALOG
    rows = _table_rows()
    for entry in CATALOG:
        if entry.states:
            param = entry.states[0]
            assert f"`{param}`" in rows[entry.function.__name__], (entry.key, param)


def test_readme_images_exist():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", TEXT):
        assert (README.parent / path).is_file(), path
    assert "docs/gallery.png" in TEXT
