"""hepaanim render | still | info | preview | gallery — Manim's conventions where they fit.

Every user error is one line on stderr and exit code 2; nothing is written on error.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import sys
from pathlib import Path

from .output.encoders import FORMATS

EXIT_USAGE = 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line (not a usage dump)."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


# The smallest frame the compositor can lay out: below 99x59 the title and card boxes of
# the film have no room (Pillow: "y1 must be greater than or equal to y0"); measured over
# every caption, title and card of the bundled film, then rounded to even sizes.
MIN_FRAME = (100, 60)
MAX_FRAME = 8192


def _size(text: str, least: tuple[int, int]) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
    lo = f"{least[0]}x{least[1]}"
    if not m:
        raise argparse.ArgumentTypeError(
            f"malformed resolution {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720 "
            f"({lo} .. {MAX_FRAME}x{MAX_FRAME})")
    w, h = int(m.group(1)), int(m.group(2))
    if not (least[0] <= w <= MAX_FRAME and least[1] <= h <= MAX_FRAME):
        raise argparse.ArgumentTypeError(
            f"resolution {text!r} is outside {lo} .. {MAX_FRAME}x{MAX_FRAME}")
    return w, h


def _resolution(text: str) -> tuple[int, int]:
    """A frame size: large enough for the captions and cards the compositor draws."""
    return _size(text, MIN_FRAME)


def _cell(text: str) -> tuple[int, int]:
    """A gallery tile (its label is drawn by the gallery, not the compositor)."""
    return _size(text, (16, 16))


def _positive(kind):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if v <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
        return v
    return parse


def _scale(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    from .render.gl.post import SCALES
    if not SCALES[0] <= v <= SCALES[1]:
        raise argparse.ArgumentTypeError(
            f"render scale {text!r} must be within {SCALES[0]} .. {SCALES[1]:g}")
    return v


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if v < 0 or v != v:
        raise argparse.ArgumentTypeError(f"{text!r} must be ≥ 0 seconds")
    return v


def build_parser() -> argparse.ArgumentParser:
    from .render.gl.post import LOOKS
    from .render.gl.renderer import AA_MODES
    from .render.settings import QUALITY
    p = _Parser(prog="hepaanim", description="Render 3D explainer films from scene scripts.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def quality_flags(sp):
        sp.add_argument("-q", "--quality", default="high", choices=list(QUALITY),
                        help="low 854x480@15, medium 1280x720@30, high 1920x1080@30, "
                             "4k 3840x2160@30 (default high)")
        sp.add_argument("--resolution", type=_resolution, metavar="WxH",
                        help=f"frame size, {MIN_FRAME[0]}x{MIN_FRAME[1]} .. "
                             f"{MAX_FRAME}x{MAX_FRAME} (even for mp4 and webm)")
        sp.add_argument("--aa", choices=AA_MODES, default=None,
                        help="anti-aliasing (default fxaa; msaaN is costly on llvmpipe)")
        sp.add_argument("--look", choices=LOOKS, default=None,
                        help="full (bloom, depth of field), final (full + ambient occlusion) "
                             "or draft (default from -q)")
        sp.add_argument("--hdr", action=argparse.BooleanOptionalAction, default=None,
                        help="float HDR scene target (default: only at -q 4k)")
        sp.add_argument("--render-scale", dest="scale", type=_scale, default=None, metavar="F",
                        help="render the shot at F (0.25..1) of the size, then enlarge; "
                             "captions stay at full resolution (default from -q)")
        sp.add_argument("--motion-blur", type=_positive(int), default=1, metavar="N",
                        help="average N sub-frame instants per frame (180° shutter)")

    r = sub.add_parser("render", help="render a scene to a video or PNG sequence")
    r.add_argument("scene")
    quality_flags(r)
    version_flags(r, many=True)
    r.add_argument("--transparent", action="store_true",
                   help="no backdrop: alpha from the shot (--format mov or webm, for editors)")
    r.add_argument("--fps", type=_positive(float))
    r.add_argument("--from", dest="start", type=_seconds, metavar="S",
                   help="start at S seconds (within the act, with --act)")
    r.add_argument("--to", dest="end", type=_seconds, metavar="S",
                   help="end at S seconds (within the act, with --act)")
    r.add_argument("--act", metavar="NAME",
                   help="render this act; --from/--to then count from its start")
    r.add_argument("--format", default="mp4", choices=FORMATS)
    r.add_argument("-o", "--output", metavar="PATH")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--verbose", action="store_true",
                   help="show ffmpeg's full error text (by default condensed to one line)")
    r.add_argument("--workers", type=_positive(int), default=None, metavar="N",
                   help="render chunks in N processes (mp4/webm; default 1)")
    r.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="render chunks on this Dask cluster (pip install 'hepaanim[cluster]')")
    r.add_argument("--cache-dir", metavar="DIR",
                   help="finished chunks, reused on the next render (default renders/.cache, "
                        "or $HEPAANIM_CACHE_DIR)")

    from .audio import cli as sound_cli
    sound_cli.render_flags(r)
    sound_cli.voice_parser(sub, _seconds)

    s = sub.add_parser("still", help="render one instant to a PNG")
    s.add_argument("scene")
    s.add_argument("--t", type=_seconds, required=True, metavar="SECONDS")
    quality_flags(s)
    version_flags(s, many=False)
    s.add_argument("-o", "--output", required=True, metavar="PATH.png")

    g = sub.add_parser("gallery", help="labelled contact sheet of every model and key state")
    g.add_argument("-o", "--output", default="renders/gallery.png", metavar="PATH.png")
    g.add_argument("--cell", type=_cell, default=(320, 240), metavar="WxH",
                   help="size of one tile (default 320x240)")
    g.add_argument("--columns", type=_positive(int), default=6)

    i = sub.add_parser("info", help="acts, duration, frames, node counts")
    i.add_argument("scene")
    i.add_argument("-q", "--quality", default="high", choices=list(QUALITY))
    i.add_argument("--fps", type=_positive(float))
    i.add_argument("--json", action="store_true")

    v = sub.add_parser("preview", help="interactive preview in the browser (VPython)")
    v.add_argument("scene")
    v.add_argument("--t", type=_seconds, metavar="S", help="start at S seconds "
                   "(within the act, with --act)")
    v.add_argument("--act", metavar="NAME", help="start at this act")
    v.add_argument("--port", type=_port, default=0, metavar="N",
                   help="port on 127.0.0.1 (default: a free one)")
    v.add_argument("--no-browser", action="store_true",
                   help="do not open a browser; print the URL and wait")
    add_script_commands(sub)                          # check, review (the script table)
    return p


def version_flags(sp, many: bool):
    """--lang and --aspect (issue 16); with ``many``, comma lists: one 3D pass per aspect,
    one compositor and encoder per language."""
    each = " (a comma list renders each from one pass: en,fr,de,ja)" if many else ""
    sp.add_argument("--lang", type=_codes("language", r"[a-z]{2,3}(-[A-Za-z0-9]+)?", many),
                    metavar="L", help="language of captions, cards and subtitles" + each)
    sp.add_argument("--aspect", type=_codes("aspect", r"16:9|1:1|9:16", many), metavar="A",
                    help="16:9, 1:1 or 9:16: frame size from the preset's line count, camera "
                         "reframed on each act's subject" + (" (a comma list)" if many else ""))


def _codes(what: str, pattern: str, many: bool):
    def parse(text):
        items = [x.strip() for x in text.split(",")] if many else [text.strip()]
        for x in items:
            if not re.fullmatch(pattern, x):
                allowed = "16:9, 1:1, 9:16" if what == "aspect" else "e.g. en, fr, de, ja"
                raise argparse.ArgumentTypeError(f"{what} {x!r} is not one of {allowed}")
        if len(set(items)) != len(items):
            raise argparse.ArgumentTypeError(f"{what} list {text!r} names one twice")
        return items
    return parse


def _sized(p, aspect: str | None, given: bool):
    """The settings at ``aspect``: 16:9, 1:1, 9:16 at the preset's (or --resolution's) short
    side (1920x1080, 1080x1080, 1080x1920 at -q high)."""
    if aspect is None:
        return p
    from .compose.layout import frame_size
    w, h = frame_size(aspect, min(p.width, p.height))
    return p.replace(width=w, height=h)


def _check_langs(film, langs) -> None:
    have = film.script.script.languages if film.script is not None else ("en",)
    for lang in langs:
        if lang not in have:
            raise UsageError(f"--lang {lang}: the film's script has {', '.join(have)}")


def version_path(out: Path, lang: str | None, aspect: str | None) -> Path:
    """renders/<name>[.<lang>][.<W>x<H>].<ext>: film.fr.9x16.mp4."""
    tags = "".join(f".{t}" for t in (lang, aspect.replace(":", "x") if aspect else None) if t)
    return out.with_name(out.stem + tags + out.suffix) if tags else out


# --- hepaanim check SCENE --lang L --aspect A: the accessibility gate (access/gate.py) ---
def gate_flags(parser) -> None:
    """``check``'s flags for the gate; with either, the gate runs after the claims check."""
    version_flags(parser, many=True)
    parser.add_argument("--from", dest="start", type=_seconds, metavar="S",
                        help="gate only the film from S seconds")
    parser.add_argument("--to", dest="end", type=_seconds, metavar="S",
                        help="gate only the film up to S seconds")


