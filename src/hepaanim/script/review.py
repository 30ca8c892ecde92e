"""The review pack: a PDF for medical, legal and regulatory (MLR) reviewers, and its manifest.

Reviewers approve every statement on screen against its reference, round after round.  The
pack gives them, on A4 (printed or on screen): a cover (film, version, date, duration,
frame rate); with a previous manifest, what changed since the last round (so they re-check
only what moved); one entry per script line in time order (timecodes in and out, a small
thumbnail of the frame at the line's midpoint, the exact on-screen text, each claim with
its statement and numbered references); the reference list; and the open items (claims
no line makes, lines marked as stating no fact, the checker's problems).

Nothing here renders or reads a film: the caller passes the thumbnails (numpy RGBA/RGB
arrays or PNG bytes) and the frame digests.  ``entries_from`` builds the entries from a
film's data (hepaanim.script.ledger.FilmData) and the act start times.

Fonts live in one place, ``FONTS``: Lato (shipped in assets/fonts) for Latin text and a
system DejaVu Sans, where present, as the fallback for Greek letters (TNF-α, IL-1β); a
Japanese pack needs a CJK font added there.  fpdf2 embeds the subsets used.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .manifest import VERSION, Since, diff, read_manifest, timecode

ASSETS = Path(__file__).resolve().parents[3] / "assets" / "fonts"
# family name -> {style: candidate paths, first found is used}; "" regular, "B" bold.
FONTS = {
    "lato": {"": [ASSETS / "Lato-Regular.ttf"], "B": [ASSETS / "Lato-Bold.ttf"]},
    "dejavu": {"": [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")],
               "B": [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")]},
}
MAIN_FONT = "lato"
FALLBACK_FONTS = ("dejavu",)

DRAFT = "draft translation, for review"      # beside every text not in English
THUMB_WIDTH = 240                      # stored thumbnail size (pixels); printed 38 mm wide
INK = (24, 33, 47)
MUTED = (96, 110, 128)
ACCENT = (20, 184, 166)                # the film's teal, for rules only
HEAD_FILL = (232, 238, 244)
ZEBRA = (247, 249, 251)
ADDED = (220, 245, 236)
REMOVED = (252, 228, 224)


@dataclass(frozen=True)
class FilmInfo:
    name: str
    version: str                       # e.g. "9c28a35" or "9c28a35-dirty"
    date: str                          # ISO date of the pack
    duration: float                    # seconds
    fps: float
    scene: str = ""
    lang: str = "en"                   # the language of the on-screen text in the pack


@dataclass(frozen=True)
class ClaimEntry:
    id: str
    statement: str
    evidence: str
    refs: tuple[int, ...]              # reference numbers in the pack's list


@dataclass(frozen=True)
class Entry:
    id: str
    start: float                       # film seconds
    end: float
    text: str
    claims: tuple[ClaimEntry, ...]
    thumbnail: object = None           # numpy RGBA/RGB uint8 array, PNG bytes, or None
    digest: str = ""                   # content digest of the frames the line is shown over
    act: str = ""
    style: str = ""


@dataclass
class Pack:
    film: FilmInfo
    entries: list[Entry]
    references: list[str]              # formatted, numbered 1..N in this order
    unused_claims: list[tuple[str, str]] = field(default_factory=list)   # (id, statement)
    unclaimed_lines: list[tuple[str, str]] = field(default_factory=list)  # (id, text)
    problems: list[str] = field(default_factory=list)                    # checker lines


# ----------------------------------------------------------------------------------------
# entries from a film's data
# ----------------------------------------------------------------------------------------
def entries_from(data, act_starts: dict, thumbnails: dict | None = None,
                 digests: dict | None = None, lang: str = "en"):
    """(entries in time order, formatted references numbered in order of first citation).

    ``act_starts``: act name -> its start on the film's time line (seconds);
    ``thumbnails`` / ``digests``: line id -> image / frame digest (computed by the caller)."""
    from .ledger import format_references
    thumbnails, digests = thumbnails or {}, digests or {}
    lines = sorted(data.script, key=lambda ln: (act_starts[ln.act] + ln.start, ln.row))
    order: list[str] = []
    for ln in lines:
        for c in ln.claims:
            if c in data.claims:
                order.extend(r for r in data.claims[c].refs if r in data.references)
    order = list(dict.fromkeys(order))
    number = {r: k + 1 for k, r in enumerate(order)}
    entries = []
    for ln in lines:
        cl = tuple(ClaimEntry(c, data.claims[c].statement, data.claims[c].evidence,
                              tuple(number[r] for r in data.claims[c].refs if r in number))
                   if c in data.claims else ClaimEntry(c, "(unknown claim)", "", ())
                   for c in ln.claims)
        t0 = act_starts[ln.act]
        entries.append(Entry(ln.id, t0 + ln.start, t0 + ln.end, ln.text.get(lang, ln.text["en"]),
                             cl, thumbnails.get(ln.id), digests.get(ln.id, ""), ln.act,
                             ln.style))
    refs = format_references(data.references, order, data.settings.citation_style,
                             data.settings.folder)
    return entries, refs


# ----------------------------------------------------------------------------------------
# thumbnails
# ----------------------------------------------------------------------------------------
def thumbnail_png(image) -> bytes | None:
    """A small opaque PNG of ``image`` (array or PNG bytes), THUMB_WIDTH wide."""
    from PIL import Image
    if image is None:
        return None
    if isinstance(image, (bytes, bytearray)):
        im = Image.open(io.BytesIO(image))
    else:
        a = np.asarray(image)
        if a.dtype != np.uint8:
            a = np.clip(a * (255 if a.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
        im = Image.fromarray(a)
    if im.mode != "RGB":
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("RGB")
    if im.width > THUMB_WIDTH:
        im = im.resize((THUMB_WIDTH, max(1, round(im.height * THUMB_WIDTH / im.width))),
                       Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=False)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------
# the PDF
# ----------------------------------------------------------------------------------------
def _font_file(family: str, style: str) -> Path | None:
    for p in FONTS[family][style]:
        if Path(p).exists():
            return Path(p)
    return None


def _pdf(film: FilmInfo):
    from fpdf import FPDF

    class _Doc(FPDF):
        def header(self):
            if self.page_no() == 1:
                return
            self.set_font(MAIN_FONT, "", 7.5)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"{film.name}  ·  version {film.version}  ·  {film.date}",
                      new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(*ACCENT)
            self.set_line_width(0.3)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            _rules(self)
            self.ln(3)

        def footer(self):
            self.set_y(-12)
            self.set_font(MAIN_FONT, "", 7.5)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"MLR review pack  ·  page {self.page_no()}/{{nb}}", align="R")

    pdf = _Doc(format="A4", unit="mm")
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"{film.name}: review pack")
    pdf.set_creator("hepaanim")
    try:                                             # the pack's date, not the clock
        from datetime import datetime, timezone
        pdf.set_creation_date(datetime.fromisoformat(film.date).replace(tzinfo=timezone.utc))
    except (TypeError, ValueError):
        pass
    for family in (MAIN_FONT, *FALLBACK_FONTS):
        for style in ("", "B"):
            f = _font_file(family, style)
            if f is None:
                if family == MAIN_FONT:
                    raise FileNotFoundError(f"font {FONTS[family][style][0]} is missing: "
                                            "the fonts ship in assets/fonts")
                continue
            pdf.add_font(family, style, str(f))
    fallbacks = [f for f in FALLBACK_FONTS if _font_file(f, "") is not None]
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return pdf


def _rules(pdf):
    pdf.set_draw_color(200, 208, 218)
    pdf.set_line_width(0.2)


def _h1(pdf, text: str):
    pdf.set_font(MAIN_FONT, "B", 15)
    pdf.set_text_color(*INK)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _body(pdf, text: str, size=9.5, color=INK, style=""):
    pdf.set_font(MAIN_FONT, style, size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _fmt_duration(s: float) -> str:
    m, sec = divmod(s, 60)
    return f"{int(m)} min {sec:04.1f} s"


def _cover(pdf, pack: Pack, since: Since | None):
    film = pack.film
    pdf.add_page()
    pdf.set_y(48)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 30, pdf.get_y())
    _rules(pdf)
    pdf.ln(6)
    pdf.set_font(MAIN_FONT, "", 11)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 6, "Medical, legal and regulatory review pack", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(MAIN_FONT, "B", 24)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 11, film.name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    n_claims = len({c.id for e in pack.entries for c in e.claims})
    rows = [("Version", film.version), ("Date", film.date),
            ("Duration", f"{_fmt_duration(film.duration)}  ({timecode(film.duration, film.fps)})"),
            ("Frame rate", f"{film.fps:g} fps; timecodes HH:MM:SS:FF"),
            ("On-screen lines", str(len(pack.entries))),
            ("Claims cited", str(n_claims)), ("References", str(len(pack.references))),
            ("Checker", "no problems" if not pack.problems
             else f"{len(pack.problems)} problem(s): see Open items")]
    if film.scene:
        rows.insert(0, ("Scene", film.scene))
    if film.lang != "en":
        rows.insert(1, ("Language", f"{film.lang}: {DRAFT}"))
    if since is not None:
        pf = since.previous.get("film", {})
        rows.append(("Compared with", f"version {pf.get('version', '?')} of "
                     f"{pf.get('date', '?')}: {len(since.changed_ids)} line(s) changed, "
                     f"{len(since.unchanged)} unchanged"))
    with pdf.table(col_widths=(40, 140), first_row_as_headings=False, borders_layout="NONE",
                   text_align="LEFT", line_height=6.2, padding=(0.6, 1)) as t:
        for k, v in rows:
            r = t.row()
            pdf.set_font(MAIN_FONT, "", 10)
            r.cell(k, style=_face(bold=False, color=MUTED, size=10))
            r.cell(v, style=_face(bold=True, color=INK, size=10))
    pdf.ln(10)
    _body(pdf, "How to read this pack: each entry is one line of on-screen text (captions, "
          "labels, the parts of each data card, the end card), in time order, with the "
          "frame at its midpoint, the exact words, and the claims it rests on with their "
          "reference numbers (the list follows the entries). A line marked \"no factual "
          "claim\" states none (a title, a scale label, a source line). "
          + ("The first section lists what changed since the previous round."
             if since is not None else ""), size=9.5, color=MUTED)


def _face(bold=False, color=INK, size=8.5, fill=None):
    from fpdf.fonts import FontFace
    from fpdf.enums import TextEmphasis
    return FontFace(family=MAIN_FONT, emphasis=TextEmphasis.B if bold else TextEmphasis.NONE,
                    size_pt=size, color=color, fill_color=fill)


def _image(png: bytes | None):
    if png is None:
        return None
    return io.BytesIO(png)


def _md(s: str) -> str:
    """Text made inert for fpdf2's markdown (which reads ** __ -- as emphasis)."""
    for m in ("**", "__", "--", "~~"):
        s = s.replace(m, m[0] + "\u200b" + m[1])
    return s


