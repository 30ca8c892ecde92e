"""Voice-over: a recorded take when there is one, else a scratch voice from espeak-ng.

A narrated line is judged for timing long before the real recording exists, so every line
needs *some* voice: the recorded take (WAV or FLAC named after the line) always wins, and
without one espeak-ng synthesizes a scratch voice offline.  espeak-ng is a formant
synthesizer: the same text gives the same samples every time (checked in the tests), so a
render with scratch voices is as deterministic as its frames.

Takes live in one folder per film and language as ``<line id>.<lang>.flac`` (or ``.wav``)
with a sidecar ``<line id>.<lang>.json`` that records the digest of the text the take was
made from.  ``check`` compares it with the line's current text (a stale take: the script
changed after the recording) and the take's length with the line's window.

Bad takes are errors naming the file and the line (`TakeError`, one line, for the CLI to
print and exit 2); a line with neither a take nor espeak-ng is silent, with one warning
that names the silent lines, and the render goes on.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from . import clips
from .clips import RATE, as_stereo, resample, trim_silence

# espeak-ng's voice for each language the film ships (Debian's espeak-ng-data has them all).
VOICES = {"en": "en", "fr": "fr", "de": "de", "ja": "ja"}
WPM = 160                     # a calm explainer pace (espeak-ng's default is 175)
TAKE_SUFFIXES = (".flac", ".wav", ".opus")   # a recorded FLAC/WAV wins over a shipped .opus
# Shipped scratch takes are Ogg Opus at ~23 kbit/s mono (libsndfile's compression level
# 0.95): ~3 KB a second of speech, a few hundred KB a language, where 16-bit FLAC took
# 2.7 MB.  Opus decodes at 48 kHz and libsndfile keeps the exact length (pre-skip applied).
OPUS_LEVEL = 0.95


class TakeError(ValueError):
    """A take that cannot be used: missing, unreadable, or not 48 kHz.  The message is one
    line naming the file and the line id."""


@dataclass(frozen=True)
class Line:
    """One narrated script line: its id, its text in one language, and its window on the
    film's time line (the voice starts at `start` and should end by `end`)."""
    id: str
    text: str                   # what the voice says (a reading where the table has one)
    start: float = 0.0
    end: float = float("inf")
    shown: str = ""             # the caption's text, when `text` is its reading instead

    @property
    def key(self) -> str:
        """What a take is made from: the text, and the caption it reads when it is a
        reading (so a take goes stale when either changes)."""
        return f"{self.shown}\n{self.text}" if self.shown else self.text


@dataclass(frozen=True)
class Voiced:
    """A line's voice: the (n, 2) float32 clip at 48 kHz (empty when silent) and where it
    came from: 'take' (recorded or shipped file), 'scratch' (espeak-ng now) or 'silent'."""
    line: Line
    audio: np.ndarray
    source: str

    @property
    def duration(self) -> float:
        return len(self.audio) / RATE


@dataclass(frozen=True)
class TakeProblem:
    """What `check` found: kind is 'stale' (text changed after the take was made),
    'too_long' (the take outlasts its window), 'unstamped' (no sidecar, so staleness
    cannot be told), 'lead_in' or 'tail' (a recording with silence before or after its
    speech: its caption, timed to the take, would show early or stay late)."""
    line_id: str
    path: Path
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: line {self.line_id}: {self.detail}"


# -- text digests -----------------------------------------------------------------------

def text_digest(text: str) -> str:
    """sha256 of the text as spoken: Unicode NFC, whitespace collapsed, so re-wrapping a
    line in the script table does not make its take stale, but any word change does."""
    norm = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


# -- takes on disk ----------------------------------------------------------------------

def take_path(folder: Path, line_id: str, lang: str) -> Path | None:
    """The take for `line_id` in `lang` under `folder`, or None (FLAC before WAV)."""
    for suffix in TAKE_SUFFIXES:
        p = Path(folder) / f"{line_id}.{lang}{suffix}"
        if p.exists():
            return p
    return None


def sidecar_path(take: Path) -> Path:
    return Path(take).with_suffix(".json")


def read_take(path: Path, line_id: str) -> np.ndarray:
    """A take as (n, 2) float32 at 48 kHz.  Raises TakeError (file and line id named) when
    the file is missing or unreadable, has more than two channels, or is not 48 kHz: a
    recording at another rate is refused rather than resampled, because it usually means
    the wrong export preset, and the engineer should know."""
    path = Path(path)
    if not path.is_file():
        raise TakeError(f"{path}: line {line_id}: take not found")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except Exception as e:              # libsndfile's errors are RuntimeError / LibsndfileError
        reason = " ".join(str(e).split()) or type(e).__name__
        raise TakeError(f"{path}: line {line_id}: unreadable take ({reason})") from None
    if rate != RATE:
        raise TakeError(f"{path}: line {line_id}: take is {rate} Hz, expected {RATE} Hz")
    if data.shape[1] > 2:
        raise TakeError(f"{path}: line {line_id}: take has {data.shape[1]} channels, "
                        f"expected mono or stereo")
    return as_stereo(data)


