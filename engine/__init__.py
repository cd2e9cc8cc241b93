"""Bandmate's engine: musical spec → plan → score → MIDI → audio → MP3."""
