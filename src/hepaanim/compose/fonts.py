"""The shipped fonts (assets/fonts, SIL OFL; see assets/ASSETS.md), chosen by language.

Latin-script languages use Lato; Japanese uses a subset of Noto Sans JP (Lato has no
kana or kanji, and a missing glyph draws as an empty box).  A language not listed in
``FAMILIES`` falls back to Lato; ``font_path`` says which file a (weight, language) uses so
a test can check every character of a line against that file's coverage.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

ASSETS = Path(__file__).resolve().parents[3] / "assets"
FONT_DIR = ASSETS / "fonts"
WEIGHTS = {"regular": "Lato-Regular.ttf", "bold": "Lato-Bold.ttf", "light": "Lato-Light.ttf"}
FAMILIES = {
    "ja": {"regular": "NotoSansJP-Regular.ttf", "bold": "NotoSansJP-Bold.ttf",
           "light": "NotoSansJP-Light.ttf"},
}


def font_path(weight: str = "regular", lang: str = "en") -> Path:
    """The font file for a weight in a language (its primary subtag: ``ja-JP`` -> ``ja``)."""
    family = FAMILIES.get(lang.split("-")[0].lower(), WEIGHTS)
    return FONT_DIR / family[weight]


@lru_cache(maxsize=64)
def font(size: int, weight: str = "regular", lang: str = "en") -> ImageFont.FreeTypeFont:
    path = font_path(weight, lang)
    if not path.exists():
        raise FileNotFoundError(f"font {path} is missing: the fonts ship in assets/fonts")
    return ImageFont.truetype(str(path), max(6, int(size)))
