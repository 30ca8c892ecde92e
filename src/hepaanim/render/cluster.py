"""Render chunks on an existing Dask distributed cluster (``--scheduler tcp://HOST:PORT``).

The client (``hepaanim render``) plans the chunks and their keys exactly as for local
workers (``render.parallel``), submits one task per chunk that is not in its cache, and
writes each returned segment (bytes) into the cache before joining them.  The workers need
hepaanim (same version) installed, not the scene: the scene folder's ``.py`` files travel
with the task and are written to a temporary folder on the worker, keyed by their hash.
A worker process keeps one loaded film per scene hash and one GL context per thread, so a
cluster started with one thread per worker process (``dask worker --nthreads 1``) is the
natural shape: llvmpipe and x264 already use every core they get.

A worker that dies mid-chunk is Dask's to handle: the scheduler gives the task to another
worker (up to ``distributed.scheduler.allowed-failures`` times), and the chunk is rendered
again from its first frame.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from .frames import Progress
from .parallel import (ChunkError, ContentDigest, Job, SegmentCache, StateHasher, check_digest,
                       engine_hash, peak_rss_mb, render_segment)

_lock = threading.Lock()
_films: dict[str, object] = {}            # source hash -> Film (worker side, per process)
_local = threading.local()                 # per thread: one renderer


def scene_bundle(scene: str) -> dict[str, bytes]:
    """The scene folder's Python files (what ``loader.source_hash`` covers)."""
    from ..loader import scene_files          # the scene's own files, not a venv beside it
    root = Path(scene).resolve().parent
    return {str(p.relative_to(root)): p.read_bytes() for p in scene_files(root)}


def bundle_hash(bundle: dict[str, bytes]) -> str:
    h = hashlib.blake2b(digest_size=12)
    for rel in sorted(bundle):
        h.update(rel.encode() + b"\0" + bundle[rel] + b"\0")
    return h.hexdigest()


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
    digest = ContentDigest(StateHasher(*job.settings.size), stop - first)
    with tempfile.TemporaryDirectory(prefix="hepaanim-seg-") as d:
        p = render_segment(film, renderer, job, Path(d) / f"segment.{job.fmt}", first, stop,
                           None, kill_once, digest)
        data = p.read_bytes()
    return {"data": data, "digest": digest.hexdigest(), "engine": engine,
            "rss_mb": peak_rss_mb(),
            "worker": f"{os.uname().nodename}:{os.getpid()}"}


def run_on_cluster(scheduler: str, todo, job: Job, cache: SegmentCache, progress: Progress,
                   stats: dict, kill_once: str | None = None) -> None:
    """Submit every (chunk, key, digest) of `todo` to the cluster; store the segments in
    `cache`."""
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
        chunk, key, digest = submitted[fut.key]
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
            stats["engines"].add(res["engine"])     # edited here too: finish, cache nothing
        check_digest(chunk, digest, res["digest"])
        cache.put_bytes(key, res["data"], len(chunk))
        stats["rendered"] += 1
        stats["new"].append(key)
        stats["worker_peak_rss_mb"][res["worker"]] = max(
            res["rss_mb"], stats["worker_peak_rss_mb"].get(res["worker"], 0.0))
        progress.update(len(chunk))

    try:
        for chunk, key, digest in todo:
            fut = client.submit(render_chunk_task, bundle, job, chunk.first, chunk.stop,
                                kill_once, key=f"hepaanim-chunk-{key}", pure=False)
            submitted[fut.key] = (chunk, key, digest)
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
