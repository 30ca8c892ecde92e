"""A film's words as data: the script table, the claims ledger with its references, the
checker, and the review pack for medical, legal and regulatory reviewers.

Generic: nothing here knows a particular film; a film keeps its table, ledger,
references and settings in its data folder (see ``load_film_data``)."""
from .check import Problem, check, numbers, report, unclaimed_lines, unused_claims
from .ledger import (Claim, FilmData, Settings, film_data, format_references, load_claims,
                     load_film_data, load_references, load_settings)
from .placement import caption_args, card_texts, placement_problems
from .table import STYLES, Line, Script, ScriptError, load_script

__all__ = ["Claim", "FilmData", "Line", "Problem", "STYLES", "Script", "ScriptError",
           "Settings", "caption_args", "card_texts", "check", "film_data", "format_references", "load_claims", "load_film_data",
           "load_references", "load_script", "load_settings", "numbers", "placement_problems", "report",
           "unclaimed_lines", "unused_claims"]
