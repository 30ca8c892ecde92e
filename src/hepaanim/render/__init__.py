"""Draws a FrameState: gl/ (final frames, tests); the preview is hepaanim.preview."""
