"""Lyrics: the words of a song read into sections, lines and stressed syllables, ready to be set."""
