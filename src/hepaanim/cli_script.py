"""hepaanim check | review: the film's words against its claims, and the reviewers' pack.

Kept beside cli.py (which registers them) so the script-table commands stay one small
module.  Exit codes: 0 clean; 1 ``check`` found problems (one line each, then
``problems=N``); 2 bad input (a malformed script, claims, references or settings file,
named by file, row and column; a scene that does not build; a bad flag), one line on
stderr.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

EXIT_PROBLEMS = 1


def add_script_commands(sub) -> None:
    c = sub.add_parser("check", help="check every on-screen line against its claims and "
                       "references (exit 1 on problems)")
    c.add_argument("scene")
    from .cli import gate_flags                  # --lang/--aspect: the accessibility gate
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
    from .cli import UsageError, _load
    film = _load(args.scene)
    if film.script is None:
        raise UsageError(f"{args.scene}: the film has no script table (its build calls "
                         "film.use_script(folder))")
    return film


def cmd_check(args) -> int:
    from .script import check, report
    if args.lang or args.aspect:                 # the accessibility gate too (issue 16)
        from .cli import cmd_gate
        return cmd_gate(args)
    film = _film_with_script(args)
    from .audio.film import check_problems       # voice takes: stale, too long (issue 17)
    problems = check(film.script) + check_problems(film)
    print(report(problems))
    return EXIT_PROBLEMS if problems else 0


def cmd_review(args) -> int:
    from .cli import UsageError, _output_file, _writable_folder
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


HANDLERS = {"check": cmd_check, "review": cmd_review}
