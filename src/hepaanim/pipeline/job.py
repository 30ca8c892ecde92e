"""What a render is (``Job``), what its runners report (``Tally``), and its one error.

A runner, local or remote, gets the job whole: the scene file (workers load it
themselves), the format, and the frozen ``Settings`` that decide the pixels.
"""
from __future__ import annotations

import resource
from dataclasses import dataclass, field

from ..output.encoders import EncoderError
from ..render.settings import Settings

SEGMENT_FORMATS = ("mp4", "webm")
MAX_ATTEMPTS = 3             # renders of one chunk before a dying worker is an error


class ChunkError(EncoderError):
    """A chunk could not be rendered or joined (the CLI reports it as one line)."""


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the chunk: the scene file (workers load it
    themselves), the format, and the settings that decide the pixels (whole)."""
    scene: str
    fmt: str
    settings: Settings

    def renderer(self):
        return self.settings.renderer()


@dataclass
class Tally:
    """What the runners did, for the render's summary and for the cache afterwards."""
    rendered: int = 0
    cached: int = 0
    retried: int = 0
    worker_peak_rss_mb: dict = field(default_factory=dict)    # worker -> MB
    engines: set = field(default_factory=set)   # engine hashes seen: more than one = edited
    new: list = field(default_factory=list)     # keys of the segments written by this render


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
