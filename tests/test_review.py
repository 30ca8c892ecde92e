"""The review pack (hepaanim.script.review): PDF text, manifest, and changes since a round.

Packs are built from synthetic entries and thumbnails (numpy arrays); the PDF's text is
read back with pypdf, so the tests see what a reviewer reads."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from pypdf import PdfReader

from hepaanim.script import ScriptError
from hepaanim.script.manifest import diff, timecode
from hepaanim.script.review import ClaimEntry, Entry, FilmInfo, Pack, write_pack

FPS = 25.0
TEXTS = ["Blood filters past plates of liver cells.",
         "Resident immune cells (Kupffer cells) watch the blood.",
         "Damaged cells swell – about 1.5–2× – and round up…",
         "Cytokines such as TNF-α and IL-1β are released.",
         "Not to scale"]


def frame(k: int, w: int = 160, h: int = 90) -> np.ndarray:
    img = np.zeros((h, w, 4), np.uint8)
    img[..., 2] = 60 + 30 * k
    img[..., 3] = 255
    img[20:60, 10 + 20 * k:40 + 20 * k, :3] = (240, 140, 60)
    return img


def entries(texts=TEXTS, digests=None, shift=0.0, frames=None):
    out = []
    for k, text in enumerate(texts):
        claims = () if k == 4 else (ClaimEntry(f"claim_{k}", f"Statement {k}.", "source",
                                               (k + 1,)),)
        out.append(Entry(f"act{k // 2}.line{k}", 3.0 * k + 0.52 + shift, 3.0 * k + 2.96,
                         text, claims, (frames or {}).get(k, frame(k)),
                         (digests or {}).get(k, f"d{k}"),
                         f"act{k // 2}", "lower_third"))
    return out


def pack(ents, version="abc1234") -> Pack:
    return Pack(FilmInfo("Test film", version, "2026-12-01", 15.0, FPS, "scenes/test.py"),
                ents, [f"Author A. Reference number {k}. J Test. 2020." for k in range(1, 5)],
                unused_claims=[("claim_spare", "A claim no line makes.")],
                unclaimed_lines=[("act2.line4", "Not to scale")])


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_timecodes_are_frames_at_the_films_rate():
    assert timecode(0.0, 25) == "00:00:00:00"
    assert timecode(0.52, 25) == "00:00:00:13"
    assert timecode(3661.96, 25) == "01:01:01:24"
    assert timecode(10.0, 30) == "00:00:10:00"


def test_the_pdf_holds_every_lines_text_timecodes_and_claims(tmp_path):
    out = tmp_path / "film.review.pdf"
    ents = entries()
    manifest = write_pack(pack(ents), out)
    text = pdf_text(out)
    for e in ents:
        assert " ".join(e.text.split()) in text, e.text
        assert timecode(e.start, FPS) in text and timecode(e.end, FPS) in text
        for c in e.claims:
            assert c.id in text and c.statement in text
    assert "00:00:00:13" in text and "00:00:11:24" in text    # 0.52 s and 11.96 s at 25 fps
    for k in range(1, 5):
        assert f"Reference number {k}" in text
    assert "abc1234" in text and "2026-12-01" in text and "25 fps" in text
    assert "claim_spare" in text and "A claim no line makes." in text   # open items
    # the manifest beside it, and a thumbnail per line in the folder beside that
    m = json.loads((tmp_path / "film.review.json").read_text(encoding="utf-8"))
    assert m == manifest
    assert [ln["id"] for ln in m["lines"]] == [e.id for e in ents]
    first = m["lines"][0]
    assert (first["text"], first["claims"], first["in"], first["digest"]) == (
        TEXTS[0], ["claim_0"], "00:00:00:13", "d0")
    for ln in m["lines"]:
        assert (tmp_path / ln["thumbnail"]).is_file()
    assert len(PdfReader(out).pages) >= 4                     # cover, entries, refs, open


def test_since_lists_exactly_the_changed_caption_and_the_changed_shot(tmp_path):
    first = tmp_path / "round1.pdf"
    old = write_pack(pack(entries()), first)
    texts = list(TEXTS)
    texts[1] = "Kupffer cells, the liver's resident immune cells, watch the blood."
    new_entries = entries(texts, digests={3: "d3-camera-moved"}, frames={3: frame(5)})
    second = tmp_path / "round2.pdf"
    new = write_pack(pack(new_entries, "def5678-dirty"), second,
                     since_manifest=tmp_path / "round1.json")

    since = diff(old, new)
    assert [(c.id, c.what) for c in since.lines] == [("act0.line1", ("text",))]
    assert [n["id"] for _, n in since.shots] == ["act1.line3"]
    assert sorted(since.changed_ids) == ["act0.line1", "act1.line3"]
    assert [n["id"] for n in since.unchanged] == ["act0.line0", "act1.line2", "act2.line4"]

    reader = PdfReader(second)
    section = " ".join(reader.pages[1].extract_text().split())     # right after the cover
    assert "Changed since the last round" in section
    assert TEXTS[1] in section and " ".join(texts[1].split()) in section   # old and new
    assert "act1.line3" in section and "Unchanged (3)" in section
    assert "act0.line0" in section and "act2.line4" in section
    # the changed shot shows the previous and the new thumbnail side by side
    images = {im.data for im in reader.pages[1].images}
    assert len(images) == 2


def test_since_reports_timing_and_claim_changes_and_added_lines(tmp_path):
    old = write_pack(pack(entries()), tmp_path / "a.pdf")
    ents = entries(shift=0.2)[:1] + entries()[1:]
    ents[2] = Entry(ents[2].id, ents[2].start, ents[2].end, ents[2].text,
                    (ClaimEntry("claim_9", "Other.", "source", (1,)),), ents[2].thumbnail,
                    ents[2].digest, ents[2].act, ents[2].style)
    ents.append(Entry("act9.new", 14.0, 15.0, "A new line.", (), frame(0), "dn"))
    new = write_pack(pack(ents), tmp_path / "b.pdf")
    got = {c.id: c.what for c in diff(old, new).lines}
    assert got == {"act0.line0": ("timing",), "act1.line2": ("claims",),
                   "act9.new": ("added",)}


def test_a_pack_may_replace_the_one_it_is_compared_with(tmp_path):
    out = tmp_path / "film.review.pdf"
    write_pack(pack(entries()), out)
    new = entries(digests={0: "changed"})
    write_pack(pack(new), out, since_manifest=tmp_path / "film.review.json")
    text = pdf_text(out)
    assert "Shots whose frames changed (1)" in text
    assert "(thumbnail not found)" not in text                # the old one was read first
    thumbs = sorted(p.name for p in (tmp_path / "film.review.thumbs").iterdir())
    manifest = json.loads((tmp_path / "film.review.json").read_text(encoding="utf-8"))
    assert thumbs == sorted({ln["thumbnail"].split("/")[-1] for ln in manifest["lines"]})
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp files


def test_a_bad_previous_manifest_is_one_line(tmp_path):
    (tmp_path / "old.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"old\.json: not a review manifest"):
        write_pack(pack(entries()), tmp_path / "x.pdf", since_manifest=tmp_path / "old.json")
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(ScriptError, match=r"missing\.json: cannot read the previous"):
        write_pack(pack(entries()), tmp_path / "x.pdf",
                   since_manifest=tmp_path / "missing.json")
