"""Chord progressions as data: Roman numerals per harmony family, mode and section kind.

A progression is bars separated by "|"; a bar holds one or more chords that split it evenly; "."
continues the previous chord. "V7/vi" is a secondary dominant (the V7 of vi); "IV@I" puts I in the
bass under IV. Numerals count from the major scale of the tonic, so minor-key
progressions spell their flats (i bVI bIII bVII). A numeral without a suffix is coloured with
diatonic sevenths or ninths by styles that ask for them; an explicit suffix is kept as written.
"""

from __future__ import annotations

Pool = dict[str, tuple[str, ...]]  # section kind (verse, chorus, bridge) → progressions

_POP_MAJOR: Pool = {
    "verse": (
        "I | V | vi | IV",
        "vi | IV | I | V",
        "I | vi | IV | V",
        "I | IV | vi | V",
        "I | iii | IV | V",
        "I | V/vi | vi | IV",
    ),
    "chorus": (
        "IV | V | iii | vi",
        "I | V | vi | IV",
        "IV | I | V | vi",
        "vi | IV | I | V",
        "IV | iv | I | V",
        "I | V7/V | IV | V",
    ),
    "bridge": ("ii | IV | V | V", "vi | V | IV | V", "IV | iv | I | V7", "bVI | bVII | I | I"),
}
_POP_MINOR: Pool = {
    "verse": ("i | bVI | bIII | bVII", "i | bVII | bVI | bVII", "i | iv | bVI | V", "i | bIII | bVII | iv"),
    "chorus": ("bVI | bVII | i | i", "bVI | bIII | bVII | i", "i | bVI | bIII | bVII", "iv | bVI | bVII | i"),
    "bridge": ("iv | v | bVI | V", "bVI | bVII | bIII | V", "iv | bVII | bIII | bVI"),
}
_ROCK_MAJOR: Pool = {
    "verse": ("I | bVII | IV | I", "I | IV | V | IV", "I | V | IV | IV", "I | I | IV | bVII", "I | II | IV | I"),
    "chorus": ("IV | I | V | V", "I | V | vi | IV", "IV | V | I | I", "I | IV | V | I"),
    "bridge": ("vi | IV | vi | V", "ii | IV | V | V", "bVI | bVII | I | I"),
}
_ROCK_MINOR: Pool = {
    "verse": ("i | bVII | bVI | bVII", "i | bVI | bVII | i", "i | i | bVI bVII | i", "i | bIII | bVII | bVI"),
    "chorus": ("bVI | bVII | i | i", "i | bVII | bVI | bVII", "i | bVI | bIII | bVII"),
    "bridge": ("iv | bVI | bVII | V", "bII | bII | i | bVII", "bVI | bVII | iv | V"),
}
_BLUES_MAJOR: Pool = {
    "verse": (
        "I7 | IV7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        "I7 | I7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 IV7 | I7 V7",
        "I7 | IV7 | I7 | I7 | IV7 | #ivo7 | I7 | VI7 | ii7 | V7 | I7 VI7 | ii7 V7",
    ),
}
_BLUES_MINOR: Pool = {
    "verse": (
        "i7 | iv7 | i7 | i7 | iv7 | iv7 | i7 | i7 | bVI7 | V7 | i7 | V7",
        "i7 | i7 | i7 | i7 | iv7 | iv7 | i7 | i7 | bVI7 | V7 | i7 iv7 | i7 V7",
    ),
}
_JAZZ_MAJOR: Pool = {
    "verse": (
        "ii7 | V7 | Imaj7 | Imaj7",
        "Imaj7 | vi7 | ii7 | V7",
        "Imaj7 | IVmaj7 | iii7 VI7 | ii7 V7",
        "Imaj7 | I7 | IVmaj7 | iv7",
        "Imaj7 | VI7 | ii7 | V7",
    ),
    "chorus": ("IVmaj7 | iv7 | iii7 | VI7", "ii7 | V7 | Imaj7 | VI7", "Imaj7 | ii7 V7 | iii7 VI7 | ii7 V7"),
    "bridge": ("III7 | III7 | VI7 | VI7", "iii7 | VI7 | ii7 | V7", "IVmaj7 | IVmaj7 | iii7 | VI7"),
}
_JAZZ_MINOR: Pool = {
    "verse": ("iiø7 | V7 | i7 | i7", "i7 | iv7 | bVII7 | bIIImaj7", "i7 | i7 | iv7 | iv7"),
    "chorus": ("bVImaj7 | iiø7 V7 | i7 | i7", "iv7 | bVII7 | bIIImaj7 | bVImaj7", "i7 | iv7 | iiø7 | V7"),
    "bridge": ("bIIImaj7 | bVImaj7 | iiø7 | V7", "iv7 | iv7 | bVII7 | bIIImaj7"),
}
_SOUL_MAJOR: Pool = {
    "verse": ("Imaj7 | vi7 | ii7 | V7", "I | I7 | IV | iv", "IVmaj7 | iii7 | ii7 | Imaj7", "I | iii | IV | V"),
    "chorus": ("IV | V | iii | vi", "IV | iii7 | ii7 | V7", "I | I7 | IV | #ivo7"),
    "bridge": ("ii7 | iii7 | IV | V", "vi7 | V/vi | IV | V7", "bVI | bVII | I | I"),
}
_SOUL_MINOR: Pool = {
    "verse": ("i7 | iv7 | bVII7 | bIIImaj7", "i9 | iv9 | i9 | iv9", "i7 | bVImaj7 | iv7 | V7"),
    "chorus": ("bVImaj7 | bVII7 | i7 | i7", "iv7 | V7 | i7 | bVI7", "bIIImaj7 | bVImaj7 | iv7 | V7"),
    "bridge": ("iv7 | bVII7 | bIIImaj7 | V7",),
}
_LOFI_MAJOR: Pool = {
    "verse": ("IVmaj7 | iii7 | ii7 | Imaj7", "ii9 | V9 | Imaj9 | vi9", "Imaj9 | vi9 | ii9 | V9"),
    "chorus": ("IVmaj7 | V7 | iii7 | vi7", "ii9 | iii7 | IVmaj7 | V9", "Imaj7 | III7 | vi7 | V7"),
    "bridge": ("IVmaj7 | iv7 | iii7 | VI7",),
}
_LOFI_MINOR: Pool = {
    "verse": ("i9 | iv9 | bVIImaj7 | bIIImaj7", "i7 | bVImaj7 | iv7 | V7", "iv9 | i9 | bVImaj7 | V7"),
    "chorus": ("bVImaj7 | bVII7 | i9 | i9", "iv7 | bVII7 | bIIImaj7 | bVImaj7"),
    "bridge": ("bIIImaj7 | bVImaj7 | iiø7 | V7",),
}
_EDM_MINOR: Pool = {
    "verse": ("i | bVI | bIII | bVII", "i | bVII | bVI | bVII", "i | i | bVI | bVII", "i | bVI | i | bVII"),
    "chorus": ("bVI | bVII | i | i", "i | bVI | bIII | bVII", "i | bVII | bVI | bVII", "iv | bVI | bVII | i"),
    "bridge": ("bVI | bVI | bVII | bVII", "iv | iv | bVI | bVII"),
}
_EDM_MAJOR: Pool = {
    "verse": ("vi | IV | I | V", "I | V | vi | IV"),
    "chorus": ("IV | V | vi | I", "vi | IV | I | V", "IV | I | V | vi"),
    "bridge": ("IV | IV | V | V", "ii | ii | IV | V"),
}
_VAMP_MINOR: Pool = {
    "verse": ("i7 | i7 | iv7 | iv7", "i | i | bVII | bVII", "i7 | . | bVI | bVII"),
    "chorus": ("i7 | iv7 | i7 | iv7", "i | bVII | bVI | bVII", "i9 | . | bVImaj7 | ."),
    "bridge": ("bVImaj7 | . | bVII | .", "iv7 | . | bVII | ."),
}
_VAMP_MAJOR: Pool = {
    "verse": ("Imaj7 | . | IVmaj7 | .", "I | IV@I | I | IV@I", "Imaj9 | . | vi9 | ."),
    "chorus": ("IVmaj7 | . | Imaj7 | .", "vi7 | IVmaj7 | Imaj7 | V"),
    "bridge": ("ii9 | . | IVmaj7 | .", "vi7 | . | IVmaj7 | ."),
}
_CLASSICAL_MAJOR: Pool = {
    "verse": ("I | IV | V | I", "I | vi | ii | V", "I | V | vi | iii | IV | I | IV | V", "I | ii | V7 | I"),
    "chorus": ("IV | I | ii | V", "vi | ii | V7 | I", "I | IV | viio | iii | vi | ii | V | I"),
    "bridge": ("vi | iii | IV | V", "ii | V7/V | V | V7", "iv | I | ii | V"),
}
_CLASSICAL_MINOR: Pool = {
    "verse": ("i | iv | V | i", "i | bVI | iiø7 | V", "i | iv | bVII | bIII | bVI | iio | V | i"),
    "chorus": ("bIII | bVI | iv | V", "i | bVII | bVI | V", "iv | i | V7 | i"),
    "bridge": ("bVI | iv | V | V", "bIII | bVII | bIII | V"),
}
_FOLK_MAJOR: Pool = {
    "verse": ("I | IV | I | V", "I | I | IV | I", "I | IV | V | I", "I | vi | IV | V", "I | IV | II | V"),
    "chorus": ("IV | I | V | I", "IV | V | I | I", "I | V | IV | I", "I | V7/vi | vi | V"),
    "bridge": ("vi | IV | I | V", "IV | IV | I | V"),
}
_FOLK_MINOR: Pool = {
    "verse": ("i | bVII | i | bVII", "i | bIII | bVII | i", "i | iv | bVII | i"),
    "chorus": ("bIII | bVII | i | i", "bVI | bVII | i | i", "i | bVII | bVI | bVII"),
    "bridge": ("bIII | bVII | iv | v",),
}
_LATIN_MINOR: Pool = {
    "verse": ("i | iv | V7 | i", "i iv | V7 iv | i iv | V7 iv", "i | bVI | iiø7 | V7"),
    "chorus": ("i iv | bVII bIII | bVI iiø7 | V7 i", "iv | V7 | i | i", "i | iv | bVII | bIII"),
    "bridge": ("bVI | bVI | V7 | V7",),
}
_LATIN_MAJOR: Pool = {
    "verse": ("I IV | V7 IV", "I | IV | V7 | IV", "ii7 | V7 | I | I"),
    "chorus": ("I IV | V7 I", "IV | V7 | I | vi"),
    "bridge": ("ii7 | V7 | iii7 | VI7",),
}
_BOSSA_MAJOR: Pool = {
    "verse": (
        "Imaj7 | Imaj7 | II7 | II7 | ii7 | bII7 | Imaj7 | Imaj7",
        "Imaj7 | vi7 | ii7 | V7",
        "ii7 | V7 | Imaj7 | VI7",
    ),
    "chorus": ("IVmaj7 | iv7 | iii7 | VI7", "ii7 | V7 | iii7 | VI7", "IVmaj7 | bVII7 | Imaj7 | VI7"),
    "bridge": ("bIImaj7 | bIImaj7 | ii7 | V7", "iii7 | VI7 | ii7 | V7"),
}
_BOSSA_MINOR: Pool = {
    "verse": ("i7 | iv7 | bVII7 | bIIImaj7", "i7 | i7 | iiø7 | V7", "i6 | i6 | iiø7 | V7"),
    "chorus": ("iv7 | bVII7 | bIIImaj7 | bVImaj7", "bVImaj7 | iiø7 | V7 | i7"),
    "bridge": ("bIIImaj7 | bVImaj7 | iiø7 | V7",),
}
_TANGO_MINOR: Pool = {
    "verse": ("i | V7 | V7 | i", "i | iv | V7 | i", "i | bVI | V7 | i"),
    "chorus": ("iv | i | V7 | i", "bVII | bIII | V7 | i", "bVI | iv | V7 | V7"),
    "bridge": ("bIII | bIII | V7 | V7", "iv | iv | V7 | V7"),
}
_TANGO_MAJOR: Pool = {
    "verse": ("I | V7 | V7 | I", "I | IV | V7 | I"),
    "chorus": ("IV | I | V7 | I", "vi | ii | V7 | I"),
    "bridge": ("vi | vi | V7/vi | vi",),
}
_FUNK_MINOR: Pool = {
    "verse": ("i7 | . | IV7 | .", "i7 | i7 | i7 | IV7", "i9 | . | iv9 | ."),
    "chorus": ("iv7 | bVII7 | i7 | i7", "bVI7 | bVII7 | i7 | i7", "IV7 | IV7 | i7 | i7"),
    "bridge": ("bIIImaj7 | bVII7 | iv7 | V7",),
}
_FUNK_MAJOR: Pool = {
    "verse": ("I9 | . | IV9 | .", "I7 | I7 | IV7 | I7"),
    "chorus": ("IV9 | IV9 | I9 | I9", "ii7 | V7 | I9 | I9"),
    "bridge": ("vi7 | ii7 | V7 | V7",),
}
_GOSPEL_MAJOR: Pool = {
    "verse": ("I | IV@I | I | V7", "I | I7 | IV | #ivo7", "IV | iii7 | ii7 | I", "I | vi7 | ii7 | V7"),
    "chorus": ("IV | V/IV | IV | I", "IV | iv | I | V7", "vi7 | ii7 | V7 | I"),
    "bridge": ("ii7 | iii7 | IV | V", "IV | V | iii7 | vi7"),
}
_GOSPEL_MINOR: Pool = {
    "verse": ("i7 | iv7 | i7 | V7", "i | bVI | iv | V7"),
    "chorus": ("iv7 | V7 | i7 | bVI", "bVI | bVII | i | i"),
    "bridge": ("bIII | bVII | iv | V7",),
}
_MARCH_MAJOR: Pool = {
    "verse": ("I | V7 | V7 | I", "I | IV | V7 | I", "I | I | V7 | V7 | V7 | V7 | I | I"),
    "chorus": ("IV | I | V7 | I", "IV | IV | I | I | ii | V7 | I | I"),
    "bridge": ("vi | V7/V | V | V7",),
}
_WALTZ_MAJOR: Pool = {
    "verse": ("I | . | V7 | . | V7 | . | I | .", "I | IV | V7 | I", "I | vi | ii | V7"),
    "chorus": ("IV | . | I | . | ii | V7 | I | .", "IV | I | V7 | I"),
    "bridge": ("vi | . | V7/V | . | V | . | V7 | .", "ii | V7 | iii | vi"),
}
_WALTZ_MINOR: Pool = {
    "verse": ("i | . | V7 | . | V7 | . | i | .", "i | iv | V7 | i"),
    "chorus": ("iv | . | i | . | V7 | . | i | .", "bVI | iv | V7 | i"),
    "bridge": ("bIII | . | bVII | . | bVI | . | V7 | .",),
}