def _claims_text(e: Entry) -> str:
    """The claims cell (fpdf2 markdown): each claim's id in bold, its evidence type and
    reference numbers, then the statement."""
    if not e.claims:
        return "No factual claim (marked -)"
    parts = []
    for c in e.claims:
        refs = ", ".join(str(n) for n in c.refs) or "none"
        parts.append(f"**{_md(c.id)}**  ·  {c.evidence}  ·  ref. {refs}\n{_md(c.statement)}")
    return "\n\n".join(parts)


def _entries(pdf, pack: Pack, thumbs: dict):
    pdf.add_page()
    _h1(pdf, "Script lines in time order")
    fps = pack.film.fps
    head = _face(bold=True, size=8, fill=HEAD_FILL)
    _rules(pdf)
    with pdf.table(col_widths=(30, 20, 32, 46, 52), text_align="LEFT", line_height=3.7,
                   headings_style=head, padding=1.4, v_align="TOP",
                   borders_layout="HORIZONTAL_LINES", markdown=True) as t:
        r = t.row()
        for h in ("# / line", "In / out", "Frame at midpoint", "On-screen text", "Claims"):
            r.cell(h)
        for k, e in enumerate(pack.entries, 1):
            r = t.row()
            meta = " · ".join(x for x in (e.style, e.act) if x)
            r.cell(f"**{k}**  {_md(e.id)}\n{_md(meta)}", style=_face(size=7.5, color=MUTED))
            r.cell(f"{timecode(e.start, fps)}\n{timecode(e.end, fps)}", style=_face(size=7.5))
            png = thumbs.get(e.id)
            if png is not None:
                r.cell(img=_image(png), img_fill_width=True)
            else:
                r.cell("(no thumbnail)", style=_face(size=7.5, color=MUTED))
            draft = f"\n\n({DRAFT})" if pack.film.lang != "en" else ""
            r.cell(_md(e.text) + draft, style=_face(bold=True, size=9))
            r.cell(_claims_text(e), style=_face(size=7.5))


