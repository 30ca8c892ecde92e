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
TAIL_S = voice.CAPTION_TAIL      # a caption leaves this long after its speech: <= 12 frames
                             # at up to 60 fps (Netflix: no later than 12 frames)
LEVELS_VERSION = 1           # bump when the mix's arithmetic changes (cache key)
BLOCK = 2048                 # the limiter's block (levels._BLOCK): spans align to it
PAD = 4 * BLOCK              # samples mixed beyond a span either side, then cut off
LEVELS_FILE = "levels.json"  # the shipped takes' measured levels (hepaanim voice)
TARGETS = (-16.0, -23.0)     # the loudness targets measured for shipping


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
    return caption.end if caption.window_end is None else caption.window_end


def narration(film, lang: str = "en") -> list[voice.Line]:
    """The narrated lines in film-time order, with their captions' windows."""
    script = film.script.script
    out = []
    for c in film.timeline.captions:
        if c.line_id and c.line_id in script and script[c.line_id].narrated:
            out.append(said(script[c.line_id], c.text_in(lang), lang, c.start,
                            window_end(c)))
    return sorted(out, key=lambda ln: (ln.start, ln.id))


def said(row, text: str, lang: str, start: float, end: float) -> voice.Line:
    """A table row as its voice says it: the text, or its reading (``reading_<lang>``)
    with the text kept as what the caption shows."""
    reading = row.readings.get(lang)
    if reading:
        return voice.Line(row.id, spoken(reading), start, end, shown=text)
    return voice.Line(row.id, spoken(text), start, end)


def description_lines(film, lang: str = "en") -> list[voice.Line]:
    """The table's description rows (a language without its text is left out) with their
    windows on the film's time line."""
    script, out = film.script.script, []
    acts = {a.name: a for a in film.acts}
    for ln in script:
        if ln.style == "description" and ln.act in acts and lang in ln.text:
            a = acts[ln.act].start
            out.append(said(ln, ln.text[lang], lang, a + ln.start, a + ln.end))
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


# -- voices, lazily ------------------------------------------------------------------------

class Voice:
    """A line's voice on the film's time line, decoded and levelled only when a mix needs
    its samples: a span's mix decodes the takes it overlaps, and the rest of the film
    counts only their lengths (from the file headers) for the ducking and the pauses.
    `key` identifies the sound (the take file's bytes, or the scratch samples) for the
    levels cache."""

    def __init__(self, line: voice.Line, seconds: float, key: bytes, path: Path | None = None,
                 audio: np.ndarray | None = None):
        self.line, self.seconds, self.key = line, seconds, key
        self.path, self._audio, self._levelled = path, audio, None

    @property
    def start(self) -> float:
        return self.line.start

    @property
    def end(self) -> float:
        return self.line.start + self.seconds

    @property
    def audio(self) -> np.ndarray:
        if self._audio is None:
            self._audio = voice.read_take(self.path, self.line.id)
        return self._audio

    def clip(self, at: float | None = None) -> mix.Clip:
        """The clip levelled to the voice level (mix.level_clip), at `at` (default its
        line's start)."""
        if self._levelled is None:
            self._levelled = mix.level_clip(self.audio)
        return mix.Clip(self.line.id, self.start if at is None else at, self._levelled)


def voices(film, lines, lang: str, warn=voice.warn_stderr) -> list[Voice]:
    """Each line's voice: its take (recorded or shipped; its length from the header), else
    espeak-ng now, else none; lines left silent are named in one warning.  A bad take
    raises voice.TakeError naming the file and the line."""
    vf, out, silent = voice_folder(film), [], []
    for ln in lines:
        p = voice.take_path(vf, ln.id, lang)
        if p is not None:
            out.append(Voice(ln, voice.take_seconds(p, ln.id),
                             hashlib.sha256(p.read_bytes()).digest(), path=p))
            continue
        side = voice.orphan_sidecar(vf, ln.id, lang)
        if side is not None:
            raise voice.missing_take(side, ln.id, lang)
        if voice.espeak() is not None and ln.text.strip():
            a = voice.synthesize(ln.text, lang)
            out.append(Voice(ln, len(a) / RATE, hashlib.sha256(a.tobytes()).digest(), audio=a))
        elif ln.text.strip():
            silent.append(ln.id)
    if silent:
        warn(f"warning: espeak-ng not found and no recorded take: {len(silent)} line(s) "
             f"silent ({', '.join(silent)}); install espeak-ng or add takes")
    return out


def voiced_lines(film, lang: str = "en", warn=voice.warn_stderr) -> list[voice.Voiced]:
    """Every narrated line voiced, decoded (take, else scratch; silent lines left out)."""
    return [voice.Voiced(v.line, v.audio, "take" if v.path else "scratch")
            for v in voices(film, narration(film, lang), lang, warn)]


# -- levels of the whole film ---------------------------------------------------------------

