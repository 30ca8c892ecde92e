"""Colours as plain sRGB float triples, parsed from the brief's hex palette."""
from __future__ import annotations

import numpy as np

# The brief's palette (science_brief.md §5): one place, named as the brief names them.
PALETTE = {
    "liver_maroon": "#7A2E26",
    "hepatocyte_rose": "#D98C7A",
    "arterial_red": "#C62828",
    "venous_indigo": "#3F51B5",
    "lipid_gold": "#F2C14E",
    "kupffer_violet": "#7E57C2",
    "inflammation_ember": "#FF5722",
    "myofibroblast_rust": "#A0522D",
    "scar_ivory": "#EDE3CF",
    "therapy_teal": "#14B8A6",
    "resolution_blue": "#4FC3F7",
    "deep_navy": "#0B1A2E",
}


def rgb(value) -> np.ndarray:
    """sRGB triple in [0, 1] from '#RRGGBB', a palette name, or a 3-sequence."""
    if isinstance(value, str):
        s = PALETTE.get(value, value)
        if not (s.startswith("#") and len(s) == 7):
            raise ValueError(f"colour {value!r}: expected '#RRGGBB' or one of {sorted(PALETTE)}")
        return np.array([int(s[k:k + 2], 16) / 255.0 for k in (1, 3, 5)])
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] != 3:
        raise ValueError(f"colour {value!r}: expected 3 components")
    if not np.isfinite(a).all():
        raise ValueError(f"colour {value!r}: components must be finite numbers")
    return a


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(c) -> float:
    """Relative luminance (WCAG) of an sRGB colour, for caption contrast checks."""
    lin = srgb_to_linear(rgb(c))
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
