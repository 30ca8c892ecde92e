"""SRT and WebVTT subtitle files from the same caption data the frames show.

Captions, titles and cards are written (a card's caption text is its spoken/read
alternative); corner labels such as 'molecules enlarged' are not.  Times are shifted to
the rendered range, so a render of one act has subtitles that start at 0.
"""
from __future__ import annotations

from pathlib import Path

from . import atomic

SUBTITLED_STYLES = ("lower_third", "title", "card")


def cues(captions, start: float = 0.0, end: float = float("inf"),
         lang: str = "en") -> list[tuple[float, float, str]]:
    """(start, end, text) of each subtitled caption in ``lang`` (``Caption.text_in``)."""
    out = []
    for c in sorted(captions, key=lambda c: c.start):
        if c.style not in SUBTITLED_STYLES or c.end <= start or c.start >= end:
            continue
        a, b = max(c.start, start) - start, min(c.end, end) - start
        out.append((a, b, " ".join(c.text_in(lang).split())))
    return out


def _stamp(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(cue_list) -> str:
    return "".join(f"{i}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{text}\n\n"
                   for i, (a, b, text) in enumerate(cue_list, 1))


def vtt(cue_list) -> str:
    return "WEBVTT\n\n" + "".join(f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{text}\n\n"
                                  for a, b, text in cue_list)


def files(video_path: Path, captions, start: float = 0.0,
          end: float = float("inf"), lang: str = "en") -> dict[Path, str]:
    """<video>.srt and <video>.vtt beside a video: path -> text."""
    cue_list = cues(captions, start, end, lang)
    video_path = Path(video_path)
    return {video_path.with_suffix(".srt"): srt(cue_list),
            video_path.with_suffix(".vtt"): vtt(cue_list)}


def write(video_path: Path, captions, start: float = 0.0, end: float = float("inf"),
          txn: atomic.Transaction | None = None, lang: str = "en") -> list[Path]:
    """Write <video>.srt and <video>.vtt beside a video; returns their paths.

    With `txn`, the files are only written to temporaries of that transaction (committed
    with the video, or not at all); without, they are committed here, together.
    """
    own = txn is None
    txn = atomic.Transaction() if own else txn
    written = []
    try:
        for target, text in files(video_path, captions, start, end, lang).items():
            tmp = txn.temp(target)
            tmp.write_text(text, encoding="utf-8")
            written.append(target)
        if own:
            txn.commit()
    except BaseException:
        txn.discard()
        raise
    return written
