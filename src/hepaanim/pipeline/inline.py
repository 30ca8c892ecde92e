"""The one-worker runner: chunks rendered in this process, one GL context for all of them.

It replays the states the coordinator evaluated for a chunk's key instead of evaluating
them again (``evaluate`` is pure, so they are the same states): a film frame saves ~1.5 ms
of CPU.
"""
from __future__ import annotations

import os

from ..output.encoders import EncoderError
from .digest import Replay, engine_hash
from .job import ChunkError, peak_rss_mb
from .runner import Runner, Work
from .segment import render_segment


class InlineRunner(Runner):
    replays_states = True

    def run(self, work: Work) -> None:
        job, cache, tally = work.job, work.cache, work.tally
        renderer = job.renderer()
        tally.engines.add(engine_hash(fresh=True))      # shaders as compiled
        try:
            for c, k, _, states in work.pending:
                render_segment(Replay(work.film, states or {}), renderer, job,
                               cache.path(k), c.first, c.stop, work.progress.update)
                cache.seal(k, len(c))
                tally.rendered += 1
                tally.new.append(k)
        except EncoderError as e:
            raise ChunkError(str(e)) from None
        finally:
            renderer.close()
        tally.worker_peak_rss_mb[os.getpid()] = peak_rss_mb()
