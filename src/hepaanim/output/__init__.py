"""Encoders (MP4, WebM, GIF, PNG sequence) and atomic writes."""