def take_seconds(path: Path, line_id: str) -> float:
    """A take's length from its header (not decoded), checked as `read_take` checks it:
    a build reads every language's takes this way to time the captions."""
    path = Path(path)
    if not path.is_file():
        raise TakeError(f"{path}: line {line_id}: take not found")
    try:
        info = soundfile.info(str(path))
    except Exception as e:
        reason = " ".join(str(e).split()) or type(e).__name__
        raise TakeError(f"{path}: line {line_id}: unreadable take ({reason})") from None
    if info.samplerate != RATE:
        raise TakeError(f"{path}: line {line_id}: take is {info.samplerate} Hz, "
                        f"expected {RATE} Hz")
    return info.frames / info.samplerate


def orphan_sidecar(folder: Path, line_id: str, lang: str) -> Path | None:
    """A sidecar whose take is gone (deleted or never copied): a missing take, which
    must not quietly fall back to the scratch voice."""
    side = Path(folder) / f"{line_id}.{lang}.json"
    return side if side.is_file() and take_path(folder, line_id, lang) is None else None


def missing_take(side: Path, line_id: str, lang: str) -> TakeError:
    return TakeError(f"{side.with_suffix('.flac')}: line {line_id}: take not found (its "
                     f"sidecar {side.name} is there; add {line_id}.{lang}.flac, .wav or "
                     f".opus, or remove the sidecar)")


def write_take(folder: Path, line_id: str, lang: str, audio: np.ndarray, text: str,
               source: str, suffix: str = ".flac") -> Path:
    """Write a take as FLAC (16-bit, mono when both sides are equal: small enough to ship
    in the film's assets) with its sidecar; both written to temporaries and renamed.
    ``suffix=".opus"``: Ogg Opus (OPUS_LEVEL), for scratch takes shipped in a repository."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    audio = as_stereo(audio)
    out = audio[:, 0] if np.array_equal(audio[:, 0], audio[:, 1]) else audio
    target = folder / f"{line_id}.{lang}{suffix}"
    tmp = target.with_name(f".{target.name}.partial")
    if suffix == ".opus":
        soundfile.write(str(tmp), out, RATE, format="OGG", subtype="OPUS",
                        compression_level=OPUS_LEVEL)
    else:
        soundfile.write(str(tmp), out, RATE, subtype="PCM_16", format="FLAC")
    side = sidecar_path(target)
    side_tmp = side.with_name(f".{side.name}.partial")
    side_tmp.write_text(json.dumps({"line": line_id, "lang": lang,
                                    "text_sha256": text_digest(text), "text": text,
                                    "source": source}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    tmp.replace(target)
    side_tmp.replace(side)
    return target


# -- scratch voice ----------------------------------------------------------------------

def espeak() -> str | None:
    """Path of espeak-ng, or None where it is not installed."""
    return shutil.which("espeak-ng")


def espeak_version() -> str:
    exe = espeak()
    if exe is None:
        return "none"
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    parts = out.split(":")        # "eSpeak NG text-to-speech: 1.51  Data at: /usr/..."
    return parts[1].split()[0] if len(parts) > 1 and parts[1].split() else "unknown"


def synthesize(text: str, lang: str = "en", wpm: int = WPM, voice: str | None = None,
               trim: bool = True) -> np.ndarray:
    """Scratch voice for `text`: espeak-ng at `wpm`, resampled 22,050 -> 48,000 Hz, leading
    and trailing silence cut (speech onset = first sample), as (n, 2) float32.

    Text goes in on stdin as UTF-8 (so a line starting with '-' is not an option and
    Japanese arrives intact).  `trim=False` keeps espeak-ng's own lead-in silence.
    Raises FileNotFoundError without espeak-ng and ValueError for a language the film has
    no voice for.
    """
    exe = espeak()
    if exe is None:
        raise FileNotFoundError("espeak-ng is not installed")
    if voice is None:
        if lang not in VOICES:
            raise ValueError(f"no scratch voice for language {lang!r} "
                             f"(have {', '.join(sorted(VOICES))})")
        voice = VOICES[lang]
    with tempfile.TemporaryDirectory(prefix="hepaanim-voice-") as d:
        wav = Path(d) / "line.wav"
        proc = subprocess.run([exe, "-v", voice, "-s", str(int(wpm)), "-b", "1",
                               "-w", str(wav)], input=text.encode("utf-8"),
                              capture_output=True)
        if proc.returncode != 0 or not wav.exists():
            msg = " ".join(proc.stderr.decode("utf-8", "replace").split())
            raise RuntimeError(f"espeak-ng failed for voice {voice}: {msg}")
        data, rate = soundfile.read(str(wav), dtype="float32", always_2d=True)
    audio = resample(data[:, 0], rate, RATE)
    return trim_silence(audio) if trim else as_stereo(audio)


def _japanese(lang: str) -> bool:
    return lang.split("-")[0].lower() == "ja"


def speakable(text: str, lang: str) -> bool:
    """Whether espeak-ng can say ``text``: its Japanese voice reads kana and Latin, but
    names each kanji ("chinese letter"), so Japanese text with kanji needs its reading."""
    if not _japanese(lang):
        return True
    return not any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def scratch_source(lang: str, wpm: int = WPM) -> str:
    """What a sidecar records as a scratch take's maker."""
    read = READ_CPS_JA if _japanese(lang) else READ_CPS
    return (f"espeak-ng {espeak_version()} voice={VOICES.get(lang, lang)} wpm={wpm} "
            f"read={read:g}")     # the pacing rule: takes made before it are remade once