def cmd_gate(args) -> int:
    """The claims check (a film with a script table) and the gate over every (language,
    aspect) asked: one line a problem, the last ``problems=<n>``; 1 when n > 0."""
    from .access.gate import GateSettings, run
    film = _load(args.scene)
    langs, aspects = args.lang or ["en"], args.aspect or ["16:9"]
    _check_langs(film, langs)
    start = args.start or 0.0
    if start >= film.duration or (args.end is not None and args.end <= start):
        raise UsageError(f"--from/--to: give a span within 0 .. {film.duration:g} s")
    n = 0
    if film.script is not None:
        from .script import check
        for p in check(film.script):
            print(p)
            n += 1
    n += run(film, langs, aspects, GateSettings(fps=float(film.fps)), out=_hold(n),
             start=start, end=args.end)
    return 1 if n else 0


def _hold(before: int):
    """print, with the gate's ``problems=`` line counting the claims' problems too."""
    def out(line: str) -> None:
        if line.startswith("problems="):
            line = f"problems={int(line.split('=')[1]) + before}"
        print(line, flush=True)
    return out


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0..65535)")
    return int(text)


def _preset(args):
    """The render's one Settings: the quality preset with the command line's overrides
    applied (it then travels whole: frames, workers, cluster, cache keys)."""
    from .render.settings import QUALITY
    changes = {}
    if getattr(args, "resolution", None):
        changes["width"], changes["height"] = args.resolution
    for k in ("fps", "aa", "look", "hdr", "scale", "motion_blur"):
        if getattr(args, k, None) is not None:
            changes[k] = getattr(args, k)
    return QUALITY[args.quality].replace(**changes)


