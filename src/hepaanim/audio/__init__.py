"""The sound engine: narration, music bed, mix, mux, and a picture to check them by.

Generic like the rest of ``hepaanim``: it knows no film.  A film hands it narrated lines
(`voice.Line`: id, text, window), description lines, and bed segments (its acts with a
warmth each), and gets back numpy arrays, (n, 2) float32 at 48 kHz, that mix and mux
into the rendered video.  Every module is small and named for what it holds:

- `clips`: the array convention, resampling, speech onsets and trimming
- `voice`: recorded takes (they win) or an espeak-ng scratch voice; take checks
- `music`: the bed, a pure function of (segments, rate, seed): random access
- `mix`: placement, ducking, loudness normalisation and true-peak limiting
- `describe`: audio-description placement in the narration's pauses, WebVTT
- `mux`: audio files, muxing into MP4 (AAC) / WebM (Opus), decoding for checks
- `levels`: loudness (BS.1770), true peak, spectral centroid
- `plot`: the waveform-and-loudness PNG
"""
from .clips import RATE

__all__ = ["RATE"]
