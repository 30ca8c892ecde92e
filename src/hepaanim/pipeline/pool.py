"""The process-pool runner: ``workers`` spawned processes render chunks side by side.

Each worker is a *spawned* process (GL contexts do not survive fork); it loads the scene
file itself by path, keeps one GL context and renders chunk after chunk, streaming frames
to its own ffmpeg, and sends back the digest of the frame states it drew (its copy of the
scene may have been edited since the coordinator keyed the chunk).  A worker that dies
mid-chunk is replaced and the chunk rendered again, up to ``MAX_ATTEMPTS`` times.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

from ..output import atomic
from .digest import ContentDigest, StateHasher, check_digest, engine_hash
from .job import MAX_ATTEMPTS, ChunkError, Job, peak_rss_mb
from .plan import Chunk
from .runner import Pending, Runner, Work
from .segment import render_segment


class PoolRunner(Runner):
    def __init__(self, workers: int):
        self.workers = workers

    def run(self, work: Work) -> None:
        _run_pool(work, self.workers)


def _worker_main(conn, job: Job, lp_threads: int | None, kill_once: str | None):
    """A render worker process: load the scene, keep one GL context, render chunks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the coordinator handles Ctrl-C

    def _term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, _term)
    if lp_threads and "LP_NUM_THREADS" not in os.environ:
        os.environ["LP_NUM_THREADS"] = str(lp_threads)   # llvmpipe threads per worker
    renderer = None
    try:
        from ..loader import load
        try:
            film = load(job.scene)
            renderer = job.renderer()
            hasher = StateHasher(*job.settings.size, job.settings.lang)
        except Exception as e:
            conn.send(("error", None, type(e).__name__, str(e)))
            return
        conn.send(("ready", engine_hash()))
        while True:
            msg = conn.recv()
            if msg is None:
                break
            index, first, stop, dest = msg
            digest = ContentDigest(hasher, stop - first)
            try:
                render_segment(film, renderer, job, Path(dest), first, stop,
                               lambda n: conn.send(("progress", n)), kill_once, digest)
            except Exception as e:
                conn.send(("error", index, type(e).__name__, str(e)))
                return
            conn.send(("done", index, peak_rss_mb(), digest.hexdigest()))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass                                # coordinator gone or stopping us
    finally:
        # A SIGTERM may land while the context is being released: ignore it from here on,
        # so a stopped worker exits quietly instead of printing a traceback.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if renderer is not None:
            try:
                renderer.close()
            except KeyboardInterrupt:
                pass


def _raise_worker_error(kind: str, msg: str, chunk: Chunk | None):
    from ..loader import SceneError
    if kind == "SceneError":
        raise SceneError(msg)
    where = f"frames {chunk.first}..{chunk.stop - 1}: " if chunk is not None else ""
    if kind in ("EncoderError", "ChunkError"):
        raise ChunkError(f"{where}{msg}")
    raise ChunkError(f"worker failed on {where}{kind}: {msg}")


class _Worker:
    def __init__(self, ctx, job, lp_threads, kill_once):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, job, lp_threads, kill_once),
                                daemon=True, name="hepaanim-worker")
        self.proc.start()
        child.close()
        self.chunk: Chunk | None = None
        self.ready = False
        self.done_frames = 0      # progress reported for the current chunk

    def stop(self, timeout: float = 5.0):
        try:
            self.conn.send(None)
        except Exception:
            pass
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        self.conn.close()

    def terminate(self):
        if self.proc.is_alive():
            self.proc.terminate()

    def reap(self, timeout: float = 5.0):
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout)
        try:
            self.conn.close()
        except Exception:
            pass


def _run_pool(work: Work, workers: int):
    """Render the chunks that `work.pending` yields (computed lazily) on
    `workers` spawned processes; a worker that dies is replaced and its chunk redone."""
    import multiprocessing as mp
    from multiprocessing.connection import wait
    ctx = mp.get_context("spawn")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    lp = max(1, cores // workers)        # llvmpipe threads per worker (unless set)
    job, cache, progress, tally, kill_once = (work.job, work.cache, work.progress,
                                              work.tally, work.kill_once)
    pool = [_Worker(ctx, job, lp, kill_once) for _ in range(workers)]
    queue: list[Pending] = []
    attempts: dict[int, int] = {}
    keys: dict[int, Pending] = {}
    pending = iter(work.pending)
    exhausted = False
    running = 0
    try:
        while True:
            idle = [w for w in pool if w.ready and w.chunk is None]
            while idle and queue:
                item = queue.pop(0)
                chunk, key = item.chunk, item.key
                w = idle.pop()
                try:
                    w.conn.send((chunk.index, chunk.first, chunk.stop, str(cache.path(key))))
                except OSError:                 # it just died: its sentinel will say so
                    queue.insert(0, item)
                    continue
                w.chunk, w.done_frames = chunk, 0
                keys[chunk.index] = item
                running += 1
            if exhausted and not queue and running == 0:
                return
            # Compute the next key while workers are busy (or starting up).
            if not exhausted and len(queue) < len(pool):
                try:
                    queue.append(next(pending))
                except StopIteration:
                    exhausted = True
                if wait([w.conn for w in pool] + [w.proc.sentinel for w in pool], 0) == []:
                    continue
            ready = wait([w.conn for w in pool] + [w.proc.sentinel for w in pool])
            for w in list(pool):
                if w.conn in ready:
                    try:
                        while w.conn.poll():
                            msg = w.conn.recv()
                            if msg[0] == "progress":
                                w.done_frames += msg[1]
                                progress.update(msg[1])
                            elif msg[0] == "ready":
                                w.ready = True
                                tally.engines.add(msg[1])
                            elif msg[0] == "done":
                                c, key, digest, _ = keys[msg[1]]
                                if msg[3] != digest:
                                    atomic.discard(cache.path(key))
                                    check_digest(c, digest, msg[3])
                                cache.seal(key, len(c))
                                tally.new.append(key)
                                tally.rendered += 1
                                tally.worker_peak_rss_mb[w.proc.pid] = msg[2]
                                w.chunk = None
                                running -= 1
                            elif msg[0] == "error":
                                _raise_worker_error(msg[2], msg[3], w.chunk)
                    except (EOFError, ConnectionResetError, BrokenPipeError):
                        pass                       # died: handled through the sentinel
                if w.proc.sentinel in ready or not w.proc.is_alive():
                    w.reap()
                    pool.remove(w)
                    if w.chunk is not None:
                        c = w.chunk
                        running -= 1
                        progress.update(-w.done_frames)
                        attempts[c.index] = attempts.get(c.index, 1) + 1
                        tally.retried += 1
                        if attempts[c.index] > MAX_ATTEMPTS:
                            raise ChunkError(
                                f"a worker died {MAX_ATTEMPTS} times rendering frames "
                                f"{c.first}..{c.stop - 1} (exit code {w.proc.exitcode})")
                        queue.insert(0, keys[c.index])
                    elif not w.ready:
                        raise ChunkError(f"a render worker died while starting "
                                         f"(exit code {w.proc.exitcode})")
                    pool.append(_Worker(ctx, job, lp, kill_once))
    except BaseException:
        for w in pool:
            w.terminate()
        for w in pool:
            w.reap()
        pool = []
        raise
    finally:
        for w in pool:
            w.stop()