def _load(path):
    from .loader import load
    try:
        head = Path(path).read_bytes()
    except OSError:
        head = b""                           # the loader says what is wrong with the path
    if b"\0" in head:
        raise UsageError(f"{path} is not a Python scene (it holds null bytes: a binary file?)")
    try:
        return load(path)
    except UnicodeDecodeError as e:          # a binary or non-UTF-8 file given as the scene
        raise UsageError(f"{path} is not a Python scene (not UTF-8 text: byte {e.start} is "
                         f"0x{e.object[e.start]:02x})") from None


def _writable_folder(folder: Path, what: str) -> None:
    """Create `folder` if needed and prove a file can be made in it, before any work:
    found late, a read-only folder costs the whole render and its cleanup hid the error."""
    import tempfile
    for up in (folder, *folder.parents):        # a path through a file: say which file
        if up.exists():
            if not up.is_dir():
                raise UsageError(f"cannot write {what} in {folder}: {up} is a file, "
                                 "not a folder")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".hepaanim-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UsageError(f"cannot write {what} in {folder}: {e.strerror or e}") from None


def _output_file(out: Path) -> None:
    """-o naming a folder fails now, not after the whole render at the rename."""
    if out.is_dir():
        name = ("frame" if out.suffix.lower() == ".png" else "video") + (out.suffix or ".mp4")
        raise UsageError(f"-o {out} is a folder; name a file in it, e.g. {out / name}")


def cmd_info(args) -> int:
    film = _load(args.scene)
    fps = _preset(args).fps
    info = {"scene": str(args.scene), "duration": round(film.duration, 6), "fps": fps,
            "frames": film.frame_count(fps),
            "acts": [{"name": a.name, "start": round(a.start, 6), "end": round(a.end, 6)}
                     for a in film.acts],
            "counts": film.scene.counts(),
            "captions": len(film.timeline.captions), "tracks": len(film.timeline.tracks)}
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{film.name}: {film.duration:.2f} s, {info['frames']} frames at {fps:g} fps")
    for a in info["acts"]:
        print(f"  {a['name']:<24} {a['start']:7.2f} – {a['end']:7.2f} s")
    c = info["counts"]
    print(f"  nodes {c['nodes']} ({c['mesh_nodes']} meshes, {c['instanced_nodes']} instanced), "
          f"{c['instances']} instances, {c['triangles']} triangles, "
          f"{info['captions']} captions, {info['tracks']} tracks")
    return 0


