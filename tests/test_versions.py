"""Versions from one source (issue 16): languages composited on one 3D pass, aspects with the
camera reframed on each act's subject, alpha video for editors, and the accessibility gate.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from hepaanim.access.gate import GateSettings, check_versions
from hepaanim.access.problems import report
from hepaanim.compose.layout import frame_size
from hepaanim.loader import load
from hepaanim.render.frames import _state
from hepaanim.render.framing import framed
from hepaanim.render.settings import Settings
from hepaanim.scene.reframe import node_box, subject_ndc

from .conftest import ROOT

FILM = ROOT / "scenes" / "hepastem_moa.py"
LANGS = ("en", "fr", "de", "ja")
ASPECTS = ("16:9", "1:1", "9:16")


@pytest.fixture(scope="module")
def film():
    return load(FILM)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hepaanim", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _caption_time(film, style="lower_third"):
    cap = next(c for c in film.timeline.captions if c.style == style)
    return (cap.start + cap.end) / 2


# --- languages: one 3D pass, a compositor per language -------------------------------------
def test_each_language_from_one_pass_equals_its_own_render(film):
    t = _caption_time(film)
    s = Settings(320, 180, 30.0)
    with s.renderer() as r:
        state = film.evaluate(t)
        many = r.render_versions(state, ["en", "fr", "ja"])
        alone = {}
        for lang in ("en", "fr", "ja"):
            r.lang = lang
            alone[lang] = r.render(state)
        shot = r.render_versions(state, [None])[0]
    for lang, got in zip(("en", "fr", "ja"), many):
        assert bytes(got) == bytes(alone[lang]), lang
    assert bytes(many[0]) != bytes(many[1]) != bytes(many[2])   # the words differ
    assert bytes(shot) != bytes(many[0])                          # the shot has no text


def test_render_lang_list_writes_every_version_with_its_subtitles(tmp_path):
    out = tmp_path / "film.mp4"
    r = _cli("render", FILM, "-q", "low", "--resolution", "320x180", "--act", "organ",
             "--from", "4", "--to", "5", "--lang", "en,fr", "--aspect", "16:9,9:16",
             "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    for lang in ("en", "fr"):
        for tag in ("16x9", "9x16"):
            assert f"film.{lang}.{tag}.mp4" in names
            assert f"film.{lang}.{tag}.srt" in names and f"film.{lang}.{tag}.vtt" in names
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i",
                            str(tmp_path / "film.fr.9x16.mp4")], capture_output=True, text=True)
    assert "180x320" in probe.stderr
    en = (tmp_path / "film.en.16x9.srt").read_text()
    fr = (tmp_path / "film.fr.16x9.srt").read_text()
    assert en != fr and en.count("-->") == fr.count("-->")


def test_unknown_language_and_aspect_are_one_line_errors(tmp_path):
    r = _cli("render", FILM, "--lang", "xx", "-o", tmp_path / "a.mp4")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "xx" in r.stderr
    r = _cli("render", FILM, "--aspect", "4:3", "-o", tmp_path / "a.mp4")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "16:9, 1:1, 9:16" in r.stderr
    r = _cli("render", FILM, "--transparent", "-o", tmp_path / "a.mp4")
    assert r.returncode == 2 and "mov or webm" in r.stderr
    assert not list(tmp_path.iterdir())


# --- aspects: the camera reframed on the act's subject ------------------------------------
def test_every_act_declares_a_subject(film):
    missing = [a.name for a in film.acts if a.framing is None]
    assert not missing, f"acts without act.subject(...): {missing}"


@pytest.mark.parametrize("aspect", ["1:1", "9:16"])
def test_the_subject_stays_in_frame_when_reframed(film, aspect):
    w, h = frame_size(aspect, 360)
    checked = 0
    for act in film.acts:
        spec = act.framing
        if not spec["names"] or spec["cameras"].get(aspect):
            continue
        for t in np.linspace(act.start + 0.5, act.end - 0.5, 4):
            state = film.evaluate(float(t))
            names = [n for n in spec["names"] if n in state.nodes]
            if not names:
                continue
            new = framed(film, state, w, h)
            ndc = subject_ndc(new.camera, node_box(state, names), w / h)
            assert np.all(np.abs(ndc) <= 1.0 + 1e-6), (act.name, float(t), ndc)
            checked += 1
    assert checked >= 8


def test_sixteen_nine_is_the_design_untouched(film):
    state = film.evaluate(_caption_time(film))
    assert framed(film, state, 1920, 1080) is state
    assert framed(film, state, 1080, 1920).camera.fov > state.camera.fov


# --- editors: alpha video ------------------------------------------------------------------
CELL_SCENE = '''
from hepaanim import InstancedNode, Instances, Material
import numpy as np

def build(film):
    act = film.act("cell", 1.0)
    act.add(InstancedNode("cell", shape="sphere", material=Material("#14B8A6"),
                          instances=Instances(np.zeros((1, 3)), np.array([[0, 0, 0, 1.0]]),
                                              (10.0, 10.0, 10.0))))
    act.camera.set(position=(0, -80, 0), target=(0, 0, 0), fov=40)
'''


def _decode_rgba(path: Path, w: int, h: int, codec=()) -> np.ndarray:
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", *codec, "-i",
                          str(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 4)


@pytest.mark.parametrize("fmt,codec", [("mov", ()), ("webm", ("-c:v", "libvpx-vp9"))])
def test_transparent_render_keeps_the_alpha_of_the_shot(tmp_path, fmt, codec):
    scene = tmp_path / "cell.py"
    scene.write_text(CELL_SCENE)
    out = tmp_path / f"cell.{fmt}"
    r = _cli("render", scene, "-q", "low", "--resolution", "320x180", "--format", fmt,
             "--transparent", "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    frames = _decode_rgba(out, 320, 180, codec)
    assert len(frames) == 15
    a = frames[7, ..., 3]
    assert a[90, 160] == 255          # the cell's centre
    assert a[5, 5] == 0 and a[170, 310] == 0      # the background
    if fmt == "mov":
        probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(out)],
                               capture_output=True, text=True).stderr
        assert "prores (4444)" in probe and "yuva444p" in probe   # 4444 with alpha


def test_an_opaque_mov_has_full_alpha(tmp_path):
    scene = tmp_path / "cell.py"
    scene.write_text(CELL_SCENE)
    out = tmp_path / "cell.mov"
    r = _cli("render", scene, "-q", "low", "--resolution", "320x180", "--format", "mov",
             "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert (_decode_rgba(out, 320, 180)[..., 3] == 255).all()


# --- the gate ------------------------------------------------------------------------------
GATE = GateSettings(contrast_short=360, flash_short=180, samples=2)
ORGAN = "organ"


@pytest.fixture(scope="module")
def organ_gate(film):
    """Every version of one act: one pass per aspect feeds all four languages, the flash
    meter over every frame at 320x180 (180x320, 180x180) and the film's fps."""
    act = film.find_act(ORGAN)
    return check_versions(film, list(LANGS), list(ASPECTS), GATE, start=act.start,
                          end=act.end)


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_version_is_gated_and_the_act_neither_flashes_nor_loses_contrast(
        film, organ_gate, lang, aspect):
    found = organ_gate[(lang, aspect)]
    text = report(found)
    assert text.splitlines()[-1] == f"problems={len(found)}"
    bad = [p for p in found if p.what in ("flash", "red-flash", "contrast")]
    assert not bad, f"{lang} {aspect}:\n{report(bad)}"


