"""The singer: lyrics on a vocal part's notes sung offline (speech phonemes, WORLD-vocoded onto the tune)."""

from engine.vocals.lines import octave_shift
from engine.vocals.sing import sing
from engine.vocals.voices import LANGUAGE_CODES, LANGUAGES, VOICE_NAMES, VOICES, Language, Voice

__all__ = ["LANGUAGES", "LANGUAGE_CODES", "VOICES", "VOICE_NAMES", "Language", "Voice", "octave_shift", "sing"]
