"""The encoder sinks: frames reach ffmpeg exactly as they were drawn."""
import subprocess

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


def _bt709_rgb(y, u, v):
    """Limited-range BT.709 YCbCr -> RGB (what an HD player does with the stream)."""
    y, u, v = (y - 16) * 255 / 219, (u - 128) * 255 / 224, (v - 128) * 255 / 224
    return np.stack([y + 1.5748 * v, y - 0.1873 * u - 0.4681 * v, y + 1.8556 * u], axis=-1)


def test_video_is_bt709_and_tagged_so(tmp_path):
    """Players decode HD video with the BT.709 matrix: the brief's colours must come back
    as themselves through it, and the stream must say which matrix, primaries and
    transfer it uses (ffmpeg's default is BT.601, untagged: a ~15-level shift of teal)."""
    from hepaanim.scene.color import rgb
    names = ["#14B8A6", "#C62828", "#17304F", "#8E9BE0", "#F4FAFF", "#0B1A2E"]
    colours = [np.round(rgb(c) * 255).astype(int) for c in names]
    w, h = 16 * len(colours), 32
    frame = np.zeros((h, w, 4), np.uint8)
    frame[..., 3] = 255
    for k, c in enumerate(colours):
        frame[:, 16 * k:16 * (k + 1), :3] = c
    sink = FFmpegSink(tmp_path / "c.mp4", (w, h), 30)
    for _ in range(3):
        sink.write(frame.tobytes())
    sink.close()
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i",
                            str(tmp_path / "c.mp4")], capture_output=True, text=True).stderr
    assert "yuv420p(tv, bt709, progressive)" in probe, probe
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i",
                          str(tmp_path / "c.mp4"), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "yuv420p", "-"], capture_output=True).stdout
    y = np.frombuffer(raw, np.uint8, w * h).reshape(h, w).astype(float)
    u = np.frombuffer(raw, np.uint8, w * h // 4, w * h).reshape(h // 2, w // 2).astype(float)
    v = np.frombuffer(raw, np.uint8, w * h // 4, w * h * 5 // 4).reshape(h // 2, w // 2)
    for k, c in enumerate(colours):
        got = _bt709_rgb(y[16, 16 * k + 8], u[8, 8 * k + 4], float(v[8, 8 * k + 4]))
        assert np.abs(got - c).max() <= 4, (names[k], c, got)