# The acceptance: every version of the whole film passes the gate.  It does not yet
# (the film's reading speeds in fr/de/ja, the 16:9 layout's 4 % inset against EBU R 95's 5 %,
# the 9:16 stacked cards and corner labels past the apps' margins, the prologue title's
# contrast): strict, so the day it passes this marker must go.  Flashes are measured by
# ``hepaanim check`` over every frame; here, the words and their boxes (cheap).
def test_the_whole_film_passes_the_gate_in_every_version(film):
    """Subtitles, contrast and title-safe, 4 languages x 3 aspects (the flash meter's
    frame-by-frame pass over the whole film, about a minute an aspect, runs in
    ``hepaanim check``; the next test runs it over the film's fastest moves)."""
    found = check_versions(film, list(LANGS), list(ASPECTS), GATE, flashes=False)
    assert not any(found.values()), "\n".join(
        f"{k}: {len(v)} " + "; ".join(map(str, v[:3])) for k, v in found.items() if v)


@pytest.mark.parametrize("span", [(23.5, 28.5), (116.0, 121.0)])
def test_the_fast_camera_moves_pass_the_flash_meter(film, span):
    """The dive onto the lobules and the pull-back from them once flew over the lobules'
    rows of cells at a bead a frame (5 and 7 flashes a second over 10 % and 39 % of the
    frame); each now dips to dark over its fastest stretch."""
    found = check_versions(film, ["en"], ["16:9"], GATE, *span)
    assert not found[("en", "16:9")], found


