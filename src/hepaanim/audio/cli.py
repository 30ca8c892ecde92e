"""The command line's sound: the render's audio flags, the audio step, ``hepaanim voice``.

Kept out of ``hepaanim.cli`` so the render command gains sound through two calls: the
flags (`render_flags`) and one step after the video is joined (`add_sound`).  The step
mixes once for the requested span (frames first..stop at the render's fps, so the audio
lasts exactly as long as the video) and muxes it beside the video stream, copied as it
is: the chunked render's bytes are untouched, so a chunked render with sound equals a
single-worker one, whatever runs the chunks.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from . import mix

ISO639_2 = {"en": "eng", "fr": "fre", "de": "ger", "ja": "jpn"}
MUXED = (".mp4", ".webm", ".mov")


def _lufs(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a loudness in LUFS "
                                         "(e.g. -16, or -23 for EBU R128)") from None
    if not -40.0 <= v <= -5.0:
        raise argparse.ArgumentTypeError(f"--loudness {text}: give -40 to -5 LUFS")
    return v


def render_flags(r) -> None:
    r.add_argument("--no-audio", dest="audio", action="store_false",
                   help="video only: no narration, no music")
    r.add_argument("--loudness", type=_lufs, default=mix.TARGET_LUFS, metavar="LUFS",
                   help="integrated loudness of the mix (default -16 for web and social; "
                        "-23 for EBU R128 broadcast)")
    r.add_argument("--described", action="store_true",
                   help="add a second audio stream that speaks the audio description in "
                        "the narration's pauses")


def voice_parser(sub, seconds) -> None:
    v = sub.add_parser("voice", help="make the film's scratch voice takes (espeak-ng)")
    v.add_argument("scene")
    v.add_argument("--scratch", action="store_true", required=True,
                   help="synthesize scratch takes for lines without a recorded take")
    v.add_argument("--lang", metavar="L", help="one language (default: every language "
                   "of the script espeak-ng has a voice for)")
    v.add_argument("--wpm", type=int, default=WPM, metavar="N",
                   help=f"speaking rate in words a minute (default {WPM})")


# espeak-ng's Japanese voice reads kana only: a Japanese line is voiced from its reading
# (the table's reading_ja column); a line without one is named and left unvoiced.
NO_SCRATCH_BY_DEFAULT = ()
WPM = 170          # the film's scratch pace: its windows were timed for ~2.8 words a second


def cmd_voice(args, film, usage_error) -> int:
    from . import film as sound, voice
    if film.script is None:
        raise usage_error(f"{args.scene}: the film has no script table: nothing to narrate")
    if voice.espeak() is None:
        raise usage_error("espeak-ng is not installed (Debian: apt install espeak-ng); "
                          "the scratch voice needs it")
    have = film.script.script.languages
    langs = [args.lang] if args.lang else [x for x in have if x in voice.VOICES
                                           and x not in NO_SCRATCH_BY_DEFAULT]
    for lang in langs:
        if lang not in have:
            raise usage_error(f"--lang {lang}: the film's script has {', '.join(have)}")
        if lang not in voice.VOICES:
            raise usage_error(f"--lang {lang}: no scratch voice (espeak-ng voices here: "
                              f"{', '.join(sorted(voice.VOICES))})")
    folder = sound.voice_folder(film)
    for lang in langs:
        # a description need not fit its window (it must only start inside it)
        lines = sound.narration(film, lang) + [
            voice.Line(ln.id, ln.text, ln.start, shown=ln.shown)
            for ln in sound.description_lines(film, lang)]
        written = voice.make_scratch(lines, lang, folder, wpm=args.wpm, replace=True,
                                     suffix=".opus")
        size = sum(p.stat().st_size for p in folder.glob(f"*.{lang}.opus"))
        print(f"{lang}: {len(written)} scratch take(s) written to {folder} "
              f"({size / 1024:.0f} KB for the language)")
    have_takes = [x for x in have if any(folder.glob(f"*.{x}.*"))]
    print(f"levels measured: {sound.ship_levels(film, have_takes)}")
    return 0


def add_sound(args, film, target: Path, frames, fps: float, usage_error,
              lang: str | None = None, txn=None) -> None:
    """Mix the span's sound and mux it into the rendered video `target` (its
    transaction's temporary while one is open), and write ``<name>.descriptions.vtt``
    when the film has description lines.  Nothing for --no-audio or a format without
    audio (gif, png)."""
    from ..output import atomic
    from ..output.encoders import EncoderError
    from . import describe, film as sound, mux, voice
    target = Path(target)
    if not getattr(args, "audio", True) or target.suffix.lower() not in MUXED:
        return
    if film.script is None:
        return
    lang = lang or "en"
    video = atomic.temp_path(target)
    video = video if video.exists() else target
    a, b = frames.first / fps, frames.stop / fps
    try:
        track = sound.soundtrack(film, a, b, lang, args.loudness,
                                 described=getattr(args, "described", False),
                                 cache_dir=_cache(args))
    except voice.TakeError as e:
        raise usage_error(str(e)) from None
    try:
        mux.mux(video, track.audio, video, described=track.described,
                lang=ISO639_2.get(lang, "und"))
    except mux.MuxError as e:
        raise EncoderError(str(e)) from None
    if track.placed:
        vtt = target.with_name(target.stem + ".descriptions.vtt")
        placed = [p for p in track.placed if p.end > a and p.start < b]
        tmp = txn.temp(vtt) if txn is not None else atomic.temp_path(vtt)
        tmp.write_text(describe.descriptions_vtt(placed, a), encoding="utf-8")
        if txn is None:
            atomic.commit(tmp, vtt)


def _cache(args) -> Path:
    from ..pipeline.cache import default_cache_dir
    return Path(args.cache_dir) if getattr(args, "cache_dir", None) else default_cache_dir()
