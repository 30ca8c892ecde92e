"""The accessibility gate's measuring functions, each with a passing and a failing
synthetic case: subtitle reading limits, text contrast, flashing, title-safe area."""
from __future__ import annotations

import numpy as np
import pytest

from hepaanim.access import (FlashMeter, Problem, char_count, outside_title_safe,
                             overlay_contrast, report, safe_rect, subtitle_problems,
                             text_contrast, title_safe_problems, wrap_cue)
from hepaanim.compose import captions
from hepaanim.scene.color import contrast_ratio

FPS = 30


def whats(problems):
    return sorted((p.line, p.what) for p in problems)


# --- subtitles (Netflix Timed Text Style Guides) ---------------------------------------

def test_subtitles_within_limits_pass():
    cues = [(0.0, 3.0, "Liver cells are damaged by inflammation.", "s1"),   # 40 chars
            (3.1, 6.0, "Two lines are allowed\nwhen each one is short.", "s2")]  # 3 frames apart
    assert subtitle_problems(cues, "en", FPS) == []


def test_reading_speed_over_17_cps_fails_with_its_figure():
    text = "This caption holds far too many words for its time."   # 51 chars in 2.5 s
    (p,) = subtitle_problems([(1.0, 3.5, text, "fast")], "en", FPS)
    assert (p.what, p.line, p.time) == ("over-cps", "fast", 1.0)
    assert p.figure == "20.4 cps > 17"


def test_line_length_and_line_count():
    long_line = "x" * 43 + "\nshort"
    assert whats(subtitle_problems([(0, 6, long_line, "a")], "en", FPS)) == [("a", "over-cpl")]
    three = "one\ntwo\nthree"
    assert whats(subtitle_problems([(0, 6, three, "b")], "en", FPS)) == [("b", "too-many-lines")]
    # unwrapped text is wrapped at 42 characters first: 100 characters need 3 lines
    words = ("cells " * 17).strip()
    assert len(wrap_cue(words, "en")) == 3 and all(len(s) <= 42 for s in wrap_cue(words, "en"))
    assert whats(subtitle_problems([(0, 7, words, "c")], "en", FPS)) == [("c", "too-many-lines")]
    assert wrap_cue("A short line, unwrapped.", "en") == ["A short line, unwrapped."]


def test_time_on_screen_between_five_sixths_and_seven_seconds():
    ok = [(0, 25 / FPS, "Hi.", "a"), (2, 9, "Seven seconds exactly.", "b")]
    assert subtitle_problems(ok, "en", FPS) == []
    bad = [(0, 24 / FPS, "Hi.", "a"), (2, 9.1, "Over seven seconds.", "b")]
    assert whats(subtitle_problems(bad, "en", FPS)) == [("a", "too-short"), ("b", "too-long")]


def test_gap_of_two_frames_passes_one_frame_and_overlap_fail():
    two = [(0, 2, "First.", "a"), (2 + 2 / FPS, 4, "Second.", "b")]
    assert subtitle_problems(two, "en", FPS) == []
    one = [(0, 2, "First.", "a"), (2 + 1 / FPS, 4, "Second.", "b")]
    assert whats(subtitle_problems(one, "en", FPS)) == [("b", "gap")]
    over = [(0, 2, "First.", "a"), (1.5, 4, "Second.", "b")]
    (p,) = subtitle_problems(over, "en", FPS)
    assert (p.what, p.line, p.time) == ("overlap", "b", 1.5) and "a" in p.figure


def test_french_and_german_use_their_guides_figures():
    text = "Les cellules du foie sont protégées."                  # 36 chars
    assert subtitle_problems([(0, 2.2, text, "fr1")], "fr", FPS) == []
    assert whats(subtitle_problems([(0, 2.0, text, "fr1")], "fr-FR", FPS)) == [("fr1", "over-cps")]
    assert whats(subtitle_problems([(0, 6, "ü" * 43, "de1")], "de", FPS)) == [("de1", "over-cpl")]


def test_japanese_counts_full_width_one_half_width_half_and_reads_4_cps():
    assert char_count("肝臓ABC", "ja") == 3.5
    assert char_count("肝臓ABC", "en") == 5
    ok = "肝臓の細胞を守る"                                          # 8 chars in 2 s: 4 cps
    assert subtitle_problems([(0, 2, ok, "j1")], "ja", FPS) == []
    assert whats(subtitle_problems([(0, 2, ok + "。", "j1")], "ja", FPS)) == [("j1", "over-cps")]
    long = "肝臓の細胞が炎症を抑える因子を放出します"                  # 20 chars: 2 lines of <= 13
    lines = wrap_cue(long, "ja")
    assert len(lines) == 2 and all(char_count(s, "ja") <= 13 for s in lines)
    assert whats(subtitle_problems([(0, 6, "肝" * 14 + "\n肝", "j2")], "ja", FPS)) == \
        [("j2", "over-cpl")]


