"""Fixed, varied 4/4 specs the model is measured on (benchmarks and the originality rate)."""

from __future__ import annotations

from engine.genres import GENRES
from engine.spec import MODES, MusicSpec, build_spec

KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def spec_for(genre: str, key: str, mode: str, tempo: int, seconds: float, seed: int) -> MusicSpec:
    """A piece in the genre's default arrangement, with the given key, tempo, length and seed."""
    style = GENRES[genre]
    return build_spec({
        "genre": genre, "key": key, "mode": mode, "tempo_bpm": tempo, "meter": "4/4",
        "parts": [{"name": name, "role": role} for name, role in style.parts],
        "drums": style.drums, "drum_kit": style.drum_kit, "duration_s": seconds, "seed": seed,
        "energy": style.energy,
    })  # fmt: skip


def measurement_specs(count: int, seconds: float = 30.0) -> list[MusicSpec]:
    """`count` specs cycling through the 4/4 genres, all twelve keys, major/minor and each genre's tempo."""
    genres = sorted(name for name, style in GENRES.items() if style.meter == "4/4")
    specs = []
    for index in range(count):
        style = GENRES[genres[index % len(genres)]]
        mode = style.mode if index % 3 else ("minor" if style.mode == "major" else "major")
        low, typical, high = style.tempo
        tempo = (low, typical, high)[index % 3]
        specs.append(spec_for(style.name, KEYS[(index * 5) % 12], mode if mode in MODES else "major",
                              tempo, seconds, seed=index))  # fmt: skip
    return specs