FLASHY = '''
from hepaanim import InstancedNode, Instances, Material
import numpy as np

def build(film):
    act = film.act("flashy", 3.0)
    act.add(InstancedNode("ball", shape="sphere", material=Material("#FFFFFF", emissive=1.0),
                          instances=Instances(np.zeros((1, 3)), np.array([[0, 0, 0, 1.0]]),
                                              (30.0, 30.0, 30.0))))
    act.camera.set(position=(0, -60, 0), target=(0, 0, 0), fov=60)
    act.procedural("ball.material.opacity", lambda t: float(int(t * 10) % 2))
    act.caption("A pale caption that nobody can read on white.", over=(0.2, 2.8))
    act.caption("Two at once.", over=(0.5, 2.5))
'''


def test_the_gate_fails_a_flashing_overlapping_film_with_one_line_each(tmp_path):
    scene = tmp_path / "flashy.py"
    scene.write_text(FLASHY)
    r = _cli("check", scene, "--aspect", "16:9")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1].startswith("problems=") and int(lines[-1].split("=")[1]) == len(lines) - 1
    text = r.stdout
    assert " flash " in text and " overlap " in text
    assert all(ln.startswith("t=") for ln in lines[:-1])


# --- subtitle cues: the guide's lines, long captions split, each language's own timing ----
def test_a_caption_longer_than_two_lines_becomes_two_cues_split_after_a_sentence():
    from hepaanim.access.subtitles import wrap_cue
    from hepaanim.output.subtitles import SPLIT_GAP_S, split_cue
    text = ("Fat builds up inside the liver cells over the years. A damaged cell swells, "
            "rounds up and finally dies, breaking into fragments.")
    assert len(wrap_cue(text)) > 2
    parts = split_cue(10.0, 16.0, text)
    assert [t.replace("\n", " ") for _, _, t in parts] == [
        "Fat builds up inside the liver cells over the years.",
        "A damaged cell swells, rounds up and finally dies, breaking into fragments."]
    assert all(len(t.split("\n")) <= 2 for _, _, t in parts)
    (a0, b0, t0), (a1, b1, t1) = parts
    assert a0 == 10.0 and b1 == 16.0 and abs(a1 - b0 - SPLIT_GAP_S) < 1e-9
    # each part on screen for its share of the characters: read at the same speed
    assert abs(len(t0) / (b0 - a0) - len(t1) / (b1 - a1)) < 0.5
    # too little time to give each part 5/6 s: left whole (the gate reports it)
    assert len(split_cue(0.0, 1.5, text)) == 1
    # two lines or fewer: one cue, laid out in the guide's lines
    assert split_cue(0.0, 3.0, "Blood seeps past plates of liver cells toward the central "
                     "vein.") == [(0.0, 3.0, "Blood seeps past plates of liver cells\n"
                                   "toward the central vein.")]


def test_each_languages_cues_leave_with_its_own_voice(film):
    """A French caption is up until the French voice ends (not cut to the English one);
    a language with no takes keeps the table's whole window."""
    from hepaanim.scene.scene import Caption
    from hepaanim.output.subtitles import caption_cues
    longer = 0
    for lang in ("en", "fr", "ja"):
        for a, b, _, c in caption_cues(film.timeline.captions, lang=lang):
            assert c.start <= a < b <= c.end_in(lang) + 1e-9
    for c in film.timeline.captions:
        if "fr" in c.ends and "en" in c.ends:
            assert c.end == c.ends["en"] and c.end_in("fr") == c.ends["fr"]
            longer += c.ends["fr"] > c.ends["en"] + 0.1
            assert c.window_end >= max(c.ends.values()) - 1e-9
    assert longer >= 5
    bare = Caption("x", 1.0, 2.0, ends={"en": 2.0, "fr": 2.6}, window_end=3.0)
    assert (bare.end_in("en"), bare.end_in("fr"), bare.end_in("pt")) == (2.0, 2.6, 3.0)
    t = next(c for c in film.timeline.captions if "fr" in c.ends and
             c.ends["fr"] > c.ends["en"] + 0.3)
    mid = (t.ends["en"] + t.ends["fr"]) / 2
    state = film.evaluate(mid)
    assert t not in [c for c, _ in state.captions_in("en")]
    assert t in [c for c, _ in state.captions_in("fr")]