@dataclass(frozen=True)
class Levels:
    """The whole film's bed lift under sparse narration and its loudness gain (dB)."""
    boost_db: float
    gain_db: float


def _intervals(vs) -> list[tuple[float, float]]:
    """Speech intervals (mix.speech_intervals' bridging) from the voices' lengths alone."""
    return mix.speech_intervals([mix.Clip(v.line.id, v.start, _Len(v.seconds)) for v in vs])


class _Len:
    """Stands in for a clip's samples where only their number is read."""

    def __init__(self, seconds: float):
        self.n = int(round(seconds * RATE))

    def __len__(self) -> int:
        return self.n


def _raw(vs, placed, segs, i0: int, i1: int, boost_db: float, seed: int) -> np.ndarray:
    """voice + ducked (and lifted) bed over absolute samples [i0, i1), before the gain.
    `vs`: every voice (their lengths duck the bed); `placed`: (voice, start) pairs whose
    samples are mixed (those that reach into the span)."""
    a, b = i0 / RATE, i1 / RATE
    clips = [v.clip(at) for v, at in placed
             if at < b and at + v.seconds > a]
    x = mix.place(clips, a, b)
    bed = music.render(segs, a, b, seed=seed)
    if len(bed) != len(x):       # music.render rounds a and b itself: equal by construction
        raise AssertionError("bed and voice spans differ")
    bed *= mix.duck_gain(_intervals(vs), a, b)[:, None]
    if boost_db:
        bed *= np.float32(10.0 ** (boost_db / 20.0))
    return x + bed


def digest(vs, segs, duration: float, target_lufs: float, seed: int) -> str:
    h = hashlib.sha256(f"v{LEVELS_VERSION} {duration!r} {target_lufs!r} {seed} "
                       f"{segs!r}".encode())
    for v in vs:
        h.update(f"{v.line.id} {v.start!r} {v.seconds!r}".encode())
        h.update(v.key)
    return h.hexdigest()[:32]


def film_levels(vs, segs, duration: float, target_lufs: float, seed: int = 0,
                cache_dir: Path | None = None, shipped: Path | None = None) -> Levels:
    """Levels of the whole film, from `shipped` (the film's ``voice/levels.json``, written
    by ``hepaanim voice`` beside its takes) or the disk cache when the same voices, bed
    and target were measured before: then no take is decoded here.  Anything changed (a
    recorded take, an act's length or warmth) changes the digest: measured once, cached."""
    key = digest(vs, segs, duration, target_lufs, seed)
    if shipped is not None and Path(shipped).is_file():
        try:
            d = json.loads(Path(shipped).read_text()).get(key)
            if d is not None:
                return Levels(float(d["boost_db"]), float(d["gain_db"]))
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    path = Path(cache_dir) / "sound" / f"{key}.json" if cache_dir else None
    if path is not None and path.is_file():
        try:
            d = json.loads(path.read_text())
            return Levels(float(d["boost_db"]), float(d["gain_db"]))
        except (OSError, ValueError, KeyError):
            pass
    if not vs:                   # no narration: the gain a narrated film would get
        return Levels(0.0, float(target_lufs - mix.VOICE_LUFS))
    voice_only = mix.place([v.clip() for v in vs], 0.0, duration)
    bed = music.render(segs, 0.0, duration, seed=seed)
    bed *= mix.duck_gain(_intervals(vs), 0.0, duration)[:, None]
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