def _references(pdf, pack: Pack):
    pdf.add_page()
    _h1(pdf, "References")
    if not pack.references:
        _body(pdf, "No references cited.", color=MUTED)
        return
    with pdf.table(col_widths=(9, 171), first_row_as_headings=False,
                   borders_layout="NONE", text_align="LEFT", line_height=4.3,
                   padding=(1.0, 1.0)) as t:
        for k, ref in enumerate(pack.references, 1):
            r = t.row()
            r.cell(f"{k}.", style=_face(bold=True, size=8.5))
            r.cell(ref, style=_face(size=8.5))


def _open_items(pdf, pack: Pack):
    pdf.add_page()
    _h1(pdf, "Open items")
    for title, items, empty in (
            ("Claims in the ledger that no line makes", pack.unused_claims,
             "None: every claim in the ledger is made by a line."),
            ("Lines with no claim (marked as stating no fact)", pack.unclaimed_lines,
             "None.")):
        pdf.set_font(MAIN_FONT, "B", 11)
        pdf.set_text_color(*INK)
        pdf.cell(0, 7, f"{title} ({len(items)})", new_x="LMARGIN", new_y="NEXT")
        if not items:
            _body(pdf, empty, color=MUTED)
        else:
            with pdf.table(col_widths=(55, 125), text_align="LEFT", line_height=4.0,
                           first_row_as_headings=False, borders_layout="HORIZONTAL_LINES",
                           padding=1.0) as t:
                for a, b in items:
                    r = t.row()
                    r.cell(a, style=_face(bold=True, size=8))
                    r.cell(b, style=_face(size=8))
        pdf.ln(5)
    pdf.set_font(MAIN_FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, f"Checker problems ({len(pack.problems)})", new_x="LMARGIN", new_y="NEXT")
    if not pack.problems:
        _body(pdf, "None.", color=MUTED)
    for p in pack.problems:
        _body(pdf, p, size=8)