def test_unknown_language_and_bad_fps_are_errors():
    with pytest.raises(ValueError, match="no Netflix figures for language 'xx'"):
        subtitle_problems([(0, 2, "Hi.", "a")], "xx", FPS)
    with pytest.raises(ValueError, match="fps must be positive"):
        subtitle_problems([(0, 2, "Hi.", "a")], "en", 0)


# --- text contrast (WCAG 2.2, 1.4.3) ----------------------------------------------------

def _glyphs(h=60, w=200):
    """A mask of thick strokes, like letters at caption size."""
    m = np.zeros((h, w), bool)
    for x in range(20, 180, 24):
        m[15:45, x:x + 6] = True
    m[27:33, 20:180] = True
    return m


def test_white_text_on_dark_panel_passes_at_the_wcag_figure():
    back = np.zeros((60, 200, 3), np.uint8)
    back[:] = (11, 26, 46)                                       # deep navy panel
    r = text_contrast(back, _glyphs(), (255, 255, 255))
    assert r == pytest.approx(contrast_ratio("#FFFFFF", "#0B1A2E"), rel=1e-9)
    assert r >= 4.5


def test_light_grey_text_on_white_fails():
    back = np.full((60, 200, 3), 255, np.uint8)
    r = text_contrast(back, _glyphs(), (200, 200, 200))
    assert r == pytest.approx(contrast_ratio("#C8C8C8", "#FFFFFF"), rel=1e-9) and r < 4.5


def test_a_bright_patch_beside_the_strokes_counts_but_a_far_one_does_not():
    back = np.zeros((60, 200, 3), np.uint8)
    far = back.copy()
    far[0:5, :] = 255                                            # 10 px above the strokes
    assert text_contrast(far, _glyphs(), (255, 255, 255)) > 15
    near = back.copy()
    near[:, 100:200] = 235                                       # half the text over white
    assert text_contrast(near, _glyphs(), (255, 255, 255)) < 1.2


def test_captions_and_titles_pass_over_any_shot_and_grey_text_without_panel_fails():
    img, (x, y) = captions.lower_third("Cells calm the inflammation.", 640, 360)
    for level in (0, 128, 255):
        frame = np.full((360, 640, 3), level, np.uint8)
        assert overlay_contrast(frame, img, (x, y), captions.TEXT) >= 4.5
    title, (tx, ty) = captions.title_card("Title\nover whatever the opening shows", 640, 360)
    for level in (0, 128, 255):                   # its scrim: readable even over white
        frame = np.full((360, 640, 3), level, np.uint8)
        assert overlay_contrast(frame, title, (tx, ty), captions.TEXT) >= 4.5, level
    grey = np.zeros((40, 160, 4), np.uint8)
    grey[10:30, 10:150:12] = (190, 190, 190, 255)                # grey strokes, no panel
    grey[18:22, 10:150] = (190, 190, 190, 255)
    white = np.full((360, 640, 3), 255, np.uint8)
    black = np.zeros((360, 640, 3), np.uint8)
    assert overlay_contrast(white, grey, (100, 100), (190, 190, 190)) < 4.5
    assert overlay_contrast(black, grey, (100, 100), (190, 190, 190)) >= 4.5


# --- flashing (WCAG 2.2, 2.3.1) ---------------------------------------------------------

W, H = 854, 480


def _run(frames, fps=FPS, size=(W, H)):
    m = FlashMeter(fps, size)
    for f in frames:
        m.add(f)
    return m.problems()


def _solid(v):
    return np.full((H, W, 3), v, np.uint8)


def test_ten_hertz_strobe_fails_and_reports_when_it_began():
    frames = [_solid(0)] * 60 + [_solid(255 * (i % 2)) for i in range(20)]   # 1 s at 20 fps
    (p,) = _run(frames, fps=20)
    assert p.what == "flash" and p.line == "-"
    assert p.time == pytest.approx(61 / 20)                      # the strobe's first change
    assert p.figure.startswith("9 flashes in 1 s > 3 over 100 % of the frame")