# -- lines to clips ---------------------------------------------------------------------

def voice_line(line: Line, lang: str, folder: Path | None, wpm: int = WPM) -> Voiced:
    """The line's voice: its take if there is one (TakeError if the take is bad), else a
    scratch voice, else silence (when espeak-ng is missing)."""
    if folder is not None:
        p = take_path(folder, line.id, lang)
        if p is not None:
            return Voiced(line, read_take(p, line.id), "take")
        side = orphan_sidecar(folder, line.id, lang)
        if side is not None:
            raise missing_take(side, line.id, lang)
    if espeak() is not None and line.text.strip() and speakable(line.text, lang):
        return Voiced(line, synthesize(line.text, lang, wpm), "scratch")
    return Voiced(line, np.zeros((0, 2), np.float32), "silent")


def warn_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def voice_lines(lines, lang: str, folder: Path | None = None, wpm: int = WPM,
                warn=warn_stderr) -> list[Voiced]:
    """Voice every line; lines left silent for want of espeak-ng are named in one warning
    (through `warn`, stderr by default) and the caller goes on with them silent."""
    out = [voice_line(line, lang, folder, wpm) for line in lines]
    silent = [v.line.id for v in out if v.source == "silent" and v.line.text.strip()]
    if silent and espeak() is None:
        warn(f"warning: espeak-ng not found and no recorded take: {len(silent)} line(s) "
             f"silent ({', '.join(silent)}); install espeak-ng or add takes")
    elif silent:
        warn(f"warning: no recorded take and no reading the scratch voice can say: "
             f"{len(silent)} {lang} line(s) silent ({', '.join(silent)}); add a "
             f"{READING_HINT.get(lang, 'reading')} column or takes")
    return out


def make_scratch(lines, lang: str, folder: Path, wpm: int = WPM,
                 replace: bool = False, suffix: str = ".flac",
                 warn=warn_stderr) -> list[Path]:
    """Write scratch takes (FLAC + sidecar) for lines that have no take (or all lines with
    `replace`, but never over a take whose sidecar says it was recorded).  This is what
    ships in the film's assets, so a pip-only install without espeak-ng is narrated too."""
    written, skipped = [], []
    source = scratch_source(lang, wpm)
    for line in lines:
        if not line.text.strip():
            continue
        p = take_path(folder, line.id, lang)
        if p is not None:
            meta = _sidecar(p)
            if not replace or not str(meta.get("source", "")).startswith("espeak-ng"):
                continue
            if (meta.get("text_sha256") == text_digest(line.key) and p.suffix == suffix
                    and str(meta.get("source", "")).split(" fit=")[0] == source
                    and (" fit=" in str(meta.get("source", ""))
                         or take_seconds(p, line.id) <= line.end - line.start)):
                continue     # up to date (a rewrite would change only Ogg's serial number)
        if p is not None and p.suffix != suffix:      # an older scratch take, other format
            p.unlink()
        if not speakable(line.text, lang):
            skipped.append(line.id)
            continue
        audio, used = fitted(line, lang, wpm)
        written.append(write_take(folder, line.id, lang, audio, line.key,
                                  source + (f" fit={used}" if used != wpm else ""), suffix))
    if skipped:
        warn(f"warning: {len(skipped)} {lang} line(s) have no reading the scratch voice "
             f"can say ({', '.join(skipped)}): add a {READING_HINT.get(lang, 'reading')} "
             "column, or record them")
    return written


