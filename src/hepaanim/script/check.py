"""The checker: does every on-screen statement rest on a claim, and every claim on a source?

How a line says it states no fact: its ``claims`` cell is ``-`` (a title word, a scale
label, a card's source line).  Such a line may not show a figure unless its style is a
scale or source style (``card_axis``, ``card_source``): a number on screen is a statement.

Problems found (each one line, ``file:row: <id>: <what>``):
  * a line cites a claim id the ledger lacks;
  * a line shows a figure that is not in the statement of any claim it cites (figures are
    compared as numbers: ``70,000`` = ``70000``, ``30–40%`` gives 30 and 40);
  * a line resting on a claim with ``attribute = yes`` does not name the company (one of
    the film settings' ``company`` names); a card's part (style ``card_*``) counts as
    naming it when any line of the same card does, since the panel is read as one; the
    card's own line (style ``card``, its text alternative, what subtitles show) must
    name it itself;
  * a claim cites no reference, or a reference id the references lack;
  * a line marked ``-`` shows a figure (outside scale and source styles).
Translations (each language column beyond ``en``; ``translation_problems``):
  * a line translated in one language but not in another language the table declares;
  * a translation whose figures differ from the English ones (read as numbers with the
    language's own symbols through Babel: German "2,7 %" = English "2.7%", French
    "70 000" = "70,000", Japanese "7万" = 70000; order may differ, the count may not);
  * a line resting on a claim that says the product is investigational (its statement
    says "investigational") missing in any declared language: a version without it would
    present an unapproved therapy as established;
  * a translation that drops the company name where the English names it (a Japanese
    ``Acme社`` counts as naming it).
Claims no line rests on are reported by ``unused_claims`` (the review pack lists them); they
are not an error, since a ledger may hold claims for lines still to come.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .l10n import figures, names_any
from .ledger import FilmData

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FIGURE_FREE_STYLES = ("card_axis", "card_source")


@dataclass(frozen=True)
class Problem:
    where: str                         # file:row
    subject: str                       # a line id or a claim id
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.subject}: {self.what}"


def numbers(text: str) -> set[str]:
    """The figures in a text, normalised: thousands separators dropped, '.5' kept."""
    out = set()
    for m in _NUMBER.finditer(text):
        s = m.group(0)
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")
        elif "," in s:                             # a list such as "1,2": each number
            out.update(p for p in s.split(",") if p)
            continue
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        out.add(s)
    return out


def names_company(text: str, names) -> bool:
    low = text.casefold()
    return any(re.search(rf"\b{re.escape(n.casefold())}\b", low) for n in names)


def check(data: FilmData) -> list[Problem]:
    """Every problem in a film's script, claims and references (module docstring)."""
    script, claims, refs = data.script, data.claims, data.references
    company = data.settings.company
    problems: list[Problem] = []
    card_names: dict[str, bool] = {}
    for ln in script:
        if ln.card is not None and names_company(ln.text["en"], company):
            card_names[ln.card] = True         # any line of the card names the company
    for ln in script:
        text = ln.text["en"]
        figures = numbers(text)
        if not ln.claims:
            if figures and ln.style not in FIGURE_FREE_STYLES:
                problems.append(Problem(ln.where(), ln.id, f"shows the figure(s) "
                                        f"{', '.join(sorted(figures))} but is marked '-' "
                                        "(states no fact): cite the claim"))
            continue
        known = [claims[c] for c in ln.claims if c in claims]
        for c in ln.claims:
            if c not in claims:
                problems.append(Problem(ln.where(), ln.id, f"unknown claim {c!r}"))
        if known and ln.style not in FIGURE_FREE_STYLES:
            stated = set().union(*(numbers(c.statement) for c in known))
            missing = sorted(figures - stated)
            if missing:
                problems.append(Problem(ln.where(), ln.id, f"figure(s) {', '.join(missing)} "
                                        f"not in the statement of {' '.join(ln.claims)}"))
        must = [c.id for c in known if c.attribute]
        part = ln.style.startswith("card_")      # a panel's part; the card line is its
        if must and not (names_company(text, company)     # text alternative (subtitles)
                         or (part and card_names.get(ln.card))):
            who = " or ".join(company) or "(no company named in the film settings)"
            problems.append(Problem(ln.where(), ln.id, f"states the company claim "
                                    f"{' '.join(must)} without naming the company ({who})"))
    for c in claims.values():
        if not c.refs:
            problems.append(Problem(c.where(), c.id, "the claim cites no reference"))
        for r in c.refs:
            if r not in refs:
                problems.append(Problem(c.where(), c.id, f"unknown reference {r!r}"))
    return problems + translation_problems(data)


def _figure_list(values) -> str:
    return ", ".join(f"{v:f}" for v in sorted(values)) or "none"


def translation_problems(data: FilmData) -> list[Problem]:
    """Problems in a film's translations (module docstring), one per line and language."""
    from collections import Counter
    script, company = data.script, data.settings.company
    targets = [lang for lang in script.languages if lang != "en"]
    must = {c.id for c in data.claims.values() if "investigational" in c.statement.casefold()}
    problems: list[Problem] = []
    for ln in script:
        have = [lang for lang in targets if lang in ln.text]
        missing = [lang for lang in targets if lang not in ln.text]
        if missing and (have or must.intersection(ln.claims)):
            why = (f"translated in {', '.join(have)} but" if have else
                   f"rests on the investigational claim {' '.join(sorted(must & set(ln.claims)))},"
                   " must be shown in every language, and is")
            problems.append(Problem(ln.where(), ln.id, f"{why} missing in {', '.join(missing)}"))
        en_figs = Counter(figures(ln.text["en"], "en"))
        en_names = names_company(ln.text["en"], company)
        for lang in have:
            text = ln.text[lang]
            figs = Counter(figures(text, lang))
            if figs != en_figs:
                problems.append(Problem(ln.where(), ln.id, f"{lang}: figures "
                                        f"{_figure_list(figs.elements())} differ from the English "
                                        f"{_figure_list(en_figs.elements())}"))
            if en_names and not names_any(text, company):
                problems.append(Problem(ln.where(), ln.id, f"{lang}: does not name the company "
                                        f"({' or '.join(company)}) where the English does"))
    return problems


def unused_claims(data: FilmData) -> list[str]:
    """Claim ids in the ledger that no line rests on, in ledger order."""
    used = {c for ln in data.script for c in ln.claims}
    return [c for c in data.claims if c not in used]


def unclaimed_lines(data: FilmData) -> list[str]:
    """Line ids marked as stating no fact (``-``), in table order."""
    return [ln.id for ln in data.script if not ln.claims]


def report(problems: list[Problem]) -> str:
    """The checker's output: one line a problem, then ``problems=N``."""
    return "".join(f"{p}\n" for p in problems) + f"problems={len(problems)}"
