"""Captions, titles, labels and cards: drawn once with Pillow, composited by the backend."""
from .captions import overlay_items

__all__ = ["overlay_items"]