def _span(film, args) -> tuple[float | None, float | None]:
    """--from/--to in film seconds; with --act they count from the act's start (as the
    preview's --t does) and stay within the act."""
    start, end = args.start, args.end
    if args.act:
        names = [a.name for a in film.acts]
        if args.act not in names:
            raise UsageError(f"unknown act {args.act!r}; acts: {', '.join(names)}")
        act = film.find_act(args.act)
        length = act.end - act.start
        if start is not None and start >= length:
            raise UsageError(f"--from {start:g} is past the end of act {act.name!r}; "
                             f"it lasts {length:g} s (--from/--to count from its start)")
        start = act.start + (start or 0.0)
        end = act.end if end is None else min(act.start + end, act.end)
        if end <= start:
            raise UsageError(f"--to {args.end:g} must be after --from {args.start or 0:g}")
        return start, end
    if start is not None and start >= film.duration:
        raise UsageError(f"--from {start:g} is past the end; the film lasts {film.duration:g} s")
    if start is not None and end is not None and end <= start:
        raise UsageError(f"--to {end:g} must be after --from {start:g}")
    return start, end


def cmd_render(args) -> int:
    from .output.atomic import Transaction
    from .output.encoders import ffmpeg_exe
    from .render.frames import frame_range, render_frames
    from .pipeline.cache import default_cache_dir
    from .pipeline.chunked import render_chunked, runner_for
    from .pipeline.job import SEGMENT_FORMATS
    p = _preset(args)
    w, h, fps = p.width, p.height, p.fps
    # Every check that needs no scene comes first, and none of them writes anything.
    if args.format in SEGMENT_FORMATS and (w % 2 or h % 2):
        raise UsageError(f"--resolution {w}x{h}: {args.format} needs an even width and height "
                         f"(4:2:0 video), e.g. {w + w % 2}x{h + h % 2}")
    stem = Path(args.scene).stem
    out = Path(args.output) if args.output else Path("renders") / (
        stem if args.format == "png" else f"{stem}.{args.format}")
    if args.format != "png":
        _output_file(out)
    if args.format != "png" and out.suffix.lower() != f".{args.format}":
        raise UsageError(f"output {out} does not end in .{args.format}")
    if args.workers and args.scheduler:
        raise UsageError("use either --workers or --scheduler, not both")
    if args.format not in SEGMENT_FORMATS and (args.scheduler or (args.workers or 1) > 1):
        raise UsageError(f"--workers and --scheduler apply to {', '.join(SEGMENT_FORMATS)}, "
                         f"not {args.format}")
    langs, aspects = args.lang or [None], args.aspect or [None]
    if args.transparent and args.format not in ("mov", "webm", "png"):
        raise UsageError(f"--transparent needs an alpha channel: --format mov or webm, "
                         f"not {args.format}")
    versions = len(langs) > 1 or len(aspects) > 1 or args.transparent or args.format == "mov"
    if versions and (args.scheduler or (args.workers or 1) > 1):
        raise UsageError("--workers and --scheduler render one version at a time (one "
                         "language, one aspect, opaque mp4 or webm)")
    if args.format != "png":
        ffmpeg_exe()
    film = _load(args.scene)
    _check_langs(film, [x for x in langs if x])
    start, end = _span(film, args)
    frames = frame_range(film, fps, start, end)
    if not len(frames):
        raise UsageError("no frames in the requested range")
    _writable_folder(out.parent, "the output")
    cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    if args.format in SEGMENT_FORMATS:
        _writable_folder(cache_dir, "the chunk cache")
    if versions or args.lang or args.aspect:
        res = _render_versions(args, film, out, p.replace(transparent=args.transparent),
                               frames, langs, aspects)
        w, h = res.pop("size")
    elif args.format not in SEGMENT_FORMATS:
        res = render_frames(film, args.format, out, p, frames, args.quiet)
    else:           # always chunked: same bytes for any worker count
        # The video and its subtitles are one transaction: all written, then all renamed.
        with Transaction() as txn:
            res = render_chunked(args.scene, film, args.format, out, p, frames,
                                 runner=runner_for(args.workers or 1, args.scheduler),
                                 cache_dir=cache_dir, quiet=args.quiet, txn=txn)
            _sound(args, film, out, frames, fps, txn=txn)
            if film.timeline.captions:
                from .output import subtitles
                try:
                    subtitles.write(out, film.timeline.captions, frames.first / fps,
                                    frames.stop / fps, txn=txn)
                except OSError as e:
                    raise _unwritten(e, out) from None
            try:
                txn.commit()
            except OSError as e:
                raise _unwritten(e, out) from None
    if not args.quiet:
        cached = (f", {res['cached']}/{res['chunks']} chunks from the cache"
                  if res.get("cached") else "")
        print(f"wrote {res['path']}: {res['frames']} frames, {w}x{h} @ {fps:g} fps "
              f"({res['fps']:.1f} fps{cached})")
    return 0


