"""The film's sound, measured (issue 17): narration from the shipped takes, captions timed
to it, the bed ducked under it, loudness to standard, muxed in sync, chunked = single.

Renders are small (-q low at 320x180, a few seconds of the film); the whole-film checks
(loudness, a span equal to the whole film's) mix audio only, with no frames.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from hepaanim.audio import clips, levels, mix, music, mux
from hepaanim.audio import film as sound
from hepaanim.loader import load

ROOT = Path(__file__).resolve().parents[1]
SCENE = ROOT / "scenes" / "hepastem_moa.py"
SPAN = ("--from", "24.2", "--to", "29.4")     # act dive: two narrated captions start in it
FPS = 15                                       # -q low
SMALL = ("-q", "low", "--resolution", "320x180", "--quiet")


def cli(*args, cwd=ROOT, env=None, cache=None, timeout=600):
    e = dict(os.environ, **(env or {}))
    if cache is not None:
        e["HEPAANIM_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "hepaanim", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=e)


@pytest.fixture(scope="module")
def film():
    return load(SCENE)


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """The same span with sound in one worker and in two (each with an empty chunk cache),
    and without sound (from the first's cache)."""
    d = tmp_path_factory.mktemp("sound")
    out = {}
    for name, extra, cache in (("one", ("--workers", "1"), "c1"),
                               ("two", ("--workers", "2"), "c2"),
                               ("mute", ("--no-audio",), "c1")):
        path = d / f"{name}.mp4"
        r = cli("render", SCENE, *SMALL, *SPAN, *extra, "-o", path, cache=d / cache)
        assert r.returncode == 0, r.stderr
        out[name] = path
    return out


def test_one_aac_stream_as_long_as_the_video(renders):
    path = renders["one"]
    assert mux.streams(path) == [("video", "h264"), ("audio", "aac")]
    frames, _ = mux.video_duration(path)
    audio = mux.decode_audio(path)
    assert abs(len(audio) / clips.RATE - frames / FPS) <= 1 / FPS


def test_speech_starts_with_its_captions(renders, film):
    """Onsets found by energy in the decoded AAC fall within 3 frames of the in-times of
    the narrated captions that start in the span (the bed sits > 20 dB under speech)."""
    a, b = float(SPAN[1]), float(SPAN[3])
    audio = mux.decode_audio(renders["one"])
    # consecutive lines may be only ~0.25 s apart: bridge shorter gaps (words) only
    onsets = [a + t for t in clips.speech_onsets(audio, threshold_db=-20.0,
                                                 min_silence=0.15)]
    starts = [ln.start for ln in sound.narration(film) if a < ln.start < b]
    assert len(starts) == 2
    for s in starts:
        assert min(abs(o - s) for o in onsets) <= 3 / FPS, (s, onsets)


def test_captions_leave_within_12_frames_of_their_speech(film):
    """Every narrated caption ends no later than 12 frames (at 30 fps and at 60) after
    its take ends, and never before it (the takes fit their windows in English)."""
    voiced = {v.line.id: v for v in sound.voiced_lines(film, "en")}
    caps = [c for c in film.timeline.captions if c.line_id in voiced]
    assert len(caps) >= 20
    for c in caps:
        speech_end = c.start + voiced[c.line_id].duration
        assert c.end <= speech_end + 12 / 60 + 1e-9, c.line_id
        assert c.end >= min(speech_end, sound.window_end(c)) - 1e-9, c.line_id


def test_chunked_equals_single_worker(renders):
    assert renders["one"].read_bytes() == renders["two"].read_bytes()


def test_no_audio_writes_video_only(renders):
    assert mux.streams(renders["mute"]) == [("video", "h264")]


@pytest.fixture(scope="module")
def whole(film, tmp_path_factory):
    cache = tmp_path_factory.mktemp("levels")
    return sound.soundtrack(film, 0.0, film.duration, cache_dir=cache), cache


@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_loudness_to_target_and_true_peak(film, whole, target):
    track = whole[0] if target == -16.0 else sound.soundtrack(film, 0.0, film.duration,
                                                              target_lufs=target)
    assert abs(levels.integrated_lufs(track.audio) - target) <= 1.0
    assert levels.true_peak_db(track.audio) <= -1.0


def test_a_span_equals_the_same_span_of_the_whole_film(film, whole):
    """An --act render mixes its span alone, at the whole film's gain: same samples."""
    track, cache = whole
    act = film.find_act("inflammation")
    part = sound.soundtrack(film, act.start, act.end, cache_dir=cache)
    i0, i1 = clips.sample_index(act.start), clips.sample_index(act.end)
    assert np.array_equal(part.audio, track.audio[i0:i1])


def test_bed_is_ducked_10_db_under_speech(film):
    """The bed's level with the duck over the same bed without, inside speech."""
    a, b = 10.0, 40.0
    voiced = sound.voiced_lines(film, "en")
    speech = mix.speech_intervals(mix.clips_from_voiced(voiced))
    bed = music.render(sound.segments(film), a, b)
    gain = mix.duck_gain(speech, a, b)
    t = a + np.arange(len(bed)) / clips.RATE
    inside = np.zeros(len(bed), bool)
    for s, e in speech:
        inside |= (t >= s) & (t < e)
    assert inside.mean() > 0.3
    ducked = (bed[inside] * gain[inside, None]).astype(np.float64)
    drop = 10 * np.log10(np.sum(ducked ** 2) / np.sum(bed[inside].astype(np.float64) ** 2))
    assert drop <= -10.0


def test_bed_follows_the_acts_warmth(film):
    segs = sound.segments(film)
    warm = dict(zip((a.name for a in film.acts), (s.warmth_span for s in segs)))
    assert warm["fibrosis"][1] > 0.8 and warm["resolution"][0] < 0.2


def test_shipped_takes_are_small_and_current(film):
    """The scratch takes ship with the film (pip-only installs are narrated): a few
    hundred KB a language, none stale, and every English narrated line has one."""
    vf = sound.voice_folder(film)
    for lang in ("en", "fr", "de", "ja"):
        assert sum(p.stat().st_size for p in vf.glob(f"*.{lang}.opus")) < 400_000
        ids = {ln.id for ln in sound.narration(film, lang)}
        assert ids <= {p.name.split(f".{lang}.")[0] for p in vf.glob(f"*.{lang}.opus")}, lang
    assert not [p for p in sound.take_problems(film, ["en", "fr", "de", "ja"])
                if p.kind == "stale"]


def test_japanese_is_voiced_from_its_reading(film):
    """espeak-ng names each kanji ("chinese letter"), so a Japanese line is said from the
    table's reading_ja (kana); the take is paced for the caption's 4 characters a second
    (the caption leaves with it), and goes stale when the text or the reading changes."""
    from hepaanim.audio import voice
    row = film.script.script["dive.kupffer"]
    (line,) = [ln for ln in sound.narration(film, "ja") if ln.id == "dive.kupffer"]
    assert line.text == row.readings["ja"] and line.shown == row.text["ja"]
    assert not voice.speakable(row.text["ja"], "ja") and voice.speakable(line.text, "ja")
    assert voice.speakable(row.text["en"], "en")
    take = voice.take_path(sound.voice_folder(film), "dive.kupffer", "ja")
    seconds = voice.take_seconds(take, "dive.kupffer")
    assert seconds >= voice.readable_seconds(line.shown, "ja") - 1e-3
    edited = voice.Line(line.id, line.text, line.start, line.end, shown=line.shown + "だ")
    problems = voice.check([edited], "ja", sound.voice_folder(film))
    assert [p.kind for p in problems] == ["stale"]
    assert voice.check([line], "ja", sound.voice_folder(film)) == []


def test_a_japanese_line_without_a_reading_is_named_not_garbled(tmp_path):
    from hepaanim.audio import voice
    said = []
    lines = [voice.Line("a", "肝臓は血液を受ける", 0.0, 5.0),
             voice.Line("b", "かんぞうは けつえきを うける", 0.0, 5.0)]
    written = voice.make_scratch(lines, "ja", tmp_path, warn=said.append)
    assert [p.name for p in written] == ["b.ja.flac"]
    assert len(said) == 1 and "(a)" in said[0] and "reading_ja" in said[0]


# -- bad input --------------------------------------------------------------------------

@pytest.fixture
def film_copy(tmp_path):
    """The film's folder and scene file copied, to spoil a take without touching the repo."""
    shutil.copytree(ROOT / "scenes" / "hepastem", tmp_path / "hepastem",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SCENE, tmp_path / SCENE.name)
    return tmp_path


def _wrong_rate(p: Path):
    soundfile.write(str(p.with_suffix(".wav")), np.zeros(4410, np.float32), 44100)


def _unreadable(p: Path):
    p.with_suffix(".flac").write_bytes(b"not a flac file at all")


def _missing(p: Path):
    p.unlink()


@pytest.mark.parametrize("spoil,says", [(_wrong_rate, "44100 Hz"), (_unreadable, "unreadable"),
                                        (_missing, "take not found")])
def test_bad_take_names_file_and_line(film_copy, tmp_path, spoil, says):
    take = film_copy / "hepastem" / "voice" / "dive.flow.en.opus"
    spoil(take)
    r = cli("render", film_copy / SCENE.name, *SMALL, "--from", "24", "--to", "24.5",
            "-o", tmp_path / "x.mp4", cache=tmp_path / "c")
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert "\n" not in line and "dive.flow" in line and says in line, line
    assert "dive.flow.en." in line
    assert not (tmp_path / "x.mp4").exists()


def test_no_espeak_and_no_take_is_silent_with_one_line(film_copy, tmp_path):
    shutil.rmtree(film_copy / "hepastem" / "voice")
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "x.mp4"
    r = cli("render", film_copy / SCENE.name, *SMALL, "--from", "24", "--to", "24.5",
            "-o", out, env={"PATH": str(empty)}, cache=tmp_path / "c")
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "silent" in lines[0] and "dive.flow" in lines[0], lines
    assert mux.streams(out) == [("video", "h264"), ("audio", "aac")]


def test_check_reports_stale_and_too_long_takes(film_copy):
    """`hepaanim check`: a take whose line's text changed after it was made, and a take
    longer than its line's window, one line each naming the take and the line."""
    csv = film_copy / "hepastem" / "script.csv"
    text = csv.read_text(encoding="utf-8")
    old = "watched by resident immune cells (Kupffer cells)."
    assert old in text
    csv.write_text(text.replace(old, "watched by resident immune cells: Kupffer cells."),
                   encoding="utf-8")
    voice_dir = film_copy / "hepastem" / "voice"
    soundfile.write(str(voice_dir / "dive.flow.en.flac"),
                    0.1 * np.sin(np.arange(48_000 * 6) / 10.0).astype(np.float32), 48_000)
    r = cli("check", film_copy / SCENE.name)
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout.splitlines()
    stale = [x for x in out if "dive.kupffer.en.opus" in x and "stale" in x]
    long_ = [x for x in out if "dive.flow.en.flac" in x and "window" in x]
    assert len(stale) == 1 and len(long_) == 1, out


def test_described_adds_a_second_stream_and_a_descriptions_track(tmp_path, film):
    """--described: a second audio stream that speaks the description in a narration
    pause (louder there than the main mix), and <name>.descriptions.vtt with its cue."""
    out = tmp_path / "d.mp4"
    r = cli("render", SCENE, *SMALL, "--from", "18.2", "--to", "21.0", "--described",
            "-o", out, cache=tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert mux.streams(out) == [("video", "h264"), ("audio", "aac"), ("audio", "aac")]
    vtt = out.with_name("d.descriptions.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "hepatic artery light up" in vtt
    proc = subprocess.run([mux._ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(out),
                           "-map", "0:a:1", "-f", "f32le", "-ac", "2", "-ar", "48000",
                           "pipe:1"], capture_output=True, check=True)
    described = np.frombuffer(proc.stdout, np.float32).reshape(-1, 2)
    main = mux.decode_audio(out)
    assert levels.rms_db(described) > levels.rms_db(main) + 6.0


def test_every_english_description_finds_a_pause(film):
    """Each English description is spoken in a pause of the English narration, inside its
    window: the described mix leaves none out (three did, until they were shortened)."""
    vs = sound.voices(film, sound.narration(film, "en"), "en")
    dvs = sound.voices(film, sound.description_lines(film, "en"), "en")
    said = []
    placed, _ = sound.place_descriptions(film, vs, dvs, warn=said.append)
    assert len(dvs) >= 8 and len(placed) == len(dvs), said
    speech = [(v.start, v.end) for v in vs]
    for p in placed:
        assert p.description.start <= p.start < p.description.end
        assert not any(a < p.end and p.start < b for a, b in speech), p.description.id


def test_webm_carries_opus(tmp_path):
    out = tmp_path / "w.webm"
    r = cli("render", SCENE, *SMALL, "--format", "webm", "--from", "24.4", "--to", "25.0",
            "-o", out, cache=tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert [k for k, _ in mux.streams(out)] == ["video", "audio"]
    assert mux.streams(out)[1][1] == "opus"
    frames, _ = mux.video_duration(out)
    assert abs(len(mux.decode_audio(out)) / clips.RATE - frames / FPS) <= 1 / FPS


def test_voice_scratch_makes_the_missing_take(film_copy):
    """`hepaanim voice SCENE --scratch --lang en` writes a take for a line that has none
    (Opus, with its sidecar), leaves current takes alone, and ships the levels."""
    voice_dir = film_copy / "hepastem" / "voice"
    before = {p.name: p.read_bytes() for p in voice_dir.glob("dive.kupffer.en.*")}
    for p in voice_dir.glob("dive.flow.en.*"):
        p.unlink()
    r = cli("voice", film_copy / SCENE.name, "--scratch", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "en: 1 scratch take(s)" in r.stdout
    take = voice_dir / "dive.flow.en.opus"
    assert soundfile.info(str(take)).samplerate == 48_000
    assert (voice_dir / "dive.flow.en.json").is_file()
    assert {p.name: p.read_bytes() for p in voice_dir.glob("dive.kupffer.en.*")} == before
    assert (voice_dir / "levels.json").is_file()


def test_voice_column_decides_narration(tmp_path):
    """The table's voice column: yes/no override the style (lower thirds and titles are
    narrated, labels and cards shown only); anything else names file:row:voice."""
    from hepaanim.script import ScriptError, load_script
    head = "id,act,in,out,style,position,claims,voice,en\n"
    p = tmp_path / "script.csv"
    p.write_text(head + "a,x,0,1,lower_third,bottom,-,,Said.\n"
                 "b,x,0,1,lower_third,bottom,-,no,Shown only.\n"
                 "c,x,0,1,label,top_right,-,,Label.\n"
                 "d,x,0,1,label,top_right,-,yes,Label said.\n"
                 "e,x,0,1,description,audio,-,,Described.\n", encoding="utf-8")
    s = load_script(p)
    assert [ln.narrated for ln in s] == [True, False, False, True, False]
    p.write_text(head + "a,x,0,1,lower_third,bottom,-,maybe,Said.\n", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"script.csv:2:voice: 'maybe'"):
        load_script(p)


def test_check_reports_a_recording_with_silence_before_or_after_its_speech(tmp_path):
    """A recorded take is placed at its caption's in-time and the caption leaves with its
    end, so a lead-in or a long tail of room tone puts caption and voice apart: named."""
    from hepaanim.audio import voice
    rng = np.random.default_rng(1)
    speech = (0.3 * rng.standard_normal(48_000)).astype(np.float32)
    silence = np.zeros(24_000, np.float32)
    line = voice.Line("x", "Cells calm the fire.", 0.0, 10.0)
    voice.write_take(tmp_path, "x", "en", np.concatenate([speech, silence[:4_800]]),
                     line.text, "mic")
    assert voice.check([line], "en", tmp_path) == []      # 0.1 s of room tone is fine
    voice.write_take(tmp_path, "x", "en", np.concatenate([silence, speech, silence, silence]),
                     line.text, "mic")
    found = {p.kind: p.detail for p in voice.check([line], "en", tmp_path)}
    assert set(found) == {"lead_in", "tail"}, found
    assert found["lead_in"].startswith("speech starts 0.5")
    assert found["tail"].startswith("1.0")
