"""Data cards (the film's scenes/hepastem/cards.py, drawn with the engine's
compose/cards.py): charts that fit the frame, read at any size, keep their text contrast and
their attributions; goldens of each card over the film's backdrop; the engine's general stat
card."""
import sys
from pathlib import Path

import numpy as np
import pytest

from hepaanim.compose import cards as toolkit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scenes"))
from hepastem import cards  # noqa: E402  (the film's package lives under scenes/)
from hepaanim.scene.color import contrast_ratio
from hepaanim.scene.scene import Settings

NAMES = list(cards.CARDS)
SIZES = [(854, 480), (1920, 1080)]
SIDE_CARDS = [n for n in NAMES if n != "end_card"]

# What each card must say about where its numbers come from (science_brief.md §6).
ATTRIBUTION = {
    "aclf": ["Seed text", "CANONIC", "Moreau"],
    "aclf_patients": ["Company estimate", "no primary source traced"],
    "nafld": ["Seed text", "Chalasani", "Elsewhere"],
    "nash_share": ["Seed text", "Williams"],
    "nas": ["Seed text", "Kleiner"],
    "end_card": ["investigational", "not been established", "Cellaion SA", "Promethera"],
}


def _said(name, w, h) -> str:
    cards.CARDS[name](w, h)
    return " ".join(s for s, _, _ in toolkit.TEXT_CONTRAST[(name, w, h)])


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("name", NAMES)
def test_card_fits_the_frame_and_is_drawn(name, w, h):
    img, (x, y) = cards.CARDS[name](w, h)
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 4
    ch, cw = img.shape[:2]
    assert 0 <= x and 0 <= y and x + cw <= w and y + ch <= h, (x, y, cw, ch)
    alpha = img[..., 3]
    assert (alpha >= round(255 * 0.85)).mean() > 0.95          # a panel, ≥ 85 % opaque
    assert np.all(img[..., :3] <= alpha[..., None])             # premultiplied
    assert img[..., :3].std() > 20                              # not blank: a chart on it
    if name == "end_card":
        assert abs(x + cw / 2 - w / 2) <= 1                     # centred
    else:
        assert x >= 0.5 * w and x + cw <= w                     # right ~45 %: 3D stays visible
        assert y + ch <= 0.72 * h                               # room for a lower third below


@pytest.mark.parametrize("name", NAMES)
def test_card_scales_with_frame_height(name):
    small, _ = cards.CARDS[name](854, 480)
    big, _ = cards.CARDS[name](3840, 2160)
    assert big.shape[0] / small.shape[0] == pytest.approx(2160 / 480, rel=0.01)
    assert big.shape[1] / small.shape[1] == pytest.approx(2160 / 480, rel=0.01)


def test_cards_are_cached_per_size():
    a = cards.aclf(854, 480)
    assert cards.aclf(854, 480) is a and cards.aclf(1280, 720) is not a


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("name", NAMES)
def test_text_contrast_under_every_glyph(name, w, h):
    """Every string against the colours under its glyphs (card over black and over white)."""
    cards.CARDS[name](w, h)
    report = toolkit.TEXT_CONTRAST[(name, w, h)]
    assert report, "the card drew no text"
    low = [(s, ink, round(r, 2)) for s, ink, r in report if r < 4.5]
    assert not low, f"{name}: text below 4.5:1: {low}"


def test_inks_contrast_against_the_panel():
    """The text colours against the card panel (Deep Navy at PANEL_OPACITY) over black or
    white, and the dark ink against the accent fills it is drawn on."""
    a = toolkit.PANEL_OPACITY
    panel = np.array(toolkit.PANEL, float)
    backs = [panel * a + np.array(bg, float) * (1 - a) for bg in ((0, 0, 0), (255, 255, 255))]
    assert a >= 0.85
    for name, ink in cards.INKS.items():
        under = [np.array(f, float) for f in cards.DARK_INK_FILLS] if name == "dark" else backs
        for b in under:
            r = contrast_ratio(np.array(ink) / 255, b / 255)
            assert r >= 4.5, f"ink {name} {ink} on {b.round()}: {r:.2f}:1"


@pytest.mark.parametrize("name", NAMES)
def test_card_carries_its_attribution(name):
    said = _said(name, 1920, 1080).lower()
    for words in ATTRIBUTION[name]:
        assert words.lower() in said, f"{name}: {words!r} not on the card"


def test_alt_text_for_every_card():
    """A card's text alternative is its own row of the script table (what the subtitles
    say), one line that reads in the time the card is up."""
    assert set(cards.ALT_TEXT) == set(cards.CARDS)
    table = cards.film_data(cards.FOLDER).script
    for name, text in cards.ALT_TEXT.items():
        assert text == table[name].text["en"]
        assert text.strip() and "\n" not in text
        assert len(text) / cards.min_seconds(name) <= 17       # readable in min_seconds
    assert "investigational" in cards.ALT_TEXT["end_card"]


def _film_backdrop(w, h) -> np.ndarray:
    """The film's background: the default Settings colours, top to bottom with a smoothstep
    (as background.frag does; no vignette or grade, so the goldens test only the card)."""
    s = Settings()
    v = 1.0 - (np.arange(h) + 0.5) / h
    k = (v * v * (3 - 2 * v))[:, None, None]
    c = s.background_bottom + (s.background_top - s.background_bottom) * k
    return np.broadcast_to(c * 255.0, (h, w, 3)).astype(np.float64)


@pytest.mark.parametrize("name", NAMES)
def test_card_goldens(name, golden):
    w, h = 640, 360
    img, (x, y) = cards.CARDS[name](w, h)
    frame = _film_backdrop(w, h).copy()
    ch, cw = img.shape[:2]
    a = img[..., 3:4] / 255.0
    frame[y:y + ch, x:x + cw] = img[..., :3] + frame[y:y + ch, x:x + cw] * (1 - a)
    golden(f"card_{name}", np.round(frame).astype(np.uint8))


def test_stat_card_is_filled_from_data_and_keeps_contrast():
    """The engine's general card: a value, a label and a source, no drawing code."""
    img, (x, y) = toolkit.stat_card("stat", 1280, 720, "> 2 million", "adults counted",
                                    "Source: a cohort study", kicker="Example",
                                    accent_color=(0xFF, 0x57, 0x22))
    h, w = img.shape[:2]
    assert x >= 0.5 * 1280 and x + w <= 1280 and y + h <= 0.72 * 720
    said = {s: ratio for s, _, ratio in toolkit.TEXT_CONTRAST[("stat", 1280, 720)]}
    assert set(said) == {"EXAMPLE", "> 2 million", "adults counted", "Source: a cohort study"}
    assert min(said.values()) >= 4.5