def test_slow_fade_passes():
    up = np.linspace(0, 255, 30).round().astype(np.uint8)
    levels = np.concatenate([up, up[::-1], up, up[::-1]])
    assert _run([_solid(v) for v in levels]) == []


def test_three_flashes_a_second_pass_and_four_fail():
    def toggling(every):
        return [_solid(255 * ((i // every) % 2)) for i in range(90)]
    assert _run(toggling(5)) == []                               # 3 Hz: 3 flashes a second
    assert [p.what for p in _run(toggling(4))] == ["flash"]      # 3.75 Hz


def test_small_flashing_patch_passes_and_a_large_one_fails():
    def patch(side):
        out = []
        for i in range(30):
            f = _solid(0)
            if i % 2:
                f[100:100 + side, 200:200 + side] = 255
            out.append(f)
        return out
    assert _run(patch(60)) == []                                 # 3,600 px < 11,376 px
    assert [p.what for p in _run(patch(150))] == ["flash"]       # 22,500 px


def test_red_flash_without_a_luminance_flash():
    red = np.zeros((H, W, 3), np.uint8)
    red[..., 0] = 255
    grey = _solid(127)                                           # same luminance as red
    strobe = [red if i % 2 else grey for i in range(30)]
    assert [p.what for p in _run(strobe)] == ["red-flash"]
    slow = [red if (i // 15) % 2 else grey for i in range(60)]   # 1 flash a second
    assert _run(slow) == []


def test_flash_meter_takes_rgba_frames_of_any_size_and_refuses_others():
    m = FlashMeter(24, (320, 180))
    m.add(np.zeros((180, 320, 4), np.uint8))
    with pytest.raises(ValueError, match="expected a 320x180 RGB"):
        m.add(np.zeros((180, 321, 3), np.uint8))
    with pytest.raises(ValueError, match="fps must be positive"):
        FlashMeter(0, (320, 180))


# --- title-safe area (EBU R 95, social formats) ------------------------------------------

def test_title_safe_16x9_is_ebu_r95_graphics_safe():
    assert safe_rect(1920, 1080) == (96, 54, 1824, 1026)
    assert outside_title_safe((100, 900, 800, 120), 1920, 1080) == {}
    assert outside_title_safe((50, 1000, 800, 60), 1920, 1080) == {"left": 46, "bottom": 34}


def test_title_safe_9x16_keeps_text_above_the_lower_fifth():
    assert outside_title_safe((100, 1400, 800, 100), 1080, 1920) == {}
    assert outside_title_safe((100, 1500, 800, 100), 1080, 1920) == {"bottom": 64}
    assert outside_title_safe((100, 1200, 800, 100), 1080, 1920, "9:16-reels") == \
        {"bottom": 52}
    assert outside_title_safe((100, 150, 800, 100), 1080, 1920) == {"top": 42}
    assert outside_title_safe((100, 900, 800, 100), 1080, 1080) == {"bottom": 28}
    assert outside_title_safe((30, 500, 400, 100), 1080, 1080, 0.05) == {"left": 24}
    (p,) = title_safe_problems(4.0, "cap_3", (100, 1500, 800, 100), 1080, 1920)
    assert str(p) == "t=4.00s cap_3 outside-title-safe bottom 64 px past the safe area"
    with pytest.raises(ValueError, match="unknown format '4:3'"):
        safe_rect(640, 480, "4:3")


# --- report -------------------------------------------------------------------------------

def test_report_is_one_line_a_problem_by_time_then_the_count():
    ps = [Problem(12.3, "cap_7", "over-cps", "19.3 cps > 17"),
          Problem(1.0, "-", "flash", "5 flashes in 1 s > 3")]
    assert report(ps) == ("t=1.00s - flash 5 flashes in 1 s > 3\n"
                          "t=12.30s cap_7 over-cps 19.3 cps > 17\n"
                          "problems=2\n")
    assert report([]) == "problems=0\n"


def test_a_japanese_line_break_adds_nothing_to_the_count():
    """Netflix counts no line break; joined with a space, a two-line Japanese cue read
    0.5 more (a space is half-width) and 24 characters over 6 s failed at 4.08 cps."""
    text = "肝臓は腸と心臓の両方から\n血液を受け取り全身へ送る"
    assert len(text.replace("\n", "")) == 24
    assert subtitle_problems([(0.0, 6.0, text, "x")], "ja", 30.0) == []
    assert [p.what for p in subtitle_problems([(0.0, 5.9, text, "x")], "ja", 30.0)] == \
        ["over-cps"]
