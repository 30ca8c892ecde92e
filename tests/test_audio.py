"""The sound engine (hepaanim.audio), measured: voice, bed, mix, description, mux, plot.

Needs espeak-ng (Debian package `espeak-ng`) for the scratch voice; everything else is
pip-installed (soundfile, pyloudnorm, scipy) or bundled (imageio-ffmpeg's ffmpeg).
"""
from __future__ import annotations

import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile
from PIL import Image

from hepaanim.audio import clips, describe, levels, mix, music, mux, plot, voice
from hepaanim.audio.clips import RATE

SENTENCE = "Liver-derived stem cells calm the inflammation."


@pytest.fixture(scope="module")
def spoken():
    """One scratch line, synthesized once for the module."""
    return voice.synthesize(SENTENCE, "en")


def tone(seconds, freq=440.0, amp=0.3, rate=RATE):
    t = np.arange(int(round(seconds * rate))) / rate
    return clips.as_stereo((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32))


# -- voice ------------------------------------------------------------------------------

def test_scratch_voice_is_deterministic_48k_stereo(spoken):
    again = voice.synthesize(SENTENCE, "en")
    assert spoken.dtype == np.float32 and spoken.ndim == 2 and spoken.shape[1] == 2
    assert np.array_equal(spoken, again)
    assert 1.0 < len(spoken) / RATE < 6.0          # a sentence at 160 wpm, at 48 kHz


