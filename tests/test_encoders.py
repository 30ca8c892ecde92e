"""The encoder sinks: frames reach ffmpeg exactly as they were drawn."""
import imageio_ffmpeg
import numpy as np

from hepaanim.output.encoders import FFmpegSink


def test_lent_frame_buffers_reach_the_encoder_intact(tmp_path):
    """The MP4 sink lends frame buffers from a small pool and takes each back once it is
    in the pipe: every frame must be encoded as drawn, never overwritten by a later one
    (flat colours survive H.264 within a few levels)."""
    w, h, n = 64, 48, 40
    colours = [((37 * k) % 200 + 30, (91 * k) % 200 + 30, (53 * k) % 200 + 30) for k in range(n)]
    sink = FFmpegSink(tmp_path / "flat.mp4", (w, h), 30)
    lent = set()
    for c in colours:
        buf = sink.buffer()
        assert buf is None or len(buf) == w * h * 4
        buf = buf if buf is not None else bytearray(w * h * 4)
        lent.add(id(buf))
        np.frombuffer(buf, np.uint8).reshape(h, w, 4)[:] = (*c, 255)
        sink.write(buf)
    sink.close()
    assert len(lent) < n                       # buffers were lent again
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "flat.mp4"))
    next(reader)
    got = [np.frombuffer(f, np.uint8).reshape(h, w, 3).reshape(-1, 3).mean(axis=0)
           for f in reader]
    assert len(got) == n
    for c, g in zip(colours, got):
        assert np.abs(g - c).max() < 6, (c, g)