def _since(pdf, since: Since, fps: float, thumbs: dict, old_thumbs: dict):
    pdf.add_page()
    pf = since.previous.get("film", {})
    _h1(pdf, "Changed since the last round")
    _body(pdf, f"Compared with version {pf.get('version', '?')} of {pf.get('date', '?')}: "
          f"{len(since.lines)} line(s) with changed words, claims or timing; "
          f"{len(since.shots)} shot(s) whose frames changed; {len(since.unchanged)} "
          "unchanged.", color=MUTED)
    pdf.ln(3)
    head = _face(bold=True, size=8, fill=HEAD_FILL)

    def tc(d):
        return f"{timecode(d['start'], fps)}–{timecode(d['end'], fps)}" if d else ""

    pdf.set_font(MAIN_FONT, "B", 11)
    pdf.cell(0, 7, f"Lines whose words, claims or timing changed ({len(since.lines)})",
             new_x="LMARGIN", new_y="NEXT")
    if since.lines:
        with pdf.table(col_widths=(36, 24, 60, 60), text_align="LEFT", line_height=3.9,
                       headings_style=head, padding=1.2, v_align="TOP",
                       borders_layout="HORIZONTAL_LINES") as t:
            r = t.row()
            for h in ("Line", "Changed", "Previous round", "This round"):
                r.cell(h)
            for c in since.lines:
                r = t.row()
                r.cell(c.id, style=_face(bold=True, size=8))
                r.cell(", ".join(c.what), style=_face(size=8))
                for d, fill in ((c.old, REMOVED), (c.new, ADDED)):
                    if d is None:
                        r.cell("—", style=_face(size=8, color=MUTED))
                    else:
                        r.cell(f"{d.get('text', '')}\n\n{tc(d)}\nclaims: "
                               f"{' '.join(d.get('claims', [])) or '-'}",
                               style=_face(size=8, fill=fill))
    else:
        _body(pdf, "None.", color=MUTED)
    pdf.ln(4)
    pdf.set_font(MAIN_FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, f"Shots whose frames changed ({len(since.shots)})", new_x="LMARGIN",
             new_y="NEXT")
    if since.shots:
        with pdf.table(col_widths=(40, 26, 57, 57), text_align="LEFT", line_height=3.9,
                       headings_style=head, padding=1.2, v_align="TOP",
                       borders_layout="HORIZONTAL_LINES") as t:
            r = t.row()
            for h in ("Line", "In / out", "Previous round", "This round"):
                r.cell(h)
            for o, n in since.shots:
                r = t.row()
                r.cell(n["id"], style=_face(bold=True, size=8))
                r.cell(f"{timecode(n['start'], fps)}\n{timecode(n['end'], fps)}",
                       style=_face(size=8))
                for png in (old_thumbs.get(o["id"]), thumbs.get(n["id"])):
                    if png is None:
                        r.cell("(thumbnail not found)", style=_face(size=7.5, color=MUTED))
                    else:
                        r.cell(img=_image(png), img_fill_width=True)
    else:
        _body(pdf, "None.", color=MUTED)
    pdf.ln(4)
    pdf.set_font(MAIN_FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 7, f"Unchanged ({len(since.unchanged)})", new_x="LMARGIN", new_y="NEXT")
    if since.unchanged:                              # three to a row: id and time in
        cols = 3
        with pdf.table(col_widths=(39, 21) * cols, text_align="LEFT", line_height=3.6,
                       first_row_as_headings=False, borders_layout="NONE",
                       padding=(0.3, 1.0)) as t:
            for k in range(0, len(since.unchanged), cols):
                r = t.row()
                for n in since.unchanged[k:k + cols]:
                    r.cell(n["id"], style=_face(size=7.5))
                    r.cell(timecode(n["start"], fps), style=_face(size=7.5, color=MUTED))
                for _ in range(cols - len(since.unchanged[k:k + cols])):
                    r.cell("")
                    r.cell("")
    else:
        _body(pdf, "None.", color=MUTED)