def test_scratch_voice_starts_at_its_speech_onset(spoken):
    raw = voice.synthesize(SENTENCE, "en", trim=False)
    assert clips.speech_onsets(spoken)[0] <= 0.005  # trimmed: onset = clip start
    # however much silence leads in (espeak-ng: 0-60 ms; a take: any), the cut is the same
    padded = np.concatenate([np.zeros((RATE // 5, 2), np.float32), raw])
    assert clips.speech_onsets(padded)[0] == pytest.approx(0.2, abs=0.005)
    cut = clips.trim_silence(padded)
    assert clips.speech_onsets(cut)[0] <= 0.005
    assert abs(len(cut) - len(spoken)) <= 0.005 * RATE
    first_audible = np.flatnonzero(np.abs(spoken[:, 0]) > 1e-3)[0] / RATE
    assert first_audible <= 0.003
    # the tail is kept: the trimmed clip ends within 10 ms of the raw speech's end
    raw_end = clips.speech_intervals(raw)[-1][1] - clips.speech_onsets(raw)[0]
    assert abs(len(spoken) / RATE - raw_end) < 0.010


@pytest.mark.parametrize("lang,text", [("fr", "Les cellules calment l'inflammation."),
                                       ("de", "Die Zellen beruhigen die Entzündung."),
                                       ("ja", "かんぞうの さいぼう です。")])
def test_scratch_voice_speaks_the_films_languages(lang, text):
    audio = voice.synthesize(text, lang)
    assert len(audio) > RATE // 2 and levels.rms_db(audio) > -40


def test_recorded_take_wins_over_scratch(tmp_path):
    take = tone(1.0)
    soundfile.write(str(tmp_path / "a1_l1.en.wav"), take, RATE)
    v = voice.voice_line(voice.Line("a1_l1", SENTENCE), "en", tmp_path)
    assert v.source == "take"
    assert np.allclose(v.audio, take, atol=1e-4)       # 16-bit WAV round trip
    other = voice.voice_line(voice.Line("a1_l2", SENTENCE), "en", tmp_path)
    assert other.source == "scratch" and len(other.audio) > 0


def test_bad_takes_name_the_file_and_the_line(tmp_path):
    missing = tmp_path / "gone.en.flac"
    with pytest.raises(voice.TakeError, match=r"gone\.en\.flac: line a3_l2: take not found"):
        voice.read_take(missing, "a3_l2")
    junk = tmp_path / "a3_l2.en.wav"
    junk.write_bytes(b"RIFF not really a wave file")
    with pytest.raises(voice.TakeError) as e:
        voice.voice_line(voice.Line("a3_l2", "x"), "en", tmp_path)
    assert str(junk) in str(e.value) and "line a3_l2" in str(e.value)
    assert "unreadable" in str(e.value) and "\n" not in str(e.value)
    junk.unlink()
    soundfile.write(str(tmp_path / "a3_l2.en.flac"), tone(0.5, rate=44_100), 44_100)
    with pytest.raises(voice.TakeError, match=r"a3_l2\.en\.flac: line a3_l2: take is "
                                              r"44100 Hz, expected 48000 Hz"):
        voice.voice_line(voice.Line("a3_l2", "x"), "en", tmp_path)


def test_without_espeak_lines_are_silent_with_one_warning(tmp_path, monkeypatch):
    soundfile.write(str(tmp_path / "l2.en.flac"), tone(0.5), RATE)
    monkeypatch.setattr(voice, "espeak", lambda: None)
    said = []
    lines = [voice.Line("l1", "One."), voice.Line("l2", "Two."), voice.Line("l3", "Three.")]
    out = voice.voice_lines(lines, "en", tmp_path, warn=said.append)
    assert [v.source for v in out] == ["silent", "take", "silent"]
    assert len(out[0].audio) == 0 and out[0].audio.shape[1] == 2
    assert len(said) == 1 and "l1, l3" in said[0] and "l2" not in said[0]


def test_check_reports_stale_too_long_and_unstamped_takes(tmp_path):
    line = voice.Line("a2_l1", "The scar recedes.", start=10.0, end=11.0)
    voice.write_take(tmp_path, line.id, "en", tone(1.5), line.text, "studio")
    assert [p.kind for p in voice.check([line], "en", tmp_path)] == ["too_long"]
    rewrapped = voice.Line(line.id, "The  scar\nrecedes.", 10.0, 12.0)
    assert voice.check([rewrapped], "en", tmp_path) == []      # whitespace is not a change
    changed = voice.Line(line.id, "The scar slowly recedes.", 10.0, 12.0)
    problems = voice.check([changed], "en", tmp_path)
    assert [p.kind for p in problems] == ["stale"]
    assert str(tmp_path / "a2_l1.en.flac") in str(problems[0]) and "a2_l1" in str(problems[0])
    soundfile.write(str(tmp_path / "a2_l2.en.wav"), tone(0.5), RATE)
    bare = voice.check([voice.Line("a2_l2", "Hi.", 0, 5)], "en", tmp_path)
    assert [p.kind for p in bare] == ["unstamped"]


def test_make_scratch_writes_small_takes_that_win_next_time(tmp_path, spoken):
    lines = [voice.Line("s1", SENTENCE, 0, 10)]
    written = voice.make_scratch(lines, "en", tmp_path)
    assert written == [tmp_path / "s1.en.flac"]
    assert soundfile.info(str(written[0])).channels == 1            # mono: small
    assert voice.check(lines, "en", tmp_path) == []
    again = voice.voice_line(lines[0], "en", tmp_path)
    assert again.source == "take"
    assert np.allclose(again.audio, spoken, atol=2.0 / 32768)       # 16-bit FLAC
    assert voice.make_scratch(lines, "en", tmp_path) == []          # kept, not redone


# -- music bed --------------------------------------------------------------------------

SEGMENTS = (music.Segment(0, 12, 1.0), music.Segment(12, 24, (1.0, 0.0)),
            music.Segment(24, 36, 0.0))


def test_bed_is_random_access():
    whole = music.render(SEGMENTS, 0, 36, seed=5)
    assert whole.shape == (36 * RATE, 2) and whole.dtype == np.float32
    for a, b in [(0.0, 0.7), (3.99998, 9.1), (11.2, 13.9), (23.4567, 24.6), (35.5, 36.0)]:
        part = music.render(SEGMENTS, a, b, seed=5)
        i = clips.sample_index(a)
        assert np.array_equal(part, whole[i:i + len(part)]), (a, b)
    assert not np.array_equal(music.render(SEGMENTS, 0, 2, seed=6), whole[:2 * RATE])


def test_warm_bed_is_darker_than_cool():
    warm = music.render((music.Segment(0, 20, 1.0),), 0, 20)
    cool = music.render((music.Segment(0, 20, 0.0),), 0, 20)
    cw, cc = levels.spectral_centroid(warm), levels.spectral_centroid(cool)
    assert cw < 0.5 * cc, (cw, cc)
    # and about as loud: warmth changes colour, not level
    assert abs(levels.integrated_lufs(warm) - levels.integrated_lufs(cool)) < 2.0


def test_bed_cross_fades_at_segment_boundaries():
    segs = (music.Segment(0, 10, 1.0), music.Segment(10, 20, 0.0))
    x = music.render(segs, 0, 20)
    assert music.warmth_at(segs, np.array([8.0, 10.0, 12.0])).tolist() == [1.0, 0.5, 0.0]
    t, db = levels.loudness_curve(x, window=0.4, hop=0.05)
    before, after = db[(t > 7) & (t < 8.5)], db[(t > 11.5) & (t < 13)]
    across = db[(t > 9.5) & (t < 10.7)]                # windows spanning the boundary
    assert across.min() > min(before.min(), after.min()) - 1.5     # no gap
    assert across.max() < max(before.max(), after.max()) + 1.5     # no bump
    # no click: the largest sample step near the boundary is no larger than within the
    # segments on either side (the cool side, brighter, has the larger steps)
    step = np.abs(np.diff(x[:, 0]))
    inside = max(step[2 * RATE:7 * RATE].max(), step[13 * RATE:18 * RATE].max())
    assert step[9 * RATE:11 * RATE].max() < 1.2 * inside


# -- mix --------------------------------------------------------------------------------

def test_integrated_loudness_matches_pyloudnorm(spoken):
    rng = np.random.default_rng(1)
    bed = music.render(SEGMENTS, 0, 10)
    for x in (rng.normal(0, 0.1, (3 * RATE + 77, 2)).astype(np.float32), bed, spoken):
        assert abs(levels.integrated_lufs(x) - levels.integrated_lufs_reference(x)) < 1e-6


def test_true_peak_sees_the_over_between_samples():
    t = np.arange(RATE) / RATE
    x = np.sin(2 * np.pi * 12_000 * t + np.pi / 4).astype(np.float32)   # samples at +-0.707
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert levels.true_peak_db(x) == pytest.approx(0.0, abs=0.3)
    y, reduction = mix.limit(clips.as_stereo(x), ceiling_db=-6.0)
    assert levels.true_peak_db(y) <= -6.0 + 0.05 and reduction > 5.0


@pytest.fixture(scope="module")
def mixed(spoken):
    """36 s: the bed under the sentence at 3 s, 15 s and 27 s."""
    bed = music.render(SEGMENTS, 0, 36)
    lines = [mix.Clip(f"l{i}", s, spoken) for i, s in enumerate((3.0, 15.0, 27.0))]
    return bed, lines, mix.mix(lines, bed, 0, 36, keep_stems=True)


def test_bed_ducks_at_least_10_db_under_speech(mixed):
    bed, lines, m = mixed
    g = 10 ** ((m.gain_db + m.bed_boost_db) / 20)      # the bed's gain away from speech
    for s, e in m.speech:
        i, j = clips.sample_index(s), clips.sample_index(e)
        drop = levels.rms_db(m.bed[i:j]) - levels.rms_db(bed[i:j] * g)
        assert drop <= -10.0, (s, e, drop)
    # and the bed is back up between lines
    i, j = clips.sample_index(8.0), clips.sample_index(13.0)
    assert levels.rms_db(m.bed[i:j]) - levels.rms_db(bed[i:j] * g) > -0.1
    # between lines the mix is the bed stem alone (the limiter acts only on speech peaks)
    assert np.array_equal(m.audio[i:j], m.bed[i:j])


def test_duck_gain_is_smooth_and_random_access():
    g = mix.duck_gain([(2.0, 4.0)], 0, 6)
    assert g[clips.sample_index(1.0)] == 1.0 and g[clips.sample_index(5.0)] == 1.0
    assert 20 * np.log10(g[clips.sample_index(3.0)]) == pytest.approx(-mix.DUCK_DB)
    assert np.abs(np.diff(20 * np.log10(g))).max() < 0.01       # < 0.01 dB per sample
    part = mix.duck_gain([(2.0, 4.0)], 1.5, 2.5)
    assert np.array_equal(part, g[clips.sample_index(1.5):clips.sample_index(2.5)])


@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_mix_meets_loudness_target_and_true_peak(spoken, target):
    bed = music.render(SEGMENTS, 0, 36)
    lines = [mix.Clip(f"l{i}", s, spoken) for i, s in enumerate((3.0, 15.0, 27.0))]
    m = mix.mix(lines, bed, 0, 36, target_lufs=target)
    assert abs(levels.integrated_lufs_reference(m.audio) - target) <= 1.0
    assert levels.true_peak_db(m.audio) <= -1.0
    assert m.audio.shape == (36 * RATE, 2) and m.audio.dtype == np.float32


def test_clips_land_on_their_sample(spoken):
    m = mix.mix([mix.Clip("l", 1.234, spoken)], None, 0, 4)
    assert clips.speech_onsets(m.audio)[0] == pytest.approx(1.234, abs=0.005)
    # a span that starts mid-film places the clip on the same absolute sample
    late = mix.place([mix.Clip("l", 1.234, spoken)], 1.0, 3.0)
    early = mix.place([mix.Clip("l", 1.234, spoken)], 0.0, 3.0)
    assert np.array_equal(late, early[RATE:])


def test_sparse_narration_raises_the_bed_not_the_limiter(spoken):
    bed = music.render(SEGMENTS, 0, 36)
    sparse = mix.mix([mix.Clip("l", 10.0, spoken)], bed, 0, 36)
    assert sparse.bed_boost_db > 3.0 and sparse.reduction_db < 3.0
    assert abs(levels.integrated_lufs_reference(sparse.audio) - mix.TARGET_LUFS) <= 1.0
    dense = mix.mix([mix.Clip(f"l{i}", 0.5 + i * 3.0, spoken) for i in range(12)], bed, 0, 36)
    assert dense.bed_boost_db == 0.0 and dense.reduction_db < 3.0


def test_loudness_of_a_sum_equals_measuring_it(spoken):
    bed = music.render(SEGMENTS, 0, 10)
    voice_track = mix.place([mix.Clip("l", 2.0, spoken)], 0, 10)
    measure = levels.loudness_of_sum(voice_track, bed)
    for k in (0.5, 1.0, 3.0):
        assert measure(k) == pytest.approx(levels.integrated_lufs(voice_track + k * bed),
                                           abs=1e-4)


def test_music_only_span_keeps_the_narrated_gain():
    bed = music.render(SEGMENTS, 0, 10)
    m = mix.mix([], bed, 0, 10)
    assert m.gain_db == pytest.approx(mix.TARGET_LUFS - mix.VOICE_LUFS)
    assert m.lufs < -25.0                                  # not pushed up to -16


# -- audio description ------------------------------------------------------------------

def test_descriptions_go_in_pauses_long_enough_or_are_reported():
    speech = [(0.0, 4.0), (7.0, 12.0), (12.5, 20.0)]
    ds = [describe.Description("d1", "A liver, seen from the front.", 3.0, 8.0),
          describe.Description("d2", "Cells drift in a vessel.", 11.0, 14.0),
          describe.Description("d3", "A title card.", 19.0, 30.0),
          describe.Description("d4", "The card fades.", 19.5, 30.0)]
    durs = {"d1": 2.0, "d2": 1.0, "d3": 2.0, "d4": 1.5}
    placed, unfit = describe.place(ds, durs, speech, 0.0, 30.0)
    assert [p.description.id for p in placed] == ["d1", "d3", "d4"]
    assert [d.id for d in unfit] == ["d2"]                 # the 0.5 s gap is too short
    assert placed[0].start == pytest.approx(4.3) and placed[0].end <= 7.0 - 0.3
    assert placed[1].start == pytest.approx(20.3)
    assert placed[2].start == pytest.approx(placed[1].end + describe.GAP_S)
    for p in placed:
        assert all(p.end <= s or p.start >= e for s, e in speech)


def test_descriptions_webvtt(tmp_path):
    d = describe.Description("d1", "A liver,\n seen from the front.", 3.0, 8.0)
    path = describe.write_descriptions_vtt(tmp_path / "film.descriptions.vtt",
                                           [describe.Placed(d, 64.3, 2.0)], offset=60.0)
    assert path.read_text(encoding="utf-8") == (
        "WEBVTT\n\n00:00:04.300 --> 00:00:06.300\nA liver, seen from the front.\n\n")


# -- mux --------------------------------------------------------------------------------

def _video(path, frames=61, fps=30, codec=("-c:v", "libx264", "-pix_fmt", "yuv420p")):
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
                    "-y", "-f", "lavfi", "-i", f"testsrc=size=64x48:rate={fps}",
                    "-frames:v", str(frames), *codec, str(path)], check=True)
    return path


@pytest.mark.parametrize("suffix,codec,video_args", [
    (".mp4", "aac", ("-c:v", "libx264", "-pix_fmt", "yuv420p")),
    (".webm", "opus", ("-c:v", "libvpx-vp9", "-deadline", "realtime"))])
def test_mux_keeps_sync_and_duration(tmp_path, spoken, suffix, codec, video_args):
    video = _video(tmp_path / f"v{suffix}", codec=video_args)
    n = 61 * RATE // 30                                    # the span of 61 frames at 30 fps
    m = mix.mix([mix.Clip("l", 0.5, spoken)], None, 0, n / RATE)
    assert len(m.audio) == n
    out = mux.mux(video, m.audio, tmp_path / f"out{suffix}")
    assert mux.streams(out) == [("video", mux.streams(video)[0][1]), ("audio", codec)]
    frames, _ = mux.video_duration(out)
    assert frames == 61
    decoded = mux.decode_audio(out)
    assert abs(len(decoded) - n) <= RATE // 30            # within one frame (here: exact)
    # codec delay is undone: unhandled, AAC's priming would move the onset 21 ms later
    # (1,024 samples), Opus's pre-skip 6.5 ms (312); the lossy codec smears it a ms or two
    assert clips.speech_onsets(decoded)[0] == pytest.approx(clips.speech_onsets(m.audio)[0],
                                                            abs=0.003)
    assert list(tmp_path.glob(".*partial*")) == []


def test_mux_failure_leaves_no_file(tmp_path):
    bad = tmp_path / "v.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(mux.MuxError, match="ffmpeg failed"):
        mux.mux(bad, np.zeros((RATE, 2), np.float32), tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_audio_files_round_trip(tmp_path):
    x = tone(0.5)
    mux.write_audio(tmp_path / "a.wav", x)
    assert np.array_equal(soundfile.read(str(tmp_path / "a.wav"), dtype="float32")[0], x)
    mux.write_audio(tmp_path / "a.flac", x)
    y, rate = soundfile.read(str(tmp_path / "a.flac"), dtype="float32")
    assert rate == RATE and np.abs(y - x).max() < 1e-6


# -- plot -------------------------------------------------------------------------------

def test_waveform_and_loudness_plot(tmp_path):
    """A 60 s mix (bed + three espeak-ng lines) drawn as a PNG: the waveform's teal and
    the target line's red are there, and the plot is as wide as asked."""
    segs = (music.Segment(0, 25, 1.0), music.Segment(25, 40, (1.0, 0.0)),
            music.Segment(40, 60, 0.0))
    lines = [voice.Line("a", "The liver filters the blood. It clears what the gut sends.",
                        2.0),
             voice.Line("b", "Inflammation spreads. Scar tissue follows.", 22.0),
             voice.Line("c", "Stem cells calm the inflammation, and the liver recovers.",
                        42.0)]
    clip_list = mix.clips_from_voiced(voice.voice_lines(lines, "en"))
    assert [c.start for c in clip_list] == [2.0, 22.0, 42.0]
    m = mix.mix(clip_list, music.render(segs, 0, 60), 0, 60)
    path = plot.plot_mix(m.audio, tmp_path / "mix.png", speech=m.speech, title="test")
    img = np.asarray(Image.open(path).convert("RGB"))
    assert img.shape == (600, 1600, 3)
    colours = {tuple(c) for c in img.reshape(-1, 3)[::7]}
    assert plot.WAVE in colours and plot.TARGET in colours and plot.SPEECH in colours
