"""The whole film (scenes/hepastem_moa.py): structure, captions, subtitles, per-act renders.

Generic over what the acts contain: it checks what any version of the film must satisfy.
The film goldens are a separate test, `test_film_goldens`, so they can be generated and
reviewed on their own once the acts settle:

    python -m pytest tests/test_film.py::test_film_goldens            # compare (or: missing)
    python -m pytest tests/test_film.py::test_film_goldens --update-goldens
"""
import json
import re

import numpy as np
import pytest

from hepaanim.compose.captions import PANEL, PANEL_ALPHA, TEXT, lower_third
from hepaanim.loader import load
from hepaanim.output import subtitles
from hepaanim.render.frames import make_renderer
from hepaanim.scene.color import contrast_ratio, srgb_to_linear

from .conftest import GOLDEN_SIZE, ROOT

SCENE = "scenes/hepastem_moa.py"
N_ACTS = 9                         # the prologue (issue 18), then storyboard rows 1-8
MAX_CPS = 17.0                     # reading speed: characters per second
READ_STYLES = ("lower_third", "title", "card")
GOLDEN_FRACTIONS = (0.35, 0.75)    # instants through each act


@pytest.fixture(scope="module")
def film():
    return load(ROOT / SCENE)


@pytest.fixture(scope="module")
def renderer():
    r = make_renderer(320, 180)
    yield r
    r.close()


def _captions(film, styles=None):
    caps = sorted(film.timeline.captions, key=lambda c: c.start)
    return [c for c in caps if styles is None or c.style in styles]


def _where(film, c) -> str:
    acts = [a.name for a in film.acts if a.start <= c.start < a.end]
    return f"{c.style} {c.text!r} ({c.start:.2f}–{c.end:.2f} s, act {acts[0] if acts else '?'})"


# --- structure ----------------------------------------------------------------------------
def test_acts_are_named_contiguous_and_the_film_runs_120_to_135_s(film):
    names = [a.name for a in film.acts]
    assert len(names) == N_ACTS, names
    assert all(isinstance(n, str) and n.strip() for n in names)
    assert len(set(names)) == len(names)
    assert film.acts[0].start == 0.0
    for a, b in zip(film.acts, film.acts[1:]):
        assert b.start == pytest.approx(a.end, abs=1e-9), f"gap or overlap: {a.name} → {b.name}"
        assert a.duration > 0
    assert 120.0 <= film.duration <= 135.0, film.duration
    assert film.acts[0].name == "prologue" and film.acts[1].name == "organ"


