"""Flash counting over a render, one frame at a time (WCAG 2.2, SC 2.3.1).

SC 2.3.1 "Three Flashes or Below Threshold" and its definition "general flash and red
flash thresholds" (WCAG 2.2): content fails when, in any one-second period, there are more
than three general (or red) flashes whose combined concurrent area exceeds 25 % of any
10-degree visual field.  A *general flash* is a pair of opposing changes in relative
luminance of 10 % or more of the maximum (1.0), the darker image below 0.80; a
*transition* is the change between adjacent peaks and valleys of luminance against time.

How it is measured here:

- Luminance: the frame is cut into a grid of square blocks, 36 along its short side (64
  across a 16:9 frame: 5 px at the gate's 320 x 180, 13 px at 480p, 30 px at 1080p); each
  block's linear R, G, B is the mean of n x n samples spread evenly over it (sRGB ->
  linear by a 256-entry table), n the block's size in pixels up to ``MAX_BLOCK_SAMPLES``:
  at the gate's size every pixel, so a block holds its area's true mean.  Blocks keep the
  cost flat (bench/flash_bench.py) while resolving areas far below the threshold (one
  block is 1/2304 of a 16:9 frame, the threshold 1/36).  WCAG measures flashes as area
  luminance and exempts fine balanced patterns; sampling only 2 x 2 points a block (as
  this meter first did) let the film's fine lobule plates, drifting past the camera,
  alias into "flashes" over a fifth of the frame that no viewer sees.
- Transitions, per block: luminance is followed as monotonic runs (a reversal of more than
  0.002 starts a new run at the last extreme, so noise does not).  A run becomes a
  transition once it has moved 0.1 with its darker end below 0.80.  Transitions of a
  block therefore alternate, and flashes = transitions // 2 in the window ("a pair of
  opposing changes"; seven transitions are still three flashes).
- Window: the transitions of the last ``ceil(fps)`` frames, i.e. one second, kept as a
  ring of per-block counts, so nothing but that ring is stored.
- Area: a frame fails when the blocks with more than three flashes in the window cover
  more than the small-area threshold.  WCAG's note sizes the 10-degree field as a
  341 x 256 px rectangle at 1024 x 768; the threshold is 25 % of it, 21,824 px²
  (Technique G176), i.e. 2.775 % of the screen.  It scales here with the frame's area
  (the film viewed full screen on that 15-17" screen), so 11,376 px at 854 x 480.
  Blocks are summed over the whole frame, not per 10-degree field: conservative.
- Red flashes (WCAG's Harding-Binnie note): the same runs on the redness signal
  max(0, R - G - B) x 320 of the block's linear means, a transition being a change of more
  than 20 with either end saturated red (R / (R + G + B) >= 0.8).

``problems()`` gives one Problem per failing stretch (failing frames less than a second
apart belong to one stretch): its time is the frame of the earliest
transition in the first failing one-second window, its figure the most flashes counted
over the threshold area during the stretch.
"""
from __future__ import annotations

import math

import numpy as np

from .problems import Problem

FIELD_FRACTION = 21824 / (1024 * 768)   # 25 % of WCAG's 341 x 256 px field at 1024 x 768
_LUT = np.where(np.arange(256) / 255.0 <= 0.04045, np.arange(256) / 255.0 / 12.92,
                ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4).astype(np.float32)
_NOISE = 0.002


class _Runs:
    """Peak-to-valley runs of one signal per block, and the transitions they make."""

    def __init__(self, value: np.ndarray, threshold: float):
        self.prev = value.copy()
        self.start = value.copy()
        self.acc = np.zeros_like(value)
        self.done = np.zeros(value.shape, bool)
        self.threshold = threshold
        self.noise = _NOISE * (threshold / 0.1)

    def step(self, value: np.ndarray) -> np.ndarray:
        d = value - self.prev
        flip = (np.sign(d) * np.sign(self.acc) < 0) & (np.abs(d) > self.noise)
        self.start = np.where(flip, self.prev, self.start)
        self.acc = np.where(flip, d, self.acc + d)
        self.done &= ~flip
        self.flip = flip
        self.prev = value
        return ~self.done & (np.abs(self.acc) >= self.threshold)


