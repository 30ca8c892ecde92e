"""The script table, the claims ledger and the checker (hepaanim.script).

A small synthetic film is written to tmp_path for each test; the HepaStem film's own data
(scenes/hepastem) is checked for shape: it loads, and every id it uses resolves."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hepaanim.script import (ScriptError, caption_args, card_texts, check,
                             format_references, load_claims, load_film_data, load_references,
                             load_script, numbers, placement_problems, report,
                             unclaimed_lines, unused_claims)

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """\
id,act,in,out,style,position,fade,claims,en,fr
intro.title,intro,0.0,3.0,title,center,0.5,-,A Film\\nAbout Cells,Un film\\nsur les cellules
intro.cap,intro,3.5,6.0,lower_third,bottom,,fact_a,"Cells divide, about 40% of them each day.",
stat,main,1.0,4.0,card,right,,fact_b,Over 70000 cases a year (Acme estimate),
stat.value,main,1.0,4.0,card_value,right,,fact_b,"> 70,000",
stat.source,main,1.0,4.0,card_source,right,,-,Acme 2020 report,
main.scale,main,0.0,5.0,label,top_right,,-,Not to scale,
"""
CLAIMS = """\
id,statement,evidence,refs,attribute
fact_a,About 40% of the cells divide each day.,source,R1,no
fact_b,Acme estimates more than 70000 cases a year.,company,R2,yes
"""
REFS = [{"id": "R1", "type": "article-journal", "title": "Cells that divide",
         "author": [{"family": "Doe", "given": "J."}], "container-title": "J Cells",
         "issued": {"date-parts": [[2020]]}, "volume": "3", "page": "10-20"},
        {"id": "R2", "type": "webpage", "title": "Acme pipeline",
         "author": [{"literal": "Acme"}], "URL": "https://example.org/acme"}]
SETTINGS = '[film]\nname = "Test film"\ncompany = ["Acme"]\n'


def film(tmp_path, script=SCRIPT, claims=CLAIMS, refs=REFS, settings=SETTINGS) -> Path:
    d = tmp_path / "film"
    d.mkdir(exist_ok=True)
    (d / "script.csv").write_text(script, encoding="utf-8")
    (d / "claims.csv").write_text(claims, encoding="utf-8")
    (d / "references.json").write_text(json.dumps(refs), encoding="utf-8")
    (d / "film.toml").write_text(settings, encoding="utf-8")
    return d


def replace_row(script: str, line_id: str, new: str) -> str:
    return "\n".join(new if r.startswith(line_id + ",") else r
                     for r in script.split("\n"))


# ---------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------
def test_rows_load_as_typed_lines(tmp_path):
    s = load_script(film(tmp_path) / "script.csv")
    assert [ln.id for ln in s] == ["intro.title", "intro.cap", "stat", "stat.value",
                                   "stat.source", "main.scale"]
    t = s["intro.title"]
    assert (t.act, t.start, t.end, t.style, t.position, t.fade) == ("intro", 0.0, 3.0,
                                                                     "title", "center", 0.5)
    assert t.text == {"en": "A Film\nAbout Cells", "fr": "Un film\nsur les cellules"}
    assert t.claims == () and not t.states_fact and t.row == 2
    c = s["intro.cap"]
    assert c.claims == ("fact_a",) and c.fade is None and "fr" not in c.text
    assert c.text["en"] == "Cells divide, about 40% of them each day."
    assert s.languages == ("en", "fr")
    assert s["stat.value"].card == "stat" and s["intro.cap"].card is None
    assert [ln.id for ln in s.for_act("main")] == ["stat", "stat.value", "stat.source",
                                                   "main.scale"]
    with pytest.raises(AttributeError):
        t.text_en = "x"                                  # frozen


@pytest.mark.parametrize("edit, where", [
    (lambda s: replace_row(s, "intro.cap", 'intro.cap,intro,3.5x,6.0,lower_third,bottom,,'
                           'fact_a,"Cells.",'), ":3:in: '3.5x' is not a number of seconds"),
    (lambda s: replace_row(s, "intro.cap", "intro.cap,intro,6.0,3.5,lower_third,bottom,,"
                           "fact_a,Cells.,"), ":3:out: 3.5 s is not after in (6 s)"),
    (lambda s: replace_row(s, "intro.cap", "intro.cap,intro,3.5,6.0,lower_thrid,bottom,,"
                           "fact_a,Cells.,"), ":3:style: 'lower_thrid' is not one of"),
    (lambda s: replace_row(s, "intro.cap", "intro.cap,intro,3.5,6.0,lower_third,bottom,,"
                           ",Cells.,"), ":3:claims: empty"),
    (lambda s: replace_row(s, "intro.cap", "intro.cap,intro,3.5,6.0,lower_third,bottom,,"
                           "fact_a,Cells, divide.,"), ":3: 11 cells, the header has 10"),
    (lambda s: replace_row(s, "intro.cap", "intro.title,intro,3.5,6.0,lower_third,bottom,,"
                           "fact_a,Cells.,"), ":3:id: 'intro.title' already on row 2"),
    (lambda s: replace_row(s, "intro.cap", "intro.cap,intro,3.5,6.0,lower_third,bottom,,"
                           "fact_a,,"), ":3:en: empty text"),
    (lambda s: s.replace(",fr\n", ",colour\n", 1), ":1:colour: unknown column"),
    (lambda s: s.replace("style,", "", 1), ":1:style: missing column"),
])
def test_a_malformed_table_names_file_row_and_column(tmp_path, edit, where):
    path = film(tmp_path, script=edit(SCRIPT)) / "script.csv"
    with pytest.raises(ScriptError) as e:
        load_script(path)
    msg = str(e.value)
    assert msg.startswith(str(path) + ":") and where in msg and "\n" not in msg


def test_a_line_break_inside_a_cell_is_refused(tmp_path):
    bad = SCRIPT.replace('"Cells divide, about', '"Cells divide,\nabout')
    with pytest.raises(ScriptError, match=r":3:en: line break inside a cell"):
        load_script(film(tmp_path, script=bad) / "script.csv")


def test_malformed_claims_and_references_name_the_place(tmp_path):
    d = film(tmp_path, claims=CLAIMS.replace(",company,", ",rumour,"))
    with pytest.raises(ScriptError, match=r"claims\.csv:3:evidence: 'rumour' is not one of"):
        load_claims(d / "claims.csv")
    d = film(tmp_path, claims=CLAIMS.replace(",yes\n", ",maybe\n"))
    with pytest.raises(ScriptError, match=r"claims\.csv:3:attribute: 'maybe'"):
        load_claims(d / "claims.csv")
    (d / "references.json").write_text('[\n {"id": "R1",\n  "type": }\n]', encoding="utf-8")
    with pytest.raises(ScriptError, match=r"references\.json:3:\d+: Expecting value"):
        load_references(d / "references.json")


# ---------------------------------------------------------------------------------------
# the checker
# ---------------------------------------------------------------------------------------
def test_a_clean_film_has_no_problems(tmp_path):
    data = load_film_data(film(tmp_path))
    assert check(data) == []
    assert report(check(data)) == "problems=0"
    assert unused_claims(data) == []
    assert unclaimed_lines(data) == ["intro.title", "stat.source", "main.scale"]


def test_numbers_compare_figures_not_spelling():
    assert numbers("> 70,000 a year") == {"70000"} == numbers("more than 70000")
    assert numbers("30–40% of 100 adults; 2.70 ratio") == {"30", "40", "100", "2.7"}
    assert numbers("no figure here") == set()


@pytest.mark.parametrize("edit, subject, what", [
    # a line stating a fact that carries no claim: it says '-' but shows a figure
    (lambda f: f.update(script=replace_row(SCRIPT, "intro.cap", 'intro.cap,intro,3.5,6.0,'
                        'lower_third,bottom,,-,"Cells divide, about 40% of them each day.",')),
     "script.csv:3: intro.cap", "shows the figure(s) 40 but is marked '-'"),
    (lambda f: f.update(script=SCRIPT.replace(",fact_a,", ",fact_z,")),
     "script.csv:3: intro.cap", "unknown claim 'fact_z'"),
    (lambda f: f.update(script=SCRIPT.replace('"> 70,000"', '"> 80,000"')),
     "script.csv:5: stat.value", "figure(s) 80000 not in the statement of fact_b"),
    (lambda f: f.update(script=SCRIPT.replace("(Acme estimate)", "(company estimate)")),
     "script.csv:4: stat", "states the company claim fact_b without naming the company"),
    (lambda f: f.update(claims=CLAIMS.replace(",source,R1,", ",source,,")),
     "claims.csv:2: fact_a", "the claim cites no reference"),
    (lambda f: f.update(claims=CLAIMS.replace(",company,R2,", ",company,R9,")),
     "claims.csv:3: fact_b", "unknown reference 'R9'"),
])
def test_each_kind_of_problem_is_one_line(tmp_path, edit, subject, what):
    files = {}
    edit(files)
    data = load_film_data(film(tmp_path, **files))
    problems = [str(p) for p in check(data)]
    assert len(problems) == 1, problems
    assert subject in problems[0] and what in problems[0]
    assert report(check(data)).endswith("\nproblems=1")


def test_a_card_part_is_attributed_by_its_card_but_the_card_line_is_not(tmp_path):
    # stat.value names no company, but a line of its card does: the panel reads as one.
    src = SCRIPT.replace("Acme 2020 report", "2020 report")
    assert check(load_film_data(film(tmp_path, script=src))) == []
    # with no line of the card naming Acme, both the card line and its value fail
    src = src.replace("(Acme estimate)", "(estimate)")
    problems = [str(p) for p in check(load_film_data(film(tmp_path, script=src)))]
    assert len(problems) == 2
    assert "stat: states the company claim" in problems[0]
    assert "stat.value: states the company claim" in problems[1]
    # the card line (its text alternative, the subtitles) must name it itself
    src = SCRIPT.replace("(Acme estimate)", "(estimate)")
    problems = [str(p) for p in check(load_film_data(film(tmp_path, script=src)))]
    assert len(problems) == 1 and "stat: states the company claim" in problems[0]


def test_references_are_formatted_in_ama_in_citation_order(tmp_path):
    data = load_film_data(film(tmp_path))
    refs = format_references(data.references, ["R2", "R1"], "american-medical-association")
    assert refs[0].startswith("Acme. Acme pipeline.") and "https://example.org/acme" in refs[0]
    assert refs[1].startswith("Doe J. Cells that divide. J Cells. 2020;3:10-20")
    with pytest.raises(ScriptError, match="citation style 'no-such-style'"):
        format_references(data.references, ["R1"], "no-such-style")


# ---------------------------------------------------------------------------------------
# acts place lines by id
# ---------------------------------------------------------------------------------------
def test_an_act_gets_a_lines_caption_arguments_and_a_card_its_parts(tmp_path):
    s = load_script(film(tmp_path) / "script.csv")
    assert caption_args(s["intro.title"]) == {"text": "A Film\nAbout Cells", "over": (0.0, 3.0),
                                              "style": "title", "position": "center",
                                              "fade": 0.5}
    assert caption_args(s["intro.title"], "fr")["text"] == "Un film\nsur les cellules"
    assert caption_args(s["intro.cap"], "fr")["text"].startswith("Cells divide")  # fallback
    assert "fade" not in caption_args(s["intro.cap"])
    assert card_texts(s, "stat") == {"": "Over 70000 cases a year (Acme estimate)",
                                     "value": "> 70,000", "source": "Acme 2020 report"}


def test_placements_must_match_the_table_naming_both_places(tmp_path):
    s = load_script(film(tmp_path) / "script.csv")
    ok = {"intro.title": ("intro", "acts/intro.py:5"), "intro.cap": ("intro", "acts/intro.py:6"),
          "stat": ("main", "acts/main.py:9"), "main.scale": ("main", "acts/main.py:10")}
    assert placement_problems(s, ok) == []                    # the card brings its parts
    bad = dict(ok)
    del bad["intro.cap"]
    bad["intro.typo"] = ("intro", "acts/intro.py:7")
    bad["main.scale"] = ("intro", "acts/intro.py:8")
    got = placement_problems(s, bad, {"intro": "acts/intro.py"})
    assert sorted(got) == sorted([
        f"acts/intro.py:7: line id 'intro.typo' is not in {s.path}",
        f"acts/intro.py:8: line 'main.scale' placed by act 'intro', but {s.path}:7 gives "
        "it to act 'main'",
        f"{s.path}:3: intro.cap: no act places this line; act 'intro' (acts/intro.py) should"])


# ---------------------------------------------------------------------------------------
# the film's own data
# ---------------------------------------------------------------------------------------
def test_the_films_data_loads_and_every_id_resolves():
    data = load_film_data(ROOT / "scenes" / "hepastem")
    assert len(data.script) >= 90 and data.settings.company
    for ln in data.script:
        assert all(c in data.claims for c in ln.claims), ln.id
    for c in data.claims.values():
        assert all(r in data.references for r in c.refs), c.id
    assert {f"S{k}" for k in range(1, 21)} <= set(data.references)
    assert unused_claims(data) == []
    # every problem left is about attribution or a missing reference, none about figures
    for p in check(data):
        assert "company" in p.what or "cites no reference" in p.what, str(p)