POOLS: dict[str, dict[str, Pool]] = {
    "pop": {"major": _POP_MAJOR, "minor": _POP_MINOR},
    "rock": {"major": _ROCK_MAJOR, "minor": _ROCK_MINOR},
    "blues": {"major": _BLUES_MAJOR, "minor": _BLUES_MINOR},
    "jazz": {"major": _JAZZ_MAJOR, "minor": _JAZZ_MINOR},
    "soul": {"major": _SOUL_MAJOR, "minor": _SOUL_MINOR},
    "lofi": {"major": _LOFI_MAJOR, "minor": _LOFI_MINOR},
    "edm": {"major": _EDM_MAJOR, "minor": _EDM_MINOR},
    "vamp": {"major": _VAMP_MAJOR, "minor": _VAMP_MINOR},
    "classical": {"major": _CLASSICAL_MAJOR, "minor": _CLASSICAL_MINOR},
    "folk": {"major": _FOLK_MAJOR, "minor": _FOLK_MINOR},
    "latin": {"major": _LATIN_MAJOR, "minor": _LATIN_MINOR},
    "bossa": {"major": _BOSSA_MAJOR, "minor": _BOSSA_MINOR},
    "tango": {"major": _TANGO_MAJOR, "minor": _TANGO_MINOR},
    "funk": {"major": _FUNK_MAJOR, "minor": _FUNK_MINOR},
    "gospel": {"major": _GOSPEL_MAJOR, "minor": _GOSPEL_MINOR},
    "march": {"major": _MARCH_MAJOR, "minor": _TANGO_MINOR},
    "waltz": {"major": _WALTZ_MAJOR, "minor": _WALTZ_MINOR},
}

