"""Line breaking for scripts written without spaces between words (Japanese).

Breaking Japanese at any character splits words ("肝臓" across two lines) and breaking at
spaces finds none, so a caption is cut between phrases (bunsetsu) as BudouX's model finds
them (Google's small, dependency-free phrase segmenter).  Kinsoku shori, the Japanese
line-breaking rules (JIS X 4051), then keeps closing punctuation, small kana and the
prolonged-sound mark off the start of a line and opening brackets off its end: a phrase
that would start with one is joined to the phrase before it.  A phrase wider than the line
on its own is cut between characters, under the same rules.
"""
from __future__ import annotations

from functools import lru_cache

PHRASE_LANGS = frozenset({"ja"})

# JIS X 4051 (and the W3C's "Requirements for Japanese Text Layout", 3.1.7): characters
# that may not start a line, and characters that may not end one.
NO_START = frozenset("、。，．,.・：；:;？！?!）」』】〕〉》｝］)]}"
                     "ー…‥ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ％%")
NO_END = frozenset("（「『【〔〈《｛［([{")


@lru_cache(maxsize=1)
def _parser():
    import budoux                      # loaded on first Japanese caption only
    return budoux.load_default_japanese_parser()


def phrases(text: str) -> list[str]:
    """BudouX's phrases of one paragraph, joined where a break would break kinsoku."""
    out: list[str] = []
    for p in _parser().parse(text):
        if out and (p[:1] in NO_START or out[-1][-1:] in NO_END or (p[:1].isspace()
                    and p.strip()[:1] in NO_START)):
            out[-1] += p
        else:
            out.append(p)
    return out


def _cut(chunk: str, fnt, max_width: float) -> list[str]:
    """A phrase too wide for a line, cut between characters (never before a NO_START
    character or after a NO_END one)."""
    parts, cur = [], ""
    for ch in chunk:
        if cur and fnt.getlength(cur + ch) > max_width and ch not in NO_START \
                and cur[-1] not in NO_END:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    parts.append(cur)
    return parts


def phrase_wrap(text: str, fnt, max_width: float) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` (``\\n`` always breaks), broken
    between phrases; spaces at a line's ends are dropped."""
    lines = []
    for para in text.split("\n"):
        cur = ""
        for p in phrases(para) if para.strip() else []:
            trial = cur + p
            if cur and fnt.getlength(trial.strip()) > max_width:
                lines.append(cur.strip())
                cur = p.lstrip()
            else:
                cur = trial
            if fnt.getlength(cur.strip()) > max_width:
                *full, cur = _cut(cur.strip(), fnt, max_width)
                lines.extend(full)
        lines.append(cur.strip())
    return lines
