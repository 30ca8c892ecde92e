"""Text contrast against the pixels actually rendered behind it (WCAG 2.2, SC 1.4.3).

SC 1.4.3 asks 4.5:1 between normal text and its background.  A caption over a 3D shot
has no single background colour, so it is measured per pixel:

- the *backdrop* is the frame as rendered before the text is drawn, including whatever
  panel the text sits on (``overlay_contrast`` rebuilds it: the overlay with its glyphs
  removed, composited over the shot);
- the *glyph cores* are the text pixels the text covers fully (a boolean mask, or a
  coverage map whose pixels >= 0.75 count), so anti-aliased edges, which are partly
  backdrop themselves, do not dilute the figure;
- each core pixel is compared with the backdrop *under and around* it: the backdrop pixel
  in a (2 * around + 1) square window whose luminance is closest to the ink's, i.e. the
  worst neighbour a reader's eye sees next to that stroke;
- the result is the 5th percentile of those per-pixel ratios: the worst 5 % of the text,
  robust to a stray pixel but not to a bright patch behind a word.

Luminance is WCAG's relative luminance (sRGB -> linear -> Y), computed with
`scene.color`'s definition; the ratio is (L1 + 0.05) / (L2 + 0.05).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..scene.color import srgb_to_linear

WCAG_AA_TEXT = 4.5          # SC 1.4.3, normal text
_Y = np.array([0.2126, 0.7152, 0.0722])
_CORE = 0.75                # coverage that counts as a glyph core


def _lum(rgb) -> np.ndarray:
    """Relative luminance of sRGB pixels (uint8 0..255 or float 0..1), shape (..., 3)."""
    a = np.asarray(rgb)
    a = a[..., :3].astype(np.float64) / 255.0 if a.dtype == np.uint8 else \
        a[..., :3].astype(np.float64)
    return srgb_to_linear(a) @ _Y


def text_contrast(backdrop_rgb, text_mask, ink_rgb, around: int = 2,
                  percentile: float = 5.0) -> float:
    """Worst contrast ratio of text of colour ``ink_rgb`` over ``backdrop_rgb``.

    backdrop_rgb: (H, W, 3|4) frame as rendered without the text (uint8 or 0..1 floats).
    text_mask:    (H, W) bool, or coverage in 0..1 (cores: >= 0.75).
    ink_rgb:      one colour (3 values, 0..255 if ints else 0..1) or per-pixel (H, W, 3).
    Returns inf when the mask has no core pixel (there is no text to read)."""
    back = _lum(backdrop_rgb)
    mask = np.asarray(text_mask)
    core = mask if mask.dtype == bool else mask.astype(np.float64) >= _CORE
    if core.shape != back.shape:
        raise ValueError(f"text_contrast: mask {core.shape} and backdrop {back.shape} differ")
    if not core.any():
        return float("inf")
    ink = np.asarray(ink_rgb)
    if ink.ndim == 1:
        ink = ink.astype(np.float64) / 255.0 if ink.dtype.kind in "iu" else ink
        ink_y = np.full(int(core.sum()), float(srgb_to_linear(ink[:3]) @ _Y))
    else:
        ink_y = _lum(ink)[core]
    size = 2 * around + 1
    hi = ndimage.maximum_filter(back, size=size, mode="nearest")[core]
    lo = ndimage.minimum_filter(back, size=size, mode="nearest")[core]

    def ratio(a, b):
        return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)
    # Within the window every backdrop luminance lies in [lo, hi]; the ratio falls as the
    # backdrop nears the ink, so the worst is the ink itself if it lies inside, else the
    # nearer end.
    worst = np.minimum(ratio(ink_y, hi), ratio(ink_y, lo))
    worst = np.where((ink_y >= lo) & (ink_y <= hi), 1.0, worst)
    return float(np.percentile(worst, percentile))


def _unpremultiply(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = rgba[..., 3:4].astype(np.float64) / 255.0
    rgb = np.where(a > 0, rgba[..., :3].astype(np.float64) / 255.0 / np.maximum(a, 1e-9), 0)
    return np.clip(rgb, 0, 1), a[..., 0]


def overlay_contrast(frame_rgb, overlay_rgba, rect, ink_rgb, tolerance: float = 0.12,
                     around: int = 2, percentile: float = 5.0) -> float:
    """Contrast of a caption overlay's text over the frame it is composited onto.

    frame_rgb:    (H, W, 3|4) uint8 frame as rendered *without* this overlay.
    overlay_rgba: (h, w, 4) uint8 premultiplied RGBA (compose/captions.py's images): the
                  panel and the text in one image.
    rect:         (x, y[, w, h]) where the overlay's top-left lands in the frame.
    ink_rgb:      the text colour the overlay was drawn with (0..255 ints or 0..1 floats).

    Glyph cores are the overlay's pixels whose un-premultiplied colour lies within
    ``tolerance`` (RGB distance, 0..1 units) of the ink, at >= 75 % of the text's own
    opacity.  Text-touched pixels are those mixed from the panel colour (the overlay's
    median colour) and the ink, grown by 1 px; with no panel, all drawn pixels.  The backdrop is the overlay with every text-touched pixel replaced by
    its nearest untouched pixel (the panel, or nothing),
    composited over the frame; the ink at each core is the pixel actually rendered there
    (overlay over frame), so a translucent text colour is judged as it shows."""
    frame = np.asarray(frame_rgb)[..., :3].astype(np.float64) / 255.0
    ov = np.asarray(overlay_rgba)
    H, W = frame.shape[:2]
    x, y = int(rect[0]), int(rect[1])
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + ov.shape[1], W), min(y + ov.shape[0], H)
    if x1 <= x0 or y1 <= y0:
        return float("inf")
    ov = ov[y0 - y:y1 - y, x0 - x:x1 - x]
    under = frame[y0:y1, x0:x1]
    ink = np.asarray(ink_rgb, dtype=np.float64)
    ink = ink / 255.0 if ink.max() > 1.0 else ink
    rgb, a = _unpremultiply(ov)
    drawn = a > 0
    if not drawn.any():
        return float("inf")
    dist = np.linalg.norm(rgb - ink[:3], axis=-1)
    is_ink = (dist <= tolerance) & drawn
    if not is_ink.any():
        return float("inf")
    core = is_ink & (a >= _CORE * a[is_ink].max())
    # Text-touched: any pixel mixed from panel and ink (the panel being the overlay's
    # median colour, as it is most of it): on the panel-ink segment, 5 % or more of the
    # way to the ink; other colours (an accent bar) stay.  With no panel of another
    # colour, everything drawn is text.
    panel_rgb = np.median(rgb[drawn], axis=0)
    axis = ink[:3] - panel_rgb
    sep = float(np.linalg.norm(axis))
    if sep < 0.1:
        text = drawn
    else:
        rel = rgb - panel_rgb
        along = rel @ axis / sep ** 2
        off = np.linalg.norm(rel - along[..., None] * axis, axis=-1)
        text = drawn & (along >= 0.05) & (off <= 0.15)
    touched = ndimage.binary_dilation(text, iterations=1)
    pm = ov.astype(np.float64) / 255.0                     # premultiplied, 0..1
    if touched.all():
        panel = np.zeros_like(pm)                           # nothing but text: no panel
    else:
        _, (iy, ix) = ndimage.distance_transform_edt(touched, return_indices=True)
        panel = pm[iy, ix]
    backdrop = panel[..., :3] + under * (1.0 - panel[..., 3:4])
    shown = pm[..., :3] + under * (1.0 - pm[..., 3:4])
    return text_contrast(backdrop, core, shown, around=around, percentile=percentile)
