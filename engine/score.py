"""The score: plain note data every stage after composition works from (times in beats)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Note:
    """One note; `start` and `duration` are in quarter-note beats from the top of the piece."""

    start: float
    duration: float
    pitch: int
    velocity: int
    # The syllable sung on this note (vocal parts only), karaoke style: a word's last syllable ends
    # with " ", a lyric line's last syllable with "\n"; "" on a held (melisma) note or any instrument.
    lyric: str = ""


@dataclass(slots=True)
class Track:
    """One instrument's notes with its mix settings."""

    name: str
    program: int
    role: str
    notes: list[Note] = field(default_factory=list)
    is_drum: bool = False
    bank: int = 0  # 128 selects a GM drum kit preset for drum tracks
    volume: int = 100  # MIDI CC7
    pan: int = 64  # MIDI CC10, 0 left … 127 right
    reverb: int = 40  # MIDI CC91
    chorus: int = 0  # MIDI CC93


@dataclass(frozen=True, slots=True)
class SectionMark:
    """Where a section of the song form starts, for evaluation and for people reading MIDI."""

    name: str
    start_beat: float
    bars: int


@dataclass(slots=True)
class Score:
    """A whole piece: tempo, meter, key and the tracks, ready to become MIDI."""

    tempo_bpm: float
    meter: str
    key: str
    mode: str
    tracks: list[Track]
    length_beats: float
    sections: list[SectionMark] = field(default_factory=list)

    @property
    def seconds_per_beat(self) -> float:
        """How long one quarter-note beat lasts."""
        return 60.0 / self.tempo_bpm

    @property
    def duration_s(self) -> float:
        """The length of the piece in seconds, without the reverb tail."""
        return self.length_beats * self.seconds_per_beat
