"""The engine's settings: plain data handed in by the composition root, never read from env here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
)

# The queue's defaults, in one place: the bot's Settings and every engine read them from here.
DEFAULT_LEASE_SECONDS = 60.0  # how long a claim holds without a heartbeat; heartbeats renew it every third
DEFAULT_POLL_SECONDS = 0.2  # an idle engine's pause between looks at the queue
DEFAULT_MAX_ATTEMPTS = 3  # a job whose engine died this often fails instead of looping


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Everything the engine process needs to claim, compose, render and store a job."""

    database_url: str
    media_dir: Path
    soundfont: Path
    sample_rate: int = 44_100
    mp3_bitrate: str = "192k"
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    poll_seconds: float = DEFAULT_POLL_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    use_model: bool = True
    model_threads: int = 2  # torch threads for the model; more than the cores only thrashes


def find_soundfont(preferred: Path | None = None) -> Path | None:
    """The SoundFont to use: the configured one if it exists, else the first installed candidate."""
    if preferred is not None:
        return preferred if preferred.is_file() else None
    return next((path for path in SOUNDFONT_CANDIDATES if path.is_file()), None)


def soundfont_problem(path: Path) -> str | None:
    """Why `path` cannot be a SoundFont (missing, unreadable, not a RIFF 'sfbk' file), or None if it looks like one.

    A cheap check for start-up, before anything is accepted; FluidSynth's load is the full one.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except FileNotFoundError:
        return f"The SoundFont {path} does not exist."
    except OSError as exc:
        return f"The SoundFont {path} cannot be read: {exc.strerror or exc}."
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"sfbk":
        return f"The SoundFont {path} is not a SoundFont file (it may be damaged or incomplete)."
    return None