FIT_MAX = 1.3     # a scratch take may speak up to 30 % faster to fit its line's window
READ_CPS = 16.5   # captions leave CAPTION_TAIL after their speech: a take at least
CAPTION_TAIL = 0.2  # len/READ_CPS - CAPTION_TAIL long keeps them under Netflix's 17 cps
EDGE_SILENCE_S = 0.1  # a take's silence before its speech (3 frames at 30 fps: the
                     # caption appears with the take's first sample), and after it
READ_CPS_JA = 3.9   # the same rule against the Japanese guide's 4 characters a second
READING_HINT = {"ja": "reading_ja (kana)"}


def readable_seconds(text: str, lang: str) -> float:
    """The shortest scratch take that keeps its caption readable once the caption leaves
    with the speech (Netflix reading speed: 17 characters a second in en/fr/de).  Why the
    voice bends and not the caption: the caption must leave within 12 frames of the speech
    ending, so only a calmer voice keeps both rules; a recorded take sets its own pace.
    Japanese is counted as its guide counts it (a full-width character 1, a half-width
    one 0.5) against 4 characters a second, on the caption's text (``shown``), not on the
    kana the voice reads."""
    if _japanese(lang):
        from ..access.subtitles import char_count
        # a title's line break is a full-width colon in its cue (output.subtitles)
        return max(0.0, char_count(text.replace("\n", "\uff1a"), "ja") / READ_CPS_JA
                   - CAPTION_TAIL)
    return max(0.0, len(text) / READ_CPS - CAPTION_TAIL)


def fitted(line: Line, lang: str, wpm: int = WPM) -> tuple[np.ndarray, int]:
    """The scratch voice of `line` and the rate it was spoken at: `wpm`, or faster (at
    most FIT_MAX times) when that is what it takes to fit the line's window.  A scratch
    take is for judging timing: a line that fits only when read 30 % faster is reported
    by `check` as too long (the text wants shortening), but the many that are a few
    tenths over at the calm pace are not made into false alarms."""
    audio = synthesize(line.text, lang, wpm)
    window = line.end - line.start
    least = readable_seconds(line.shown or line.text, lang)
    if np.isfinite(window):
        least = min(least, window)
    for _ in range(3):            # slower until a caption that leaves with it reads easily
        if len(audio) / RATE >= least:
            break
        wpm = max(80, int(wpm * len(audio) / RATE / least * 0.97))
        audio = synthesize(line.text, lang, wpm)
    if not np.isfinite(window) or len(audio) / RATE <= window:
        return audio, wpm
    faster = int(np.ceil(wpm * len(audio) / RATE / window * 1.03))
    faster = min(faster, int(wpm * FIT_MAX))
    return synthesize(line.text, lang, faster), faster


def _sidecar(take: Path) -> dict:
    try:
        return json.loads(sidecar_path(take).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check(lines, lang: str, folder: Path) -> list[TakeProblem]:
    """Problems with the takes of `lines`: stale (the line's text changed since the take
    was made), too long for the line's window, or unstamped (no readable sidecar).  A bad
    file raises TakeError as in rendering."""
    problems = []
    for line in lines:
        p = take_path(folder, line.id, lang)
        if p is None:
            continue
        meta = _sidecar(p)
        if "text_sha256" not in meta:
            problems.append(TakeProblem(line.id, p, "unstamped",
                                        f"no sidecar {sidecar_path(p).name} with the "
                                        f"text's digest: staleness unknown"))
        elif meta["text_sha256"] != text_digest(line.key):
            problems.append(TakeProblem(line.id, p, "stale",
                                        "stale take: the line's text changed after it "
                                        "was made"))
        window = line.end - line.start
        audio = read_take(p, line.id)
        dur = len(audio) / RATE
        span = clips.speech_span(audio)
        if span is not None:
            lead, tail = span[0] / RATE, (len(audio) - span[1]) / RATE
            if lead > EDGE_SILENCE_S:
                problems.append(TakeProblem(line.id, p, "lead_in",
                                            f"speech starts {lead:.2f} s into the take: "
                                            "trim its lead-in (the caption would show "
                                            "before the voice)"))
            if tail > EDGE_SILENCE_S + CAPTION_TAIL:
                problems.append(TakeProblem(line.id, p, "tail",
                                            f"{tail:.2f} s of silence after the speech: "
                                            "trim it (the caption would stay up after "
                                            "the voice)"))
        if dur > window + 1e-9:
            problems.append(TakeProblem(line.id, p, "too_long",
                                        f"take is {dur:.2f} s, its window is "
                                        f"{window:.2f} s ({dur - window:.2f} s over)"))
    return problems
