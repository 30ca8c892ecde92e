"""Scheduling a video render: chunk plan, segment cache, state digests, and the runners
(inline, process pool, Dask) behind one interface.

    plan      act-aligned chunks of a frame range (the same cut for any worker count)
    job       Job (scene, format, Settings), Tally, ChunkError
    digest    engine hash, settings key, frame-state digests: what a chunk's key is made of
    cache     SegmentCache: segments by key, verified before reuse
    segment   render_segment: one chunk streamed to its own video file
    runner    Runner (the interface), Work, Pending
    inline    InlineRunner: this process
    pool      PoolRunner: spawned local processes
    dask      DaskRunner: a Dask cluster
    chunked   render_chunked: plan -> cache -> runner -> output.join; runner_for()

It sits above ``render/`` (GL and the frame loop) and ``output/`` (encoders, the join):
neither imports it.
"""
