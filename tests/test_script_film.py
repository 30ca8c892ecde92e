"""The script table wired into a film (issue 15): acts place lines by id, words per
language at composite time, `hepaanim check` and `hepaanim review` (PDF text, manifest,
--since), and bad input named by file, row and column.

A two-act film written into tmp_path keeps most tests fast; the real film is checked,
packed once (every line's text, timecode and claim ids found in the PDF) and, in a copy,
edited twice (one caption, one camera) for the --since round."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from hepaanim.loader import SceneError, load
from hepaanim.script.manifest import timecode

ROOT = Path(__file__).resolve().parents[1]
FILM_FILE = ROOT / "scenes" / "hepastem_moa.py"

HEADER = "id,act,in,out,style,position,fade,claims,en,fr\n"
ROWS = [
    "one.hello,one,0.5,3.0,lower_third,bottom,,greeting,Hello: 3 cells.,Bonjour : 3 cellules.",
    "one.tag,one,0.2,3.8,label,top_right,,-,Not to scale,Pas à l’échelle",
    "two.bye,two,0.5,3.5,title,center,0.4,greeting,Goodbye,Au revoir",
]
CLAIMS = ("id,statement,evidence,refs,attribute\n"
          "greeting,A greeting shows 3 cells.,knowledge,R1,no\n")
REFS = [{"id": "R1", "type": "book", "title": "Greetings", "issued": {"date-parts": [[2020]]},
         "author": [{"family": "Doe", "given": "J"}]}]
SCENE = '''
from pathlib import Path

def build(film):
    film.use_script(Path(__file__).parent / "words")
    a = film.act("one", 4.0)
    a.line("one.hello")
    a.line("one.tag")
    b = film.act("two", 4.0)
    b.line("two.bye")
'''


def _tiny(folder: Path, rows=ROWS, claims=CLAIMS, scene=SCENE) -> Path:
    words = folder / "words"
    words.mkdir(parents=True, exist_ok=True)
    (words / "script.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    (words / "claims.csv").write_text(claims, encoding="utf-8")
    (words / "references.json").write_text(json.dumps(REFS), encoding="utf-8")
    (words / "film.toml").write_text('[film]\nname = "Tiny"\ncompany = ["Acme"]\n',
                                     encoding="utf-8")
    path = folder / "tiny.py"
    path.write_text(scene, encoding="utf-8")
    return path


def _cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "hepaanim", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, SOURCE_DATE_EPOCH="1767225600"))


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _flat(text: str) -> str:
    """PDF text with line breaks and hyphenless wraps joined: words compared as words."""
    return re.sub(r"\s+", " ", text)


# --- act.line: the table places the words -------------------------------------------------
def test_act_line_takes_window_style_fade_and_every_language_from_the_table(tmp_path):
    film = load(_tiny(tmp_path))
    caps = {c.line_id: c for c in film.timeline.captions}
    hello, tag, bye = caps["one.hello"], caps["one.tag"], caps["two.bye"]
    assert (hello.text, hello.start, hello.end, hello.style) == ("Hello: 3 cells.", 0.5, 3.0,
                                                                  "lower_third")
    assert (tag.style, tag.position) == ("label", "top_right")
    assert (bye.start, bye.end, bye.fade, bye.style) == (4.5, 7.5, 0.4, "title")
    assert hello.text_in("fr") == "Bonjour : 3 cellules." and hello.text_in("en") == hello.text
    assert film.script.script["two.bye"].text["fr"] == "Au revoir"


def test_an_id_the_table_lacks_names_the_acts_line(tmp_path):
    scene = SCENE.replace('a.line("one.tag")', 'a.line("one.tag")\n    a.line("one.nope")')
    path = _tiny(tmp_path, scene=scene)
    with pytest.raises(SceneError) as e:
        load(path)
    assert f"{path}:9: line id 'one.nope' is not in" in str(e.value)


def test_a_line_no_act_places_names_the_table_row_and_the_act(tmp_path):
    path = _tiny(tmp_path, scene=SCENE.replace('    b.line("two.bye")\n', ""))
    with pytest.raises(SceneError) as e:
        load(path)
    msg = str(e.value)
    assert f"{tmp_path / 'words' / 'script.csv'}:4: two.bye: no act places this line" in msg
    assert "act 'two'" in msg


def test_a_line_placed_by_another_act_is_refused(tmp_path):
    scene = SCENE.replace('b.line("two.bye")', 'b.line("one.hello")')
    with pytest.raises(SceneError, match="belongs to act 'one'"):
        load(_tiny(tmp_path, scene=scene))


# --- languages at composite time ------------------------------------------------------------
def test_compositor_and_subtitles_draw_the_language_asked(tmp_path):
    from hepaanim.compose import overlay_items
    from hepaanim.output.subtitles import cues
    film = load(_tiny(tmp_path))
    state = film.evaluate(2.0)
    en = {k[0]: k[1] for k, *_ in overlay_items(state, 640, 360)}
    fr = {k[0]: k[1] for k, *_ in overlay_items(state, 640, 360, "fr")}
    assert en == {"lower_third": "Hello: 3 cells.", "corner_label": "Not to scale"}
    assert fr == {"lower_third": "Bonjour : 3 cellules.", "corner_label": "Pas à l’échelle"}
    assert [c[2] for c in cues(film.timeline.captions, lang="fr")] == ["Bonjour : 3 cellules.",
                                                                      "Au revoir"]
    with pytest.raises(ValueError, match="line 'one.hello' has no 'de' text"):
        overlay_items(state, 640, 360, "de")


# --- hepaanim check ---------------------------------------------------------------------------
def test_check_passes_on_the_film():
    r = _cli("check", FILM_FILE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "problems=0"


def test_check_fails_on_a_line_whose_claim_is_missing(tmp_path):
    rows = [ROWS[0].replace(",greeting,", ",greeting_gone,"), *ROWS[1:]]
    r = _cli("check", _tiny(tmp_path, rows=rows))
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == "problems=1"
    assert lines[0] == (f"{tmp_path / 'words' / 'script.csv'}:2: one.hello: unknown claim "
                        "'greeting_gone'")


@pytest.mark.parametrize("file, edit, where", [
    ("script.csv", lambda s: s.replace("0.5,3.0", "0.5,soon"), "script.csv:2:out:"),
    ("script.csv", lambda s: s.replace(",lower_third,", ",ticker,"), "script.csv:2:style:"),
    ("claims.csv", lambda s: s.replace(",knowledge,", ",hearsay,"), "claims.csv:2:evidence:"),
])
def test_a_malformed_table_is_one_line_naming_file_row_and_column(tmp_path, file, edit, where):
    path = _tiny(tmp_path)
    f = tmp_path / "words" / file
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    for cmd in ("check", "review"):
        r = _cli(cmd, path, *(["-o", tmp_path / "x.review.pdf"] if cmd == "review" else []))
        assert r.returncode == 2, r.stdout + r.stderr
        err = r.stderr.strip().splitlines()
        assert len(err) == 1 and where in err[0] and str(f.parent) in err[0], err
    assert not (tmp_path / "x.review.pdf").exists()


def test_review_refuses_a_missing_previous_manifest(tmp_path):
    r = _cli("review", _tiny(tmp_path), "-o", tmp_path / "p.review.pdf", "--since",
             tmp_path / "none.json")
    assert r.returncode == 2 and "no such manifest" in r.stderr


# --- hepaanim review ---------------------------------------------------------------------------
def test_review_of_a_translation_marks_it_as_a_draft(tmp_path):
    out = tmp_path / "fr.review.pdf"
    r = _cli("review", _tiny(tmp_path), "-o", out, "--lang", "fr")
    assert r.returncode == 0, r.stderr
    text = _flat(_pdf_text(out))
    assert "Bonjour : 3 cellules." in text and "Au revoir" in text
    assert text.count("draft translation, for review") >= 3      # cover + each line
    assert json.loads(out.with_suffix(".json").read_text())["film"]["lang"] == "fr"


@pytest.fixture(scope="module")
def film_copy(tmp_path_factory):
    """The real film copied out of the repository (edited by the --since test), and the
    first round's pack of it."""
    root = tmp_path_factory.mktemp("film")
    shutil.copy(FILM_FILE, root / FILM_FILE.name)
    shutil.copytree(ROOT / "scenes" / "hepastem", root / "hepastem",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pack = root / "round1" / "film.review.pdf"
    r = _cli("review", root / FILM_FILE.name, "-o", pack)
    assert r.returncode == 0, r.stderr
    return root, pack


def test_pack_shows_every_lines_text_timecodes_and_claims(film_copy):
    root, pack = film_copy
    film = load(root / FILM_FILE.name)
    text = _flat(_pdf_text(pack))
    starts = {a.name: a.start for a in film.acts}
    manifest = json.loads(pack.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(manifest["lines"]) == len(film.script.script)
    assert "Version unknown" in text                      # a copy outside git
    for ln in film.script.script:
        t0 = starts[ln.act]
        assert _flat(ln.text["en"]) in text, ln.id
        assert f"{timecode(t0 + ln.start, film.fps)} {timecode(t0 + ln.end, film.fps)}" in text
        for c in ln.claims:
            assert c in text, (ln.id, c)
        entry = next(e for e in manifest["lines"] if e["id"] == ln.id)
        assert entry["claims"] == list(ln.claims) and len(entry["digest"]) == 32
        assert (pack.parent / entry["thumbnail"]).is_file()


def _act_of_one_line_tail(script, acts):
    """(act, line, t): an act, one of its lines (not a card's) and an act time from which
    on that line alone is on screen until it ends: a camera change there reaches that
    line's frames and no other line's."""
    for act in acts:
        lines = [ln for ln in script if ln.act == act]
        for ln in lines:
            if ln.card is not None or ln.style == "description":
                continue
            t = max([ln.start] + [x.end for x in lines if x is not ln])
            if t + 0.5 < ln.end:
                return act, ln, t + 0.2
    raise AssertionError("no act with a line alone on screen at its end")


def test_since_lists_exactly_the_edited_caption_and_the_recut_shot(film_copy):
    root, pack = film_copy
    film = load(root / FILM_FILE.name)
    script = film.script.script
    act_names = [a.name for a in film.acts]
    # one caption reworded (in the table: an act has no words of its own) ...
    worded = next(ln for ln in script if ln.style == "lower_third")
    table = root / "hepastem" / "script.csv"
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8"))))
    col = rows[0].index("en")
    for r in rows:
        if r[0] == worded.id:
            r[col] = r[col].rstrip(".") + ", reworded."
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    table.write_text(buf.getvalue(), encoding="utf-8")
    # ... and one act's camera changed from a time where only one of its lines shows
    act, moved, t = _act_of_one_line_tail(script, [a for a in act_names if a != worded.act])
    module = next((root / "hepastem" / "acts").glob(f"*_{act}.py"))
    with open(module, "a", encoding="utf-8") as f:
        f.write(f"\n\n_build = build\n\n\ndef build(act):\n    _build(act)\n"
                f"    act.set('camera.fov', 70.0, at={t:.3f})\n")

    pack2 = root / "round2" / "film.review.pdf"
    r = _cli("review", root / FILM_FILE.name, "-o", pack2, "--since", pack.with_suffix(".json"))
    assert r.returncode == 0, r.stderr
    text = _pdf_text(pack2)
    changed = text[text.index("Changed since the last round"):text.index("Unchanged (")]
    ids = {ln.id for ln in script}
    named = {i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w.])", changed)}
    assert named == {worded.id, moved.id}, (named, worded.id, moved.id)
    flat = _flat(changed)
    assert _flat(worded.text["en"]) in flat
    assert _flat(worded.text["en"].rstrip(".") + ", reworded.") in flat
    assert "1 line(s) with changed words, claims or timing; 2 shot(s)" in flat


# --- cards ---------------------------------------------------------------------------------------
def test_cards_draw_their_words_and_figures_from_the_table(tmp_path, monkeypatch):
    """Editing a figure in the table changes the card's words and its chart, in each
    language; the English card of the real table is unchanged (goldens: test_cards)."""
    sys.path.insert(0, str(ROOT / "scenes"))
    from hepaanim.compose import cards as toolkit
    from hepastem import cards
    before, _ = cards.nafld.__wrapped__(854, 480)
    data = tmp_path / "hepastem"
    shutil.copytree(cards.FOLDER, data, ignore=shutil.ignore_patterns("*.py", "__pycache__",
                                                                      "acts", "voice"))
    table = data / "script.csv"
    rows = [r.replace("30–40%", "30–45%", 1) if r.startswith("nafld.value,") else r
            for r in table.read_text(encoding="utf-8").split("\n")]
    table.write_text("\n".join(rows), encoding="utf-8")
    monkeypatch.setattr(cards, "FOLDER", data)
    after, _ = cards.nafld.__wrapped__(854, 480)
    said = " ".join(s for s, _, _ in toolkit.TEXT_CONTRAST[("nafld", 854, 480)])
    assert "30–45%" in said and not np.array_equal(before, after)
    fr, _ = cards.nafld.__wrapped__(854, 480, "fr")
    said_fr = " ".join(s for s, _, _ in toolkit.TEXT_CONTRAST[("nafld", 854, 480, "fr")])
    assert "adultes" in said_fr and not np.array_equal(fr, after)
