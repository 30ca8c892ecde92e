"""A video render as chunks -> cached segments -> one file, on any runner.

Every MP4/WebM render goes through here, with one worker or many, so the output does not
depend on how many workers made it:

* **Chunks** (``plan``): the frame range cut at act boundaries, the same cut for every
  worker count.
* **Segments** (``segment``): each chunk encoded as its own stream with the film's usual
  encoder settings (``encoders.codec_args``).  A stream starts with an IDR frame and
  references nothing outside itself, so a segment's bytes depend only on its frames; with
  the same cut for every render, one worker and N workers encode the very same streams.
* **Cache and resume** (``cache``, ``digest``): a finished segment is kept under a key
  made of the settings and the digest of the frame states it draws, and verified before
  it is reused.
* **Runners** (``runner``): what the cache does not hold is rendered in this process, in
  spawned processes or on a Dask cluster, behind one interface.
* **Join** (``output.join``): the segments are copied into one file without re-encoding,
  and the file's frame count and duration are read back before it is committed.  Decoded
  frames, and the files' bytes, are identical whatever the worker count
  (``tests/test_parallel.py`` checks it).

Memory per worker is flat in the film's length: a chunk is streamed like any render, and
the coordinator only keeps the list of chunks and their keys.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..output import atomic
from ..output.join import check_joined, concat_segments
from ..render.frames import FrameRange, Progress
from ..render.settings import Settings
from .cache import SegmentCache, default_cache_dir
from .digest import StateHasher, chunk_digest, chunk_key, engine_hash, settings_key
from .job import SEGMENT_FORMATS, ChunkError, Job, Tally, peak_rss_mb
from .plan import CHUNK_SECONDS, plan_chunks
from .runner import Pending, Runner, Work


def runner_for(workers: int = 1, scheduler: str | None = None) -> Runner:
    """The runner the command line asks for: a Dask `scheduler` address, `workers` local
    processes, or (one worker) this process."""
    if scheduler:
        from .dask import DaskRunner
        return DaskRunner(scheduler)
    if workers > 1:
        from .pool import PoolRunner
        return PoolRunner(workers)
    from .inline import InlineRunner
    return InlineRunner()


def render_chunked(scene, film, fmt: str, out, settings: Settings, frames: FrameRange, *,
                   runner: Runner | None = None, workers: int = 1,
                   scheduler: str | None = None, cache_dir=None, quiet: bool = False,
                   chunk_seconds: float = CHUNK_SECONDS, kill_once: str | None = None,
                   txn: atomic.Transaction | None = None, report=None) -> dict:
    """Render `frames` of `film` (loaded from the file `scene`) to `out` through cached
    segments, on `runner` (default: ``runner_for(workers, scheduler)``); return what
    happened.  The pixels are those of ``render_frames`` with the same settings.  On any
    error or interruption the previous `out` is left as it was and no temporary file
    remains beside it.

    With `txn`, the finished file is left as that transaction's temporary (checked: its
    frame count and duration read back) for the caller to commit with its sidecars;
    without, it is committed here.  `report(line)` hears about cached chunks that failed
    their check (default: a line on stderr)."""
    if fmt not in SEGMENT_FORMATS:
        raise ValueError(f"chunked renders write {', '.join(SEGMENT_FORMATS)}, not {fmt!r}")
    runner = runner or runner_for(workers, scheduler)
    t0 = time.perf_counter()
    out = Path(out)
    fps = settings.fps
    if report is None:
        def report(line):
            print(line, file=sys.stderr, flush=True)
    chunks = plan_chunks(film, fps, frames, chunk_seconds)
    cache = SegmentCache(Path(cache_dir) if cache_dir else default_cache_dir(), fmt)
    cache.clean_partials()
    job = Job(str(Path(scene).resolve()), fmt, settings)
    skey = settings_key(job)
    hasher = StateHasher(*settings.size, settings.lang)
    keys: dict[int, str] = {}
    tally = Tally(engines={engine_hash()})
    progress = Progress(len(frames), quiet, label=film.name)

    def pending():
        """A ``Pending`` for every chunk not in the cache, computed as the runner asks;
        the states evaluated for a chunk's key travel with it when the runner replays
        them."""
        wanted = set()
        for c in chunks:
            states: dict | None = {} if runner.replays_states else None
            d = chunk_digest(film, c, job, hasher, states)
            k = keys[c.index] = chunk_key(skey, d)
            found, why = cache.verify(k, len(c))
            if why is not None:
                report(f"cache: chunk {c.index + 1} ({c.act} {c.first / fps:.1f}–"
                       f"{c.stop / fps:.1f} s) failed its check ({why}); rendered again")
            if found is not None:
                tally.cached += 1
                progress.update(len(c))
            elif k not in wanted:          # identical chunks (a still shot) render once
                wanted.add(k)
                yield Pending(c, k, d, states)
            else:
                progress.update(len(c))

    own = txn is None
    txn = atomic.Transaction() if own else txn
    tmp = txn.temp(out)                 # (also removes temporaries of crashed renders)
    try:
        try:
            open(tmp, "xb").close()        # claim the output name now: fail early if we can't
        except FileExistsError:
            pass
        except OSError as e:
            raise ChunkError(f"cannot write {out}: {e}") from None
        runner.run(Work(film, job, pending(), cache, progress, tally, kill_once))
        segments = [cache.path(keys[c.index]) for c in chunks]
        missing = [p for p in segments if not p.exists()]
        if missing:
            raise ChunkError(f"{len(missing)} segment(s) vanished from {cache.root} during "
                             "the render (another render pruning the cache?); render again")
        concat_segments(segments, tmp, fmt, cache.root, str(out))
        check_joined(tmp, out, len(frames), fps)
        if own:
            txn.commit()
    except BaseException:
        txn.discard()
        raise
    finally:
        progress.close()
    # The engine's files changed while rendering (someone is editing shaders): the new
    # segments may not match their keys, so they are not kept.
    tally.engines.add(engine_hash(fresh=True))
    kept = len(tally.engines) == 1
    try:
        if not kept:
            for k in tally.new:
                atomic.discard(cache.path(k))
        cache.clean_partials()
        cache.prune(keep=set(segments))
    except OSError:
        pass
    elapsed = time.perf_counter() - t0
    return {"path": str(out), "frames": len(frames), "fps": len(frames) / elapsed,
            "seconds": elapsed, "chunks": len(chunks), "cached": tally.cached,
            "rendered": tally.rendered, "retried": tally.retried, "cache_kept": kept,
            "worker_peak_rss_mb": sorted(tally.worker_peak_rss_mb.values()),
            "coordinator_peak_rss_mb": peak_rss_mb(),
            "cache_dir": str(cache.root)}
