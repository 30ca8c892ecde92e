"""A film's sound: from its script table, captions and acts to the engine's arrays.

The rest of ``hepaanim.audio`` knows no film; this module reads one (a built ``Film`` with
a script table) and hands the engine what it asks for:

- the narrated lines (the table's ``voice`` decision, ``script/table.py``) with their
  windows on the film's time line, voiced from the takes in the film's ``voice/`` folder
  (``<line id>.<lang>.flac``: a recorded take, or the shipped scratch take that
  ``hepaanim voice SCENE --scratch`` made), else espeak-ng now, else silence;
- the bed's segments: one per act, its warmth read from the film's own ``scene.warmth``
  track at the act's two ends (the palette's warm-to-cool logic is the music's);
- the description lines (style ``description``), placed in the narration's pauses.

Why the whole film is measured even for an ``--act`` render: integrated loudness and the
bed's lift under sparse narration are properties of the programme, not of a span.  They
are two numbers (``Levels``), computed once over the whole film and cached on disk by a
digest of everything they depend on, so a span's mix uses the whole film's gain and its
samples equal the same span of the whole film's mix (the limiter works on blocks aligned
to absolute sample indices, with a margin either side).

Captions follow the voice (``follow_voice``): a narrated caption starts where its speech
starts (the take's first sample is its onset, placed at the caption's in-time) and leaves
at most ``TAIL_S`` (12 frames at 60 fps) after the speech ends, per language, from the take's duration.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import describe, mix, music, voice
from .clips import RATE, sample_index

VOICE_DIR = "voice"          # the film's takes, beside its script table
TAIL_S = 0.2                 # a caption leaves this long after its speech: <= 12 frames
                             # at up to 60 fps (Netflix: no later than 12 frames)
LEVELS_VERSION = 1           # bump when the mix's arithmetic changes (cache key)
BLOCK = 2048                 # the limiter's block (levels._BLOCK): spans align to it
PAD = 4 * BLOCK              # samples mixed beyond a span either side, then cut off


def folder(film) -> Path:
    """The film's data folder (where its script.csv is)."""
    if film.script is None:
        raise ValueError("the film has no script table: nothing to narrate")
    return Path(film.script.script.path).parent


def voice_folder(film) -> Path:
    return folder(film) / VOICE_DIR


def spoken(text: str) -> str:
    """A table text as said: a title's line break becomes a sentence break."""
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    return " ".join([p if p[-1] in ".,;:!?…。、" else p + "." for p in parts[:-1]]
                    + parts[-1:])


def window_end(caption) -> float:
    """The caption's end as its act placed it (before ``follow_voice`` shortened it)."""
    return getattr(caption, "window_end", caption.end)


def narration(film, lang: str = "en") -> list[voice.Line]:
    """The narrated lines in film-time order, with their captions' windows."""
    script = film.script.script
    out = []
    for c in film.timeline.captions:
        if c.line_id and c.line_id in script and script[c.line_id].narrated:
            out.append(voice.Line(c.line_id, spoken(c.text_in(lang)), c.start, window_end(c)))
    return sorted(out, key=lambda ln: (ln.start, ln.id))


def description_lines(film, lang: str = "en") -> list[voice.Line]:
    """The table's description rows (a language without its text is left out) with their
    windows on the film's time line."""
    script, out = film.script.script, []
    acts = {a.name: a for a in film.acts}
    for ln in script:
        if ln.style == "description" and ln.act in acts and lang in ln.text:
            a = acts[ln.act].start
            out.append(voice.Line(ln.id, spoken(ln.text[lang]), a + ln.start, a + ln.end))
    return sorted(out, key=lambda ln: (ln.start, ln.id))


def segments(film) -> tuple[music.Segment, ...]:
    """One bed segment per act, warmth from the film's ``scene.warmth`` at its two ends."""
    def warmth(t):
        w = film.evaluate(t).settings.params.get("warmth")
        return 0.5 if w is None else float(w)
    eps = 1e-3
    return tuple(music.Segment(a.start, a.end, (warmth(a.start + eps),
                                                warmth(max(a.start, a.end - eps))))
                 for a in film.acts)


def take_durations(film, lang: str) -> dict[str, float]:
    """Seconds of each narrated line's take on disk in `lang` (read from the file's
    header, not decoded: a build reads them for every language).  A bad take (missing,
    unreadable, not 48 kHz) raises voice.TakeError naming the file and the line: the
    film does not load (exit 2), before any frame is rendered."""
    vf, out = voice_folder(film), {}
    script = film.script.script
    for c in film.timeline.captions:
        if not (c.line_id and c.line_id in script and script[c.line_id].narrated):
            continue
        p = voice.take_path(vf, c.line_id, lang)
        if p is not None:
            out[c.line_id] = voice.take_seconds(p, c.line_id)
        elif (side := voice.orphan_sidecar(vf, c.line_id, lang)) is not None:
            raise voice.missing_take(side, c.line_id, lang)
    return out