MAX_BLOCK_SAMPLES = 8       # samples per block side at most (cost: 64 a block at 1080p)
BLOCKS_SHORT = 36           # blocks across the frame's short side


class FlashMeter:
    """Streams frames, remembers one second of per-block transition counts.

    ``FlashMeter(fps, (width, height))``; ``add(frame)`` with an (H, W, 3|4) uint8 frame
    (either row order); ``problems()`` when done.  ``start`` offsets reported times (a
    render that begins at t=start); ``line`` is the id reported ("-": the whole frame)."""

    def __init__(self, fps: float, size: tuple[int, int], start: float = 0.0,
                 line: str = "-", across: int | None = None, block: int | None = None):
        if not fps or fps <= 0:
            raise ValueError(f"flash meter: fps must be positive, got {fps!r}")
        w, h = int(size[0]), int(size[1])
        if w <= 0 or h <= 0:
            raise ValueError(f"flash meter: frame size must be positive, got {size!r}")
        self.fps, self.size, self.start, self.line = float(fps), (w, h), float(start), line
        # A grid of across x down blocks over the whole frame, each the mean of
        # block x block samples spread evenly across it: every block holds the same area.
        # Default: square blocks of 1/36 of the short side (64 across a 16:9 frame, 36
        # across a 1:1 or 9:16 one): the same size against the picture's height as its text
        # and its subjects, so a square or tall version is measured like the wide one (64
        # across a square frame made its blocks 1.8x smaller than a wide frame's, down to
        # the size of single cells in the lobule shots).
        across = across or round(BLOCKS_SHORT * w / min(w, h))
        self.across = min(across, w)
        self.down = max(1, min(h, round(self.across * h / w)))
        # Samples per block side: by default enough to take every pixel of a block up to
        # MAX_BLOCK_SAMPLES (a true area mean at the gate's 320 x 180, where a block is 5 px;
        # denser than the pixel pitch is pointless).  Two point samples a block let a fine
        # pattern (a lobule's plates drifting past) alias into flashes that no viewer sees.
        self.block = block or min(MAX_BLOCK_SAMPLES, math.ceil(max(w / self.across,
                                                                    h / self.down)))
        self._rows = np.round(np.linspace(0, h - 1, self.down * self.block)).astype(np.intp)
        self._cols = np.round(np.linspace(0, w - 1, self.across * self.block)).astype(np.intp)
        self.area = np.full(self.across * self.down, w * h / (self.across * self.down))
        self.threshold_px = FIELD_FRACTION * w * h
        # blocks over the threshold area fail: more than threshold_px / block area
        self._need = min(self.area.size, int(self.threshold_px // self.area[0]) + 1)
        self._n = self.area.size
        self._window = int(math.ceil(self.fps - 1e-9))
        self._ring = {k: np.zeros((self._window, self._n), np.uint8) for k in ("flash", "red")}
        self._count = {k: np.zeros(self._n, np.int32) for k in ("flash", "red")}
        self._runs: dict[str, _Runs] = {}
        self._sat_start: np.ndarray | None = None
        self._open: dict[str, list] = {}
        self._last_fail: dict[str, int] = {}
        self._found: list[Problem] = []
        self.frames = 0

    def _blocks(self, frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = np.asarray(frame)
        if f.ndim != 3 or f.shape[2] < 3 or f.shape[:2] != (self.size[1], self.size[0]):
            raise ValueError(f"flash meter: expected a {self.size[0]}x{self.size[1]} RGB(A) "
                             f"frame, got shape {f.shape}")
        b, nx, ny = self.block, self.across, self.down
        lin = _LUT.take(f[self._rows][:, self._cols, :3])          # (ny*b, nx*b, 3)
        m = lin.reshape(ny, b, nx, b * 3).sum(axis=1).reshape(ny, nx, b, 3).sum(axis=2)
        m = m.reshape(-1, 3) / (b * b)
        return m[:, 0], m[:, 1], m[:, 2]

    def add(self, frame) -> None:
        r, g, b = self._blocks(frame)
        y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        red = np.maximum(r - g - b, 0.0) * 320.0
        sat = r >= 0.8 * (r + g + b + 1e-6)
        slot = self.frames % self._window
        if not self._runs:
            self._runs = {"flash": _Runs(y, 0.1), "red": _Runs(red, 20.0 + 1e-6)}
            new = {"flash": np.zeros(self._n, bool), "red": np.zeros(self._n, bool)}
            self._sat_start = sat
        else:
            lum = self._runs["flash"]
            cand = lum.step(y)
            new_f = cand & (np.minimum(lum.start, y) < 0.8)
            lum.done |= new_f
            rr = self._runs["red"]
            cand_r = rr.step(red)
            self._sat_start = np.where(rr.flip, self._prev_sat, self._sat_start)
            new_r = cand_r & (self._sat_start | sat)
            rr.done |= new_r
            new = {"flash": new_f, "red": new_r}
        self._prev_sat = sat
        for k in ("flash", "red"):
            ring, count = self._ring[k], self._count[k]
            count -= ring[slot]
            ring[slot] = new[k]
            count += ring[slot]
            self._judge(k, count)
        self.frames += 1

    def _judge(self, kind: str, count: np.ndarray) -> None:
        flashes = count // 2
        bad = flashes > 3
        nbad = int(np.count_nonzero(bad))
        if nbad > self._need - 1:
            # blocks are equal: the figure is the flash count that the most-flashing
            # threshold area all reaches, the _need-th largest block count
            n = int(-np.partition(-flashes, self._need - 1)[self._need - 1])
            frac = nbad / self._n
            if kind not in self._open:
                self._open[kind] = [self._first_transition(kind, bad), n, frac]
            else:
                o = self._open[kind]
                o[1], o[2] = max(o[1], n), max(o[2], frac)
            self._last_fail[kind] = self.frames
        elif kind in self._open and self.frames - self._last_fail[kind] >= self._window:
            self._close(kind)           # a full second without failing ends the stretch

    def _first_transition(self, kind: str, bad: np.ndarray) -> float:
        """Time of the window's earliest transition among the failing blocks: when the
        flashing that fails began (or, for a long stretch, one second before now)."""
        f, n = self.frames, self._window
        slots = np.flatnonzero(self._ring[kind][:, bad].any(axis=1))
        ages = (f - slots) % n                       # frames ago, 0 = this frame
        return self.start + (f - int(ages.max())) / self.fps

    def _close(self, kind: str) -> None:
        t0, n, frac = self._open.pop(kind)
        what = "flash" if kind == "flash" else "red-flash"
        self._found.append(Problem(t0, self.line, what,
                                   f"{n} flashes in 1 s > 3 over {100 * frac:.0f} % of the "
                                   f"frame (threshold {100 * FIELD_FRACTION:.2f} %)"))

    def problems(self) -> list[Problem]:
        """Failures so far (a stretch still failing at the last frame included)."""
        open_now = [(k, list(v)) for k, v in self._open.items()]
        out = list(self._found)
        for k, (t0, n, frac) in open_now:
            what = "flash" if k == "flash" else "red-flash"
            out.append(Problem(t0, self.line, what,
                               f"{n} flashes in 1 s > 3 over {100 * frac:.0f} % of the "
                               f"frame (threshold {100 * FIELD_FRACTION:.2f} %)"))
        return sorted(out, key=lambda p: p.time)
