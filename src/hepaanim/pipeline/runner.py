"""The one interface every way of rendering chunks implements, and the choice among them.

The coordinator (``pipeline.chunked.render_chunked``) plans the chunks, keys them and looks
them up in the cache; what is left to render it hands to a ``Runner`` as a ``Work``.  A
runner renders each pending chunk into ``work.cache`` under its key (sealed with its
check), reports frames to ``work.progress`` and counts in ``work.tally``.  How it does so
is its own business: in this process (``inline``), in spawned processes (``pool``) or on a
Dask cluster (``dask``).  The joined file is the same bytes whichever runner made it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterator, NamedTuple

from ..render.frames import Progress
from .cache import SegmentCache
from .job import Job, Tally
from .plan import Chunk


class Pending(NamedTuple):
    """A chunk the cache does not hold: its cache key and the digest of the frame states
    it must draw; `states` holds those states by time when the runner asked to replay
    them (same process only), else None."""
    chunk: Chunk
    key: str
    digest: str
    states: dict | None = None


@dataclass
class Work:
    """What a runner is handed.  `pending` is lazy: each chunk's key is computed when the
    runner asks for the next one, so keys are computed while workers render."""
    film: object
    job: Job
    pending: Iterator[Pending]
    cache: SegmentCache
    progress: Progress
    tally: Tally
    kill_once: str | None = None   # fault injection for tests (see segment.render_segment)


class Runner(ABC):
    """Renders the pending chunks of a ``Work`` into its cache."""

    #: True: the coordinator keeps each chunk's evaluated frame states for the runner
    #: (``Pending.states``), so it need not evaluate them again.  Only a runner in the
    #: coordinator's own process can use them.
    replays_states: bool = False

    @abstractmethod
    def run(self, work: Work) -> None:
        """Render every chunk of ``work.pending`` into ``work.cache`` (sealed), or raise
        ``ChunkError``; on any exception, leave no worker behind."""