def test_info_json_lists_the_nine_acts(film, hepaanim_cmd):
    r = hepaanim_cmd("info", SCENE, "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert [a["name"] for a in info["acts"]] == [a.name for a in film.acts]
    assert len(info["acts"]) == N_ACTS
    assert info["duration"] == pytest.approx(film.duration)
    for a, b in zip(info["acts"], film.acts):
        assert (a["start"], a["end"]) == (pytest.approx(b.start), pytest.approx(b.end))


# --- captions -----------------------------------------------------------------------------
def test_captions_lie_within_the_film(film):
    caps = _captions(film)
    assert caps, "the film has no captions"
    bad = [_where(film, c) for c in caps
           if not (0.0 <= c.start < c.end <= film.duration + 1e-9) or not c.text.strip()]
    assert not bad, f"captions outside the film (0–{film.duration:g} s) or empty: {bad}"


def test_lower_thirds_never_overlap(film):
    lows = _captions(film, ("lower_third",))
    clashes = [(_where(film, a), _where(film, b)) for a, b in zip(lows, lows[1:])
               if b.start < a.end - 1e-9]
    assert not clashes, f"lower thirds on screen together: {clashes}"


def test_reading_speed(film):
    fast = [f"{_where(film, c)}: {len(c.text) / (c.end - c.start):.1f} chars/s"
            for c in _captions(film, READ_STYLES)
            if len(c.text) / (c.end - c.start) > MAX_CPS]
    assert not fast, f"faster than {MAX_CPS:g} chars/s: {fast}"


def test_film_says_investigational(film):
    assert any("investigational" in c.text.lower() for c in _captions(film, READ_STYLES))


def _luminance(rgb01: np.ndarray) -> np.ndarray:
    return srgb_to_linear(rgb01) @ np.array([0.2126, 0.7152, 0.0722])


def test_lower_third_contrast_over_the_shot(film, renderer):
    """At each lower third's midpoint: the panel over the rendered shot, worst pixel, vs the
    caption text, ≥ 4.5:1 (the caption itself is left out of that frame)."""
    w, h = renderer.settings.width, renderer.settings.height
    panel, text = np.array(PANEL) / 255.0, np.array(TEXT) / 255.0
    low = []
    for cap in _captions(film, ("lower_third",)):
        t = (cap.start + cap.end) / 2
        state = film.evaluate(t)
        state.captions = [(c, a) for c, a in state.captions if c is not cap]
        frame = renderer.render_array(state)[..., :3] / 255.0
        img, (x, y) = lower_third(cap.text, w, h)
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(w, x + img.shape[1]), min(h, y + img.shape[0])
        under = frame[y0:y1, x0:x1].reshape(-1, 3)
        assert len(under), f"{_where(film, cap)}: caption panel outside the frame"
        seen = panel * PANEL_ALPHA + under * (1 - PANEL_ALPHA)
        worst = seen[int(np.argmax(_luminance(seen)))]
        r = contrast_ratio(text, worst)
        if r < 4.5:
            low.append(f"{_where(film, cap)} at t={t:.2f}: {r:.2f}:1 "
                       f"(brightest under the panel {np.round(worst * 255)})")
    assert not low, "caption text below 4.5:1: " + "; ".join(low)


# --- subtitles ----------------------------------------------------------------------------
_STAMP = {"srt": re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d)"),
          "vtt": re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)")}


def _ms(stamp: str, kind: str) -> int:
    m = _STAMP[kind].fullmatch(stamp)
    assert m, f"bad {kind} timestamp {stamp!r}"
    hh, mm, ss, ms = map(int, m.groups())
    return ((hh * 60 + mm) * 60 + ss) * 1000 + ms


def _parse(text: str, kind: str) -> list[tuple[int, int, str]]:
    if kind == "vtt":
        assert text.startswith("WEBVTT\n\n"), text[:20]
        text = text[len("WEBVTT\n\n"):]
    out = []
    for i, block in enumerate((b for b in text.split("\n\n") if b.strip()), 1):
        lines = block.strip("\n").split("\n")
        if kind == "srt":
            assert lines[0] == str(i), f"cue {i} numbered {lines[0]!r}"
            lines = lines[1:]
        a, arrow, b = lines[0].split(" ")
        assert arrow == "-->", lines[0]
        out.append((_ms(a, kind), _ms(b, kind), "\n".join(lines[1:])))
    return out


def _cue_text(c) -> str:
    return subtitles.title_sentence(c.text) if c.style == "title" else " ".join(c.text.split())


def test_subtitles_match_the_captions(film, tmp_path):
    """Captions and the title in the subtitle files; the cards' text in their own track."""
    expected = [(round(c.start * 1000), round(c.end * 1000), _cue_text(c))
                for c in _captions(film, subtitles.SUBTITLED_STYLES)]
    cards = [(round(c.start * 1000), round(c.end * 1000), " ".join(c.text.split()))
             for c in _captions(film, subtitles.CARD_STYLES)]
    assert expected and cards
    cue_list = subtitles.cues(film.timeline.captions)
    assert len(cue_list) > len(expected)          # the longest captions were split in two
    assert _merged(_parse(subtitles.srt(cue_list), "srt"), expected) == expected
    assert _merged(_parse(subtitles.vtt(cue_list), "vtt"), expected) == expected
    written = subtitles.write(tmp_path / "film.mp4", film.timeline.captions)
    assert sorted(p.name for p in written) == ["film.cards.vtt", "film.srt", "film.vtt"]
    for path in written:
        got = _parse(path.read_text(encoding="utf-8"), path.suffix[1:])
        if path.name.endswith(".cards.vtt"):
            assert got == cards, path.name
        else:
            assert max(len(t.split("\n")) for _, _, t in got) == 2, path.name
            assert _merged(got, expected) == expected, path.name


