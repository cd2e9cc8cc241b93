"""Bring your own tune: a recording or a MIDI file becomes the lead of a new piece."""