def span_mix(vs, segs, levels: Levels, a: float, b: float, duration: float,
             target_lufs: float, seed: int = 0) -> np.ndarray:
    """The mix over [a, b) at the whole film's levels: the same samples as that span of
    the whole film's mix.  Mixed over a span widened to whole limiter blocks plus PAD
    either side (within the film), limited, then cut to [a, b)."""
    i0, i1, n = sample_index(a), sample_index(b), sample_index(duration)
    p0 = max(0, (i0 // BLOCK) * BLOCK - PAD)
    p1 = min(n, -(-i1 // BLOCK) * BLOCK + PAD) if i1 <= n else i1
    x = _raw(vs, [(v, v.start) for v in vs], segs, p0, p1, levels.boost_db, seed)
    y, _ = mix.normalise(x, RATE, target_lufs, gain_db=levels.gain_db)
    return np.ascontiguousarray(y[i0 - p0:i1 - p0])


# -- the soundtrack ---------------------------------------------------------------------

@dataclass
class Soundtrack:
    """A span's audio: the mix, the described mix (or None), the descriptions placed
    (for the WebVTT track), the narration's voices, and the whole film's levels."""
    audio: np.ndarray
    described: np.ndarray | None
    placed: list
    voices: list
    levels: Levels


def place_descriptions(film, vs, dvs, warn=voice.warn_stderr):
    """(placed descriptions, their voices moved there): the description voices `dvs`
    placed in the pauses of the narration `vs`.  A description that fits no pause is
    named in one warning and left out."""
    if not dvs:
        return [], []
    descs = [describe.Description(v.line.id, v.line.text, v.line.start, v.line.end)
             for v in dvs]
    speech = sorted((v.start, v.end) for v in vs)
    placed, unfit = describe.place(descs, {v.line.id: v.seconds for v in dvs},
                                   speech, 0.0, film.duration)
    if unfit:
        warn(f"warning: {len(unfit)} description(s) fit no pause in the narration and are "
             f"left out: {', '.join(d.id for d in unfit)}")
    by_id = {v.line.id: v for v in dvs}
    moved = [Voice(voice.Line(p.description.id, by_id[p.description.id].line.text, p.start,
                              p.start + by_id[p.description.id].seconds),
                   by_id[p.description.id].seconds, by_id[p.description.id].key,
                   by_id[p.description.id].path, by_id[p.description.id]._audio)
             for p in placed]
    return placed, moved


def soundtrack(film, a: float, b: float, lang: str = "en",
               target_lufs: float = mix.TARGET_LUFS, described: bool = False,
               cache_dir: Path | None = None, seed: int = 0,
               warn=voice.warn_stderr) -> Soundtrack:
    """The film's sound over [a, b): narration (levelled), the bed from the acts' warmth,
    ducked, at the whole film's loudness; with `described`, a second mix that also
    speaks the descriptions in the narration's pauses."""
    # narration and descriptions voiced in one call: one warning names every silent line
    narrated, descs = narration(film, lang), description_lines(film, lang)
    both = voices(film, narrated + descs, lang, warn)
    ids = {ln.id for ln in narrated}
    vs = [v for v in both if v.line.id in ids]
    dvs = [v for v in both if v.line.id not in ids]
    segs = segments(film)
    shipped = voice_folder(film) / LEVELS_FILE
    lv = film_levels(vs, segs, film.duration, target_lufs, seed, cache_dir, shipped)
    audio = span_mix(vs, segs, lv, a, b, film.duration, target_lufs, seed)
    placed, moved = place_descriptions(film, vs, dvs, warn)
    out_d = None
    if described:
        all_vs = sorted(vs + moved, key=lambda v: (v.start, v.line.id))
        lv_d = film_levels(all_vs, segs, film.duration, target_lufs, seed, cache_dir,
                           shipped)
        out_d = span_mix(all_vs, segs, lv_d, a, b, film.duration, target_lufs, seed)
    return Soundtrack(audio, out_d, placed, vs, lv)


# -- takes: make and check --------------------------------------------------------------

def make_scratch(film, lang: str = "en", replace: bool = True) -> list[Path]:
    """Write the film's scratch takes for `lang` (narration and descriptions) into its
    voice folder, replacing older scratch takes (never a recorded one)."""
    lines = narration(film, lang) + description_lines(film, lang)
    return voice.make_scratch(lines, lang, voice_folder(film), replace=replace)


def ship_levels(film, langs) -> Path:
    """Measure the whole film's levels for `langs` (and the English described mix) at
    each of TARGETS, and write them to ``voice/levels.json``: a render from the shipped
    takes then measures nothing (its first render costs what a cached one does)."""
    import tempfile
    entries = {}
    segs = segments(film)
    with tempfile.TemporaryDirectory() as d:
        for lang in langs:
            narrated, descs = narration(film, lang), description_lines(film, lang)
            both = voices(film, narrated + descs, lang)
            ids = {ln.id for ln in narrated}
            vs = [v for v in both if v.line.id in ids]
            dvs = [v for v in both if v.line.id not in ids]
            _, moved = place_descriptions(film, vs, dvs, warn=lambda m: None)
            sets = [vs] + ([sorted(vs + moved, key=lambda v: (v.start, v.line.id))]
                           if moved else [])
            for target in TARGETS:
                for group in sets:
                    lv = film_levels(group, segs, film.duration, target, 0, Path(d))
                    entries[digest(group, segs, film.duration, target, 0)] = {
                        "lang": lang, "target_lufs": target, "described": group is not vs,
                        "boost_db": lv.boost_db, "gain_db": lv.gain_db}
    path = voice_folder(film) / LEVELS_FILE
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


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
            lines.append(voice.Line(ln.id, ln.text, ln.start, float("inf"), ln.shown))
        problems += voice.check(lines, lang, vf)
    return problems


def _has_text(film, lang: str) -> bool:
    try:
        narration(film, lang)
        return True
    except ValueError:           # a line without this language: the version checks say so
        return False


def check_problems(film) -> list:
    """``take_problems`` as ``hepaanim check`` reports them (script.Problem: the take's
    file, the line id, what is wrong), every language; a bad take file is one too."""
    from ..script import Problem
    if film.script is None:
        return []
    try:
        found = take_problems(film)
    except voice.TakeError as e:
        where, _, rest = str(e).partition(": line ")
        line_id, _, what = rest.partition(": ")
        return [Problem(where, line_id, what)]
    return [Problem(str(p.path), p.line_id, p.detail) for p in found]