def _merged(got, captions):
    """The cues read back as the captions they came from: a caption split into cues is
    one again (its cues lie inside its window, in order), lines joined by spaces."""
    out, i = [], 0
    for a0, b0, _ in captions:
        parts = []
        while i < len(got) and got[i][0] >= a0 and got[i][1] <= b0:
            parts.append(got[i])
            i += 1
        if parts:
            out.append((parts[0][0], parts[-1][1],
                        " ".join(t.replace("\n", " ") for _, _, t in parts)))
    assert i == len(got), got[i:]
    return out


def test_no_two_cues_overlap_in_any_subtitle_file(film, tmp_path):
    """Issue 18: cards written as cues on top of the captions made players stack them.
    Every language the script table has, every file the writer writes."""
    langs = film.script.script.languages
    assert len(langs) >= 2, langs
    for lang in langs:
        for path in subtitles.write(tmp_path / f"film_{lang}.mp4", film.timeline.captions,
                                    lang=lang):
            cue_list = _parse(path.read_text(encoding="utf-8"), path.suffix[1:])
            assert cue_list, path.name
            bad = [(a, b) for a, b in zip(cue_list, cue_list[1:]) if b[0] < a[1]]
            assert not bad, f"{path.name}: overlapping cues {bad}"


def test_title_cue_reads_as_a_sentence(film):
    first = subtitles.cues(film.timeline.captions)[0]
    assert first[0] == 0.0
    assert first[2].replace("\n", " ") == \
        "HepaStem: how an investigational cell therapy may work"
    fr = subtitles.cues(film.timeline.captions, lang="fr")[0][2]
    assert fr.startswith("HepaStem\u00a0: une "), fr


# --- every act renders on its own ---------------------------------------------------------
@pytest.mark.parametrize("index", range(N_ACTS))
def test_act_renders_alone(film, index, hepaanim_cmd, tmp_path, monkeypatch):
    assert index < len(film.acts), f"the film has {len(film.acts)} acts, not {N_ACTS}"
    name = film.acts[index].name
    monkeypatch.setenv("HEPAANIM_CACHE_DIR", str(tmp_path / "cache"))   # render, don't reuse
    out = tmp_path / f"{name}.mp4"
    r = hepaanim_cmd("render", SCENE, "--act", name, "--resolution", "160x90", "--fps", "2",
                     "--quiet", "-o", out)
    assert r.returncode == 0, f"act {name}: {r.stderr.strip()}"
    assert out.is_file() and out.stat().st_size > 0


# --- goldens (generated and reviewed by hand once the acts settle) ------------------------
@pytest.fixture(scope="module")
def golden_renderer():
    r = make_renderer(*GOLDEN_SIZE)
    yield r
    r.close()


@pytest.mark.parametrize("frac", GOLDEN_FRACTIONS)
@pytest.mark.parametrize("index", range(N_ACTS))
def test_film_goldens(film, golden_renderer, golden, index, frac):
    """tests/goldens/film_<act>_<pct>pct.png: each act at 35 % and 75 % of its length."""
    assert index < len(film.acts), f"the film has {len(film.acts)} acts, not {N_ACTS}"
    act = film.acts[index]
    t = act.start + frac * act.duration
    golden(f"film_{act.name}_{round(frac * 100):02d}pct",
           golden_renderer.render_array(film.evaluate(t)))