def _render_versions(args, film, out: Path, p, frames, langs, aspects) -> dict:
    """Every (language, aspect) version: one 3D pass per aspect, each language composited
    and encoded from it (``render_versions``); a single opaque mp4/webm version goes
    through the chunked pipeline like any render (workers, cache)."""
    from .output import subtitles
    from .output.atomic import Transaction
    from .pipeline.cache import default_cache_dir
    from .pipeline.chunked import render_chunked, runner_for
    from .pipeline.job import SEGMENT_FORMATS
    from .render.frames import render_versions
    fps, done, rate, size = p.fps, [], [], p.size
    for aspect in aspects:
        pa = _sized(p, aspect, bool(args.resolution))
        size = pa.size
        outs = {(lang or "en"): version_path(out, lang, aspect) for lang in langs}
        for path in outs.values():
            if args.format != "png":
                _output_file(path)
        with Transaction() as txn:
            if len(outs) == 1 and args.format in SEGMENT_FORMATS and not pa.transparent:
                (lang, path), = outs.items()
                cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
                res = render_chunked(args.scene, film, args.format, path, pa.replace(lang=lang),
                                     frames, runner=runner_for(args.workers or 1,
                                                               args.scheduler),
                                     cache_dir=cache_dir, quiet=args.quiet, txn=txn)
                paths = [res["path"]]
            else:
                res = render_versions(film, args.format, outs, pa, frames, args.quiet)
                paths = res["paths"]
            for lang, path in outs.items():
                _sound(args, film, path, frames, fps, lang=lang, txn=txn)
            if film.timeline.captions and args.format != "png":
                for lang, path in outs.items():
                    try:
                        subtitles.write(path, film.timeline.captions, frames.first / fps,
                                        frames.stop / fps, txn=txn, lang=lang)
                    except OSError as e:
                        raise _unwritten(e, path) from None
            try:
                txn.commit()
            except OSError as e:
                raise _unwritten(e, out) from None
        done += paths
        rate.append(res["fps"])
    return {"path": ", ".join(done), "frames": len(frames), "fps": min(rate), "size": size}


def _sound(args, film, path, frames, fps, lang=None, txn=None) -> None:
    """The soundtrack, mixed once for the span and muxed after the chunks are joined."""
    from .audio import cli as sound_cli
    sound_cli.add_sound(args, film, path, frames, fps, UsageError, lang=lang, txn=txn)


def _unwritten(e: OSError, out: Path):
    from .output.encoders import EncoderError
    name = Path(str(e.filename or out)).name
    m = re.fullmatch(r"\.(.*)\.partial-\d+(\.\w+)?", name)     # a temporary: its target
    name = m.group(1) + (m.group(2) or "") if m else name
    return EncoderError(f"cannot write {name} ({e.strerror or e}); {out} and its subtitles "
                        "left as they were")


def cmd_still(args) -> int:
    from .output.atomic import commit, discard, temp_path
    from .output.encoders import write_png
    from .render.frames import render_still
    film = _load(args.scene)
    if args.t > film.duration:
        raise UsageError(f"--t {args.t:g} is past the end; allowed 0 .. {film.duration:g} s")
    out = Path(args.output)
    if out.suffix.lower() != ".png":
        raise UsageError(f"output {out} must end in .png")
    _output_file(out)
    _writable_folder(out.parent, "the output")
    p = _sized(_preset(args), (args.aspect or [None])[0], bool(args.resolution))
    if args.lang:
        _check_langs(film, args.lang)
        p = p.replace(lang=args.lang[0])
    img = render_still(film, args.t, p)
    tmp = temp_path(out)
    try:
        write_png(img, tmp)
        commit(tmp, out)
    except BaseException:
        discard(tmp)
        raise
    return 0


def cmd_gallery(args) -> int:
    from .models.gallery import render_gallery
    out = Path(args.output)
    if out.suffix.lower() != ".png":
        raise UsageError(f"output {out} must end in .png")
    out.parent.mkdir(parents=True, exist_ok=True)
    print(render_gallery(out, cell=args.cell, columns=args.columns))
    return 0


