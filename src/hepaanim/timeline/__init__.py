"""The score: tracks on property paths, easing, acts, camera moves (no drawing here)."""
from .easing import EASINGS
from .timeline import Act, Film, Timeline
from .tracks import KeyframeTrack, ProceduralTrack

__all__ = ["Act", "EASINGS", "Film", "KeyframeTrack", "ProceduralTrack", "Timeline"]
