"""The audio path: MIDI → per-part audio (FluidSynth) → mix and master → MP3/WAV."""
