"""Backends that draw a FrameState: gl/ (final frames, tests) and vpython/ (preview)."""
