"""The shipped fonts (assets/fonts, SIL OFL; see assets/ASSETS.md)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

ASSETS = Path(__file__).resolve().parents[3] / "assets"
FONT_DIR = ASSETS / "fonts"
WEIGHTS = {"regular": "Lato-Regular.ttf", "bold": "Lato-Bold.ttf", "light": "Lato-Light.ttf"}


@lru_cache(maxsize=64)
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    path = FONT_DIR / WEIGHTS[weight]
    if not path.exists():
        raise FileNotFoundError(f"font {path} is missing: the fonts ship in assets/fonts")
    return ImageFont.truetype(str(path), max(6, int(size)))
