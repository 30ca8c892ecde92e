"""The Dask runner: chunks rendered on an existing Dask cluster (``--scheduler tcp://HOST:PORT``).

The client (``hepaanim render``) plans the chunks and their keys exactly as for local
workers, submits one task per chunk that is not in its cache, and writes each returned
segment (bytes) into the cache before joining them.  The workers need hepaanim (same
version) installed, not the scene: the scene folder's ``.py`` files
(``loader.scene_bundle``) travel with the task and are written to a temporary folder on the
worker, named by their hash (``loader.bundle_hash``, the film's ``source_hash``).
A worker process keeps one loaded film per scene hash and one GL context per thread, so a
cluster started with one thread per worker process (``dask worker --nthreads 1``) is the
natural shape: llvmpipe and x264 already use every core they get.

A worker that dies mid-chunk is Dask's to handle: the scheduler gives the task to another
worker (up to ``distributed.scheduler.allowed-failures`` times), and the chunk is rendered
again from its first frame.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from ..loader import bundle_hash
from ..loader import scene_bundle as _folder_bundle
from .digest import ContentDigest, StateHasher, check_digest, engine_hash
from .job import ChunkError, Job, peak_rss_mb
from .runner import Runner, Work
from .segment import render_segment

_lock = threading.Lock()
_films: dict[str, object] = {}            # source hash -> Film (worker side, per process)
_local = threading.local()                 # per thread: one renderer


def scene_bundle(scene: str) -> dict[str, bytes]:
    """The Python files of the folder that holds the scene file (what the film's
    ``source_hash`` covers), by path relative to it."""
    return _folder_bundle(Path(scene).resolve().parent)


class DaskRunner(Runner):
    def __init__(self, scheduler: str):
        self.scheduler = scheduler

    def run(self, work: Work) -> None:
        run_on_cluster(self.scheduler, work)


def _materialize(bundle: dict[str, bytes], source_hash: str) -> Path:
    root = Path(tempfile.gettempdir()) / "hepaanim-scenes" / source_hash
    if root.is_dir():
        return root
    tmp = root.with_name(f".{source_hash}.partial-{os.getpid()}-{threading.get_ident()}")
    for rel, data in bundle.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    try:
        os.replace(tmp, root)
    except OSError:                         # another worker got there first
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def _film(bundle, scene_name: str):
    from ..loader import load
    source_hash = bundle_hash(bundle)
    with _lock:
        film = _films.get(source_hash)
        if film is None:
            root = _materialize(bundle, source_hash)
            before = set(sys.modules)
            try:
                film = load(root / scene_name)
            finally:
                # Forget act modules imported from this folder, so that a later version
                # of the scene (another folder) imports its own.
                for name in set(sys.modules) - before:
                    f = getattr(sys.modules[name], "__file__", None) or ""
                    if f.startswith(str(root)):
                        del sys.modules[name]
            if len(_films) >= 2:
                _films.pop(next(iter(_films)))
            _films[source_hash] = film
        return film


def _renderer(job: Job):
    """This thread's renderer, and the engine hash of the code it was built from.  It is
    kept while the job's Settings (whole: size, scale, look, ...) are those it was built
    for."""
    key = job.settings
    r = getattr(_local, "renderer", None)
    if r is not None and _local.key != key:
        r.close()
        r = None
    if r is None:
        r = _local.renderer = job.renderer()
        _local.key = key
        _local.engine = engine_hash(fresh=True)      # the shaders it compiled
    return r, _local.engine


def render_chunk_task(bundle: dict[str, bytes], job: Job, first: int, stop: int,
                      kill_once: str | None = None) -> dict:
    """Worker side: render frames [first, stop) to a segment and return its bytes, with the
    digest of the frame states drawn and the engine hash of the renderer that drew them."""
    film = _film(bundle, Path(job.scene).name)
    renderer, engine = _renderer(job)
    digest = ContentDigest(StateHasher(*job.settings.size, job.settings.lang), stop - first)
    with tempfile.TemporaryDirectory(prefix="hepaanim-seg-") as d:
        p = render_segment(film, renderer, job, Path(d) / f"segment.{job.fmt}", first, stop,
                           None, kill_once, digest)
        data = p.read_bytes()
    return {"data": data, "digest": digest.hexdigest(), "engine": engine,
            "rss_mb": peak_rss_mb(),
            "worker": f"{os.uname().nodename}:{os.getpid()}"}


def run_on_cluster(scheduler: str, work: Work) -> None:
    """Submit every pending chunk of `work` to the cluster; store the segments in its
    cache."""
    job, cache, progress, tally = work.job, work.cache, work.progress, work.tally
    try:
        from distributed import Client, as_completed
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise ChunkError("--scheduler needs Dask: pip install 'hepaanim[cluster]'") from None
    from ..loader import SceneError
    try:
        client = Client(scheduler, timeout="15s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ChunkError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
    bundle = scene_bundle(job.scene)
    mine = engine_hash()
    submitted: dict[str, tuple] = {}
    futures = []
    done = as_completed(loop=client.loop)

    def collect(fut):
        chunk, key, digest, _ = submitted[fut.key]
        try:
            res = fut.result()
        except SceneError:
            raise
        except KilledWorker as e:
            raise ChunkError(f"workers died rendering frames {chunk.first}..{chunk.stop - 1} "
                             f"too often: {e}") from None
        except ChunkError:
            raise
        except Exception as e:
            raise ChunkError(f"frames {chunk.first}..{chunk.stop - 1} failed on the cluster: "
                             f"{type(e).__name__}: {e}") from None
        if res["engine"] != mine:
            if engine_hash(fresh=True) == mine:
                raise ChunkError(f"worker {res['worker']} runs a different hepaanim (engine "
                                 f"{res['engine'][:12]}, here {mine[:12]}): install the same "
                                 "version on the cluster")
            tally.engines.add(res["engine"])     # edited here too: finish, cache nothing
        check_digest(chunk, digest, res["digest"])
        cache.put_bytes(key, res["data"], len(chunk))
        tally.rendered += 1
        tally.new.append(key)
        tally.worker_peak_rss_mb[res["worker"]] = max(
            res["rss_mb"], tally.worker_peak_rss_mb.get(res["worker"], 0.0))
        progress.update(len(chunk))

    try:
        for item in work.pending:
            chunk = item.chunk
            fut = client.submit(render_chunk_task, bundle, job, chunk.first, chunk.stop,
                                work.kill_once, key=f"hepaanim-chunk-{item.key}",
                                pure=False)
            submitted[fut.key] = item
            futures.append(fut)
            done.add(fut)
            while done.has_ready():
                collect(next(done))
        for fut in done:
            collect(fut)
    except BaseException:
        try:
            client.cancel(futures)
        except Exception:
            pass
        raise
    finally:
        client.close()