# The church modes other than major and minor get their own vamps whatever the genre: the mode's
# colour lives in a few chords (Dorian's IV, Mixolydian's bVII, Lydian's II, Phrygian's bII).
MODAL_POOLS: dict[str, Pool] = {
    "dorian": {
        "verse": ("i7 | IV7 | i7 | IV7", "i | bVII | IV | i", "i7 | . | IV | ."),
        "chorus": ("bIII | IV | i | i", "IV | bVII | i | i", "i | IV | bVII | IV"),
        "bridge": ("bVII | bVII | IV | IV", "v7 | . | IV | ."),
    },
    "mixolydian": {
        "verse": ("I | bVII | IV | I", "I | bVII | I | bVII", "I | v | IV | I"),
        "chorus": ("IV | bVII | I | I", "bVII | IV | I | I", "I | bVII | IV | IV"),
        "bridge": ("v | v | IV | bVII", "IV | IV | bVII | bVII"),
    },
    "lydian": {
        "verse": ("I | II | I | II", "Imaj7 | II | vii | I"),
        "chorus": ("II | I | II | I", "I | II | vi | II"),
        "bridge": ("vi | II | vi | II",),
    },
    "phrygian": {
        "verse": ("i | bII | i | bII", "i | bII | bVII | i", "i | . | bII | ."),
        "chorus": ("bII | bIII | bII | i", "bVI | bII | bVII | i"),
        "bridge": ("bVII | bVI | bII | bII",),
    },
    "locrian": {
        "verse": ("io | bII | io | bII", "io | bv | bII | io"),
        "chorus": ("bII | biii | bII | io", "bV | bII | bVII | io"),
        "bridge": ("bVI | bVII | bII | bII",),
    },
}
