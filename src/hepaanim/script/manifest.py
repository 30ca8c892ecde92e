"""The review pack's JSON manifest, and what changed between two rounds of review.

A manifest records, for each script line, what a reviewer approved: its text, claims,
time window (film seconds and timecodes) and a digest of the frames it is shown over
(computed by the caller: any change in those frames changes it), plus the path of its
thumbnail, stored beside the manifest (``<pack>.thumbs/<sha1>.png``) so that the next
round can show the previous picture next to the new one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .table import ScriptError

VERSION = 1


def timecode(seconds: float, fps: float) -> str:
    """HH:MM:SS:FF at the film's frame rate (frame = round(t × fps), non-drop-frame)."""
    base = max(1, round(fps))
    frame = max(0, round(seconds * fps))
    ff = frame % base
    s = frame // base
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{ff:02d}"


@dataclass(frozen=True)
class LineChange:
    """A line whose words, claims or timing changed (or that is new or gone)."""
    id: str
    what: tuple[str, ...]              # "text", "claims", "timing", "added", "removed"
    old: dict | None
    new: dict | None


@dataclass(frozen=True)
class Since:
    """The difference between the previous round's manifest and this one."""
    previous: dict                     # the previous manifest (its "film" says which round)
    previous_dir: str                  # where its thumbnails are
    lines: list[LineChange] = field(default_factory=list)
    shots: list[tuple[dict, dict]] = field(default_factory=list)   # (old, new), digests differ
    unchanged: list[dict] = field(default_factory=list)             # neither changed

    @property
    def changed_ids(self) -> list[str]:
        return list(dict.fromkeys([c.id for c in self.lines] + [n["id"] for _, n in self.shots]))


def read_manifest(path) -> dict:
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ScriptError(f"{name}: cannot read the previous manifest: {e.strerror or e}") \
            from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ScriptError(f"{name}: not a review manifest ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
        raise ScriptError(f"{name}: not a review manifest (no list of lines)")
    return data


def diff(previous: dict, current: dict, previous_dir: str = ".") -> Since:
    """Lines whose text, claims or timing changed; shots (lines' frames) whose digests
    differ; lines added or removed; everything else unchanged."""
    old = {ln["id"]: ln for ln in previous.get("lines", [])}
    new = {ln["id"]: ln for ln in current.get("lines", [])}
    since = Since(previous, previous_dir)
    for lid, n in new.items():
        o = old.get(lid)
        if o is None:
            since.lines.append(LineChange(lid, ("added",), None, n))
            continue
        what = []
        if o.get("text") != n.get("text"):
            what.append("text")
        if list(o.get("claims", [])) != list(n.get("claims", [])):
            what.append("claims")
        if (o.get("start"), o.get("end")) != (n.get("start"), n.get("end")):
            what.append("timing")
        if what:
            since.lines.append(LineChange(lid, tuple(what), o, n))
        if o.get("digest") != n.get("digest"):
            since.shots.append((o, n))
        if not what and o.get("digest") == n.get("digest"):
            since.unchanged.append(n)
    for lid, o in old.items():
        if lid not in new:
            since.lines.append(LineChange(lid, ("removed",), o, None))
    return since
