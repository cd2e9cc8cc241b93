"""Mix profiles as data: what each role gets (EQ, width, sends) and how each genre family mixes.

The composer already balances the parts per role and style (each Track's volume, pan and reverb
send, engine/compose/styles.py); these tables add what a mixer decides on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass

LEAD_NAME = "vocals"  # a track of this name is the sung lead, mixed as the lead whatever its role
LOW_MONO_HZ = 120.0  # below this every stem is mono: bass and kick sit in the centre on any speaker


@dataclass(frozen=True, slots=True)
class RoleProfile:
    """How one role is treated: high-pass, how correlated its stereo must stay, EQ and send weights."""

    highpass_hz: float
    min_correlation: float  # the stem is narrowed (mid/side) until its L/R correlation reaches this
    presence_db: float  # at 3 kHz: the lead gets presence, the accompaniment leaves room for it
    delay_send: float  # share of the genre's delay this role feeds
    ducked_db: float  # sidechain depth by the kick in the genres that pump
    pocket_db: float = 0.0  # deepest presence dip while a sung lead needs room (engine/audio/pocket.py)


# pocket_db: the harmony beds (chords, pads) give the sung voice up to 6 dB of their 1–4 kHz, lines that carry
# their own tune (counter-melodies, an instrumental melody) up to 4; bass and drums keep theirs (the snare's
# crack and the bass's definition). A rock anthem's voice went from −4.8 to +0.4 dB over the band (docs/mix.md).
ROLES: dict[str, RoleProfile] = {
    "melody": RoleProfile(highpass_hz=140.0, min_correlation=0.8, presence_db=1.5, delay_send=1.0, ducked_db=0.0,
                          pocket_db=4.0),
    # The sung voice (Festival through WORLD) is darker than trained singers, who carry a "singer's formant"
    # near 3 kHz: +6 dB there (was +2 for espeak-ng's bright voice) took its 1–4 kHz lead over a rock band
    # from −7.1 to −5.2 dB, pop from +8.9 to +10.1 dB (docs/vocals.md).
    "vocals": RoleProfile(highpass_hz=90.0, min_correlation=0.95, presence_db=6.0, delay_send=0.6, ducked_db=0.0),
    "chords": RoleProfile(highpass_hz=120.0, min_correlation=0.5, presence_db=-2.0, delay_send=0.0, ducked_db=4.0,
                          pocket_db=6.0),
    "pad": RoleProfile(highpass_hz=160.0, min_correlation=0.45, presence_db=-2.5, delay_send=0.0, ducked_db=8.0,
                       pocket_db=6.0),
    "counter": RoleProfile(highpass_hz=140.0, min_correlation=0.55, presence_db=-1.5, delay_send=0.3, ducked_db=0.0,
                           pocket_db=4.0),
    "bass": RoleProfile(highpass_hz=28.0, min_correlation=0.95, presence_db=0.0, delay_send=0.0, ducked_db=6.0),
    "drums": RoleProfile(highpass_hz=25.0, min_correlation=0.7, presence_db=0.0, delay_send=0.0, ducked_db=0.0),
}  # fmt: skip
# The lead against the rest of the band (mean-square level, dB): under −6 it is masked in a dense
# arrangement, over +2 the band sounds thin behind it. The mixer corrects by at most 9 dB.
LEAD_WINDOW_DB = (-6.0, 2.0)
LEAD_MAX_CORRECTION_DB = 9.0
MIX_MIN_CORRELATION = 0.5  # the whole mix: margin above the 0.3 target for MP3 joint stereo and mastering


@dataclass(frozen=True, slots=True)
class GenreMix:
    """A genre family's mix: level offsets per role, space, sidechain pumping and bus glue."""

    role_db: dict[str, float]
    reverb_room: float  # pedalboard Reverb room size 0–1
    reverb_return_db: float  # level of the reverb return; very low means a dry mix
    delay_beats: float  # 0: no delay send; 0.75 is a dotted eighth
    delay_feedback: float
    delay_return_db: float
    sidechain: bool
    bus_threshold_db: float
    bus_ratio: float


_DRY = GenreMix({"drums": 2.0, "bass": 1.5, "melody": -0.5}, 0.25, -18.0, 0.0, 0.0, -60.0, False, -16.0, 2.5)
_BAND = GenreMix({}, 0.45, -9.0, 0.0, 0.0, -60.0, False, -18.0, 2.0)
_LOUD_BAND = GenreMix({"chords": 1.5, "drums": 1.0}, 0.35, -12.0, 0.0, 0.0, -60.0, False, -16.0, 3.0)
_ACOUSTIC = GenreMix({"drums": -1.0}, 0.55, -7.0, 0.0, 0.0, -60.0, False, -22.0, 1.5)
_HALL = GenreMix({"pad": 1.0, "drums": -2.0}, 0.75, -5.0, 0.0, 0.0, -60.0, False, -24.0, 1.5)
_CLUB = GenreMix({"drums": 2.0, "bass": 1.0, "pad": -1.0}, 0.6, -9.0, 0.75, 0.35, -14.0, True, -16.0, 2.5)
_RETRO = GenreMix({"drums": 1.0, "pad": 0.5}, 0.7, -7.0, 0.75, 0.4, -12.0, True, -18.0, 2.0)
_LARGE = GenreMix({"pad": 2.0, "drums": -3.0}, 0.92, -3.0, 1.5, 0.45, -13.0, False, -24.0, 1.5)
_DUB = GenreMix({"bass": 2.0, "drums": 1.0}, 0.5, -10.0, 0.75, 0.45, -13.0, False, -18.0, 2.0)
_VAPOR = GenreMix({"pad": 1.0, "drums": -1.0}, 0.75, -6.0, 0.75, 0.4, -14.0, False, -20.0, 2.0)
_CHIP = GenreMix({"drums": 1.0}, 0.2, -16.0, 0.5, 0.25, -16.0, False, -16.0, 2.0)

GENRES: dict[str, GenreMix] = {
    "lofi": _DRY, "hip hop": _DRY, "trap": _DRY, "punk": _DRY,
    "rock": _LOUD_BAND, "metal": _LOUD_BAND,
    "pop": _BAND, "funk": _BAND, "soul": _BAND, "disco": _BAND, "blues": _BAND, "country": _BAND,
    "latin": _BAND, "gospel": _BAND, "drum and bass": _BAND,
    "jazz": _ACOUSTIC, "bossa nova": _ACOUSTIC, "tango": _ACOUSTIC, "folk": _ACOUSTIC, "celtic": _ACOUSTIC,
    "march": _ACOUSTIC,
    "classical": _HALL, "baroque": _HALL, "waltz": _HALL, "lullaby": _HALL,
    "house": _CLUB, "techno": _CLUB, "edm": _CLUB,
    "synthwave": _RETRO, "vaporwave": _VAPOR,
    "cinematic": _LARGE, "ambient": _LARGE,
    "reggae": _DUB, "chiptune": _CHIP,
}  # fmt: skip
DEFAULT_GENRE = _BAND

# Each step of a mix change asked for in words, in the units the mixer works in.
REVERB_STEP_DB = 4.0  # reverb return per "more reverb"/"drier"
REVERB_ROOM_STEP = 0.08
LEVEL_STEP_DB = 3.0  # "louder drums", "quieter bass", "bring the melody forward"
TONE_STEP_DB = 2.5  # high shelf per "brighter"/"darker"
WIDTH_STEP = 0.15  # correlation floor moved per "wider"/"narrower"
PUNCH_STEP_DB = 1.5  # drums per "punchier"; the bus compressor also lets more attack through