# ----------------------------------------------------------------------------------------
# writing the pack
# ----------------------------------------------------------------------------------------
def manifest_of(pack: Pack, thumb_paths: dict) -> dict:
    return {"manifest": VERSION, "film": asdict(pack.film),
            "lines": [{"id": e.id, "act": e.act, "style": e.style, "start": round(e.start, 6),
                       "end": round(e.end, 6), "in": timecode(e.start, pack.film.fps),
                       "out": timecode(e.end, pack.film.fps), "text": e.text,
                       "claims": [c.id for c in e.claims], "digest": e.digest,
                       "thumbnail": thumb_paths.get(e.id)} for e in pack.entries]}


def _atomic_write(path: Path, data: bytes):
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_pack(pack: Pack, pdf_path, since_manifest=None) -> dict:
    """Write the PDF, its manifest (``<pdf stem>.json``) and thumbnails
    (``<pdf stem>.thumbs/``); with ``since_manifest`` (a previous manifest's path) the PDF
    starts with what changed.  Returns the manifest.  Files are written whole (temporary
    name, then renamed); the previous round's data is read before anything is written, so
    a pack may replace the one it is compared with."""
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    stem = pdf_path.name[:-4] if pdf_path.name.lower().endswith(".pdf") else pdf_path.name
    json_path = pdf_path.with_name(stem + ".json")
    thumb_dir = pdf_path.with_name(stem + ".thumbs")

    thumbs = {e.id: thumbnail_png(e.thumbnail) for e in pack.entries}
    thumbs = {k: v for k, v in thumbs.items() if v is not None}
    names = {k: hashlib.sha1(v).hexdigest()[:20] + ".png" for k, v in thumbs.items()}
    thumb_paths = {k: f"{thumb_dir.name}/{n}" for k, n in names.items()}
    manifest = manifest_of(pack, thumb_paths)

    since, old_thumbs = None, {}
    if since_manifest is not None:
        prev = read_manifest(since_manifest)
        prev_dir = Path(since_manifest).parent
        since = diff(prev, manifest, str(prev_dir))
        for o, _ in since.shots:
            rel = o.get("thumbnail")
            if rel and (prev_dir / rel).is_file():
                old_thumbs[o["id"]] = (prev_dir / rel).read_bytes()

    pdf = _pdf(pack.film)
    _cover(pdf, pack, since)
    if since is not None:
        _since(pdf, since, pack.film.fps, thumbs, old_thumbs)
    _entries(pdf, pack, thumbs)
    _references(pdf, pack)
    _open_items(pdf, pack)
    data = bytes(pdf.output())

    thumb_dir.mkdir(exist_ok=True)
    for k, n in names.items():
        p = thumb_dir / n
        if not p.exists():
            _atomic_write(p, thumbs[k])
    _atomic_write(pdf_path, data)
    _atomic_write(json_path, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
                  .encode("utf-8"))
    keep = set(names.values())
    for p in thumb_dir.glob("*.png"):                # drop pictures no line shows any more
        if p.name not in keep:
            p.unlink(missing_ok=True)
    return manifest