def follow_voice(film, lang: str = "en") -> None:
    """Captions follow the voice: a narrated caption whose take is shorter than its
    window leaves ``TAIL_S`` after the speech ends (its fade-out over by then), so at
    any frame rate up to 60 fps it is gone within 12 frames; its in-time is the speech
    onset already (a take's first sample is its onset, placed there).

    Called at the end of the film's build, so every process that loads the film (render
    workers, Dask, preview, stills) times its captions alike.  Only takes on disk count
    (recorded or the shipped scratch takes): a build never waits for espeak-ng.  Each
    caption keeps ``window_end`` (the table's end) and ``ends`` (its end per language
    with takes); this sets ``end`` for `lang`."""
    langs = film.script.script.languages if film.script is not None else ()
    durations = {lg: take_durations(film, lg) for lg in langs}
    for c in film.timeline.captions:
        c.window_end = window_end(c)
        c.ends = {lg: min(c.window_end, max(c.start + d[c.line_id] + TAIL_S,
                                            c.start + c.fade))
                  for lg, d in durations.items() if c.line_id in d}
        c.end = c.ends.get(lang, c.window_end)


# -- levels of the whole film ---------------------------------------------------------------

@dataclass(frozen=True)
class Levels:
    """The whole film's bed lift under sparse narration and its loudness gain (dB)."""
    boost_db: float
    gain_db: float


def _levelled(clips):
    return [mix.Clip(c.id, c.start, mix.level_clip(c.audio)) for c in clips]


def _raw(clips, segs, i0: int, i1: int, boost_db: float, seed: int) -> np.ndarray:
    """voice + ducked (and lifted) bed over absolute samples [i0, i1), before the gain."""
    a, b = i0 / RATE, i1 / RATE
    x = mix.place(clips, a, b)
    bed = music.render(segs, a, b, seed=seed)
    if len(bed) != len(x):       # music.render rounds a and b itself: equal by construction
        raise AssertionError("bed and voice spans differ")
    bed *= mix.duck_gain(mix.speech_intervals(clips), a, b)[:, None]
    if boost_db:
        bed *= np.float32(10.0 ** (boost_db / 20.0))
    return x + bed


def digest(clips, segs, duration: float, target_lufs: float, seed: int) -> str:
    h = hashlib.sha256(f"v{LEVELS_VERSION} {duration!r} {target_lufs!r} {seed} "
                       f"{segs!r}".encode())
    for c in clips:
        h.update(f"{c.id} {c.start!r} {c.audio.shape}".encode())
        h.update(np.ascontiguousarray(c.audio).tobytes())
    return h.hexdigest()[:32]


def film_levels(clips, segs, duration: float, target_lufs: float, seed: int = 0,
                cache_dir: Path | None = None) -> Levels:
    """Levels of the whole film (clips already levelled), from the disk cache when the
    same inputs were measured before."""
    key = digest(clips, segs, duration, target_lufs, seed)
    path = Path(cache_dir) / "sound" / f"{key}.json" if cache_dir else None
    if path is not None and path.is_file():
        try:
            d = json.loads(path.read_text())
            return Levels(float(d["boost_db"]), float(d["gain_db"]))
        except (OSError, ValueError, KeyError):
            pass
    if not clips:                # no narration: the gain a narrated film would get
        return Levels(0.0, float(target_lufs - mix.VOICE_LUFS))
    voice_only = mix.place(clips, 0.0, duration)
    bed = music.render(segs, 0.0, duration, seed=seed)
    bed *= mix.duck_gain(mix.speech_intervals(clips), 0.0, duration)[:, None]
    boost = mix.bed_boost(voice_only, bed)
    x = voice_only + (bed * np.float32(10.0 ** (boost / 20.0)) if boost else bed)
    _, lv = mix.normalise(x, RATE, target_lufs)
    out = Levels(float(boost), float(lv.gain_db))
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_text(json.dumps({"boost_db": out.boost_db, "gain_db": out.gain_db}))
            tmp.replace(path)
        except OSError:
            pass                 # a cache that cannot be written costs time, not the render
    return out