def cmd_preview(args) -> int:
    import importlib.util
    if importlib.util.find_spec("vpython") is None:     # never a plain `import vpython`
        raise UsageError("the preview needs vpython: pip install 'hepaanim[preview]'")
    from .preview.run import PreviewUsageError, run_preview
    try:
        return run_preview(args.scene, t=args.t, act=args.act, port=args.port,
                           open_browser=not args.no_browser)
    except PreviewUsageError as e:
        raise UsageError(str(e)) from None
    except KeyboardInterrupt:
        return 0


def cmd_voice(args) -> int:
    from .audio import cli as sound_cli
    return sound_cli.cmd_voice(args, _load(args.scene), UsageError)


# --- check | review: the film's words against its claims, and the reviewers' pack ----------
# Exit codes: 0 clean; 1 ``check`` found problems (one line each, then ``problems=N``);
# 2 bad input (a malformed script, claims, references or settings file, named by file, row
# and column; a scene that does not build; a bad flag), one line on stderr.

EXIT_PROBLEMS = 1


def add_script_commands(sub) -> None:
    c = sub.add_parser("check", help="check every on-screen line against its claims and "
                       "references (exit 1 on problems)")
    c.add_argument("scene")
    gate_flags(c)

    r = sub.add_parser("review", help="review pack for medical, legal and regulatory "
                       "reviewers: PDF, JSON manifest and thumbnails")
    r.add_argument("scene")
    r.add_argument("-o", "--output", metavar="PATH.pdf",
                   help="the PDF (default renders/<scene>.review.pdf); the manifest "
                        "<name>.json and the thumbnails <name>.thumbs/ go beside it")
    r.add_argument("--since", metavar="PACK.json",
                   help="the previous round's manifest: the pack starts with what changed")
    r.add_argument("--lang", metavar="L", default="en",
                   help="language of the on-screen text (non-English marked as a draft "
                        "translation, for review)")


def _film_with_script(args):
    film = _load(args.scene)
    if film.script is None:
        raise UsageError(f"{args.scene}: the film has no script table (its build calls "
                         "film.use_script(folder))")
    return film


def cmd_check(args) -> int:
    from .script import check, report
    if args.lang or args.aspect:                 # the accessibility gate too (issue 16)
        return cmd_gate(args)
    film = _film_with_script(args)
    from .audio.film import check_problems       # voice takes: stale, too long (issue 17)
    problems = check(film.script) + check_problems(film)
    print(report(problems))
    return EXIT_PROBLEMS if problems else 0


def cmd_review(args) -> int:
    from .script import ScriptError
    from .script.film_pack import build
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", args.lang):
        raise UsageError(f"--lang {args.lang!r}: a language code such as en, fr, de, ja")
    out = Path(args.output or f"renders/{Path(args.scene).stem}.review.pdf")
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"output {out} must end in .pdf")
    if args.since is not None and not Path(args.since).is_file():
        raise UsageError(f"--since {args.since}: no such manifest (the .json beside a "
                         "previous pack)")
    _output_file(out)
    _writable_folder(out.parent, "the review pack")
    film = _film_with_script(args)
    try:
        manifest = build(film, out, since=args.since, lang=args.lang, scene=str(args.scene))
    except ScriptError as e:
        raise UsageError(str(e)) from None
    json_path = out.with_name(out.name[:-4] + ".json")
    sys.stdout.write(f"{out}  ({len(manifest['lines'])} lines; manifest {json_path})\n")
    return 0


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    from .loader import SceneError
    from .output.encoders import EncoderError, FFmpegMissing, condense
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    handlers = {"render": cmd_render, "still": cmd_still, "info": cmd_info,
                "gallery": cmd_gallery, "preview": cmd_preview, "voice": cmd_voice}
    handlers.update({"check": cmd_check, "review": cmd_review})
    try:
        return handlers[args.command](args)
    except (UsageError, SceneError, FFmpegMissing) as e:
        sys.stderr.write(f"hepaanim {args.command}: error: {e}\n")
        return EXIT_USAGE
    except EncoderError as e:
        text = str(e) if getattr(args, "verbose", False) else condense(str(e))
        sys.stderr.write(f"hepaanim {args.command}: error: {text}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"\nhepaanim {args.command}: interrupted; previous output left as it was\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`hepaanim info SCENE | head`): stop quietly, as a shell
        # tool killed by SIGPIPE does; stdout goes to /dev/null so the exit's flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