def span_mix(clips, segs, levels: Levels, a: float, b: float, duration: float,
             target_lufs: float, seed: int = 0) -> np.ndarray:
    """The mix over [a, b) at the whole film's levels: the same samples as that span of
    the whole film's mix.  Mixed over a span widened to whole limiter blocks plus PAD
    either side (within the film), limited, then cut to [a, b)."""
    i0, i1, n = sample_index(a), sample_index(b), sample_index(duration)
    p0 = max(0, (i0 // BLOCK) * BLOCK - PAD)
    p1 = min(n, -(-i1 // BLOCK) * BLOCK + PAD) if i1 <= n else i1
    x = _raw(clips, segs, p0, p1, levels.boost_db, seed)
    y, _ = mix.normalise(x, RATE, target_lufs, gain_db=levels.gain_db)
    return np.ascontiguousarray(y[i0 - p0:i1 - p0])


# -- the soundtrack ---------------------------------------------------------------------

@dataclass
class Soundtrack:
    """A span's audio: the mix, the described mix (or None), the descriptions placed
    (for the WebVTT track), the voiced lines, and the whole film's levels."""
    audio: np.ndarray
    described: np.ndarray | None
    placed: list
    voiced: list
    levels: Levels


def voiced_lines(film, lang: str = "en", warn=voice.warn_stderr) -> list[voice.Voiced]:
    """Every narrated line voiced (take, else scratch, else silent with one warning)."""
    return voice.voice_lines(narration(film, lang), lang, voice_folder(film), warn=warn)


def place_descriptions(film, voiced, described, warn=voice.warn_stderr):
    """(placed descriptions, their clips): `described` (the description lines voiced)
    placed in the pauses of `voiced` (the narration).  A description that fits no pause
    is named in one warning and left out."""
    audio = {v.line.id: v.audio for v in described if len(v.audio)}
    descs = [describe.Description(v.line.id, v.line.text, v.line.start, v.line.end)
             for v in described if v.line.id in audio]
    if not descs:
        return [], []
    speech = mix.speech_intervals(mix.clips_from_voiced(voiced), bridge=0.0)
    placed, unfit = describe.place(descs, {k: len(x) / RATE for k, x in audio.items()},
                                   speech, 0.0, film.duration)
    if unfit:
        warn(f"warning: {len(unfit)} description(s) fit no pause in the narration and are "
             f"left out: {', '.join(d.id for d in unfit)}")
    return placed, [mix.Clip(p.description.id, p.start, audio[p.description.id])
                    for p in placed]


def soundtrack(film, a: float, b: float, lang: str = "en",
               target_lufs: float = mix.TARGET_LUFS, described: bool = False,
               cache_dir: Path | None = None, seed: int = 0,
               warn=voice.warn_stderr) -> Soundtrack:
    """The film's sound over [a, b): narration (levelled), the bed from the acts' warmth,
    ducked, at the whole film's loudness; with `described`, a second mix that also
    speaks the descriptions in the narration's pauses."""
    # narration and descriptions voiced in one call: one warning names every silent line
    narrated, descs = narration(film, lang), description_lines(film, lang)
    both = voice.voice_lines(narrated + descs, lang, voice_folder(film), warn=warn)
    voiced, dvoiced = both[:len(narrated)], both[len(narrated):]
    segs = segments(film)
    clips = _levelled(mix.clips_from_voiced(voiced))
    lv = film_levels(clips, segs, film.duration, target_lufs, seed, cache_dir)
    audio = span_mix(clips, segs, lv, a, b, film.duration, target_lufs, seed)
    placed, dclips = place_descriptions(film, voiced, dvoiced, warn)
    out_d = None
    if described:
        both = sorted(clips + _levelled(dclips), key=lambda c: (c.start, c.id))
        lv_d = film_levels(both, segs, film.duration, target_lufs, seed, cache_dir)
        out_d = span_mix(both, segs, lv_d, a, b, film.duration, target_lufs, seed)
    return Soundtrack(audio, out_d, placed, voiced, lv)


# -- takes: make and check --------------------------------------------------------------

def make_scratch(film, lang: str = "en", replace: bool = True) -> list[Path]:
    """Write the film's scratch takes for `lang` (narration and descriptions) into its
    voice folder, replacing older scratch takes (never a recorded one)."""
    lines = narration(film, lang) + description_lines(film, lang)
    return voice.make_scratch(lines, lang, voice_folder(film), replace=replace)


def take_problems(film, langs=None) -> list[voice.TakeProblem]:
    """What ``hepaanim check`` reports about takes: stale (the line's text changed after
    the take was made) or longer than the line's window, for every language that has
    takes.  A bad file raises voice.TakeError (file and line named)."""
    vf = voice_folder(film)
    if not vf.is_dir():
        return []
    langs = langs or film.script.script.languages
    problems = []
    for lang in langs:
        lines = []
        for ln in narration(film, lang) if _has_text(film, lang) else []:
            lines.append(ln)
        for ln in description_lines(film, lang):
            # a description need not fit its window: it must only start inside it
            lines.append(voice.Line(ln.id, ln.text, ln.start, float("inf")))
        problems += voice.check(lines, lang, vf)
    return problems


def _has_text(film, lang: str) -> bool:
    try:
        narration(film, lang)
        return True
    except ValueError:           # a line without this language: the version checks say so
        return False
