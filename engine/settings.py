"""The engine's settings: plain data handed in by the composition root, never read from env here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.media.store import MediaSettings

SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
)
# POP909 is never copied into the repository; by default it lies beside the checkout.
DEFAULT_POP909_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "pop909"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Everything the engine process needs to claim, compose, render and store a job.

    No defaults here: bot.settings.Settings is the one place they are written down.
    """

    database_url: str
    media_dir: Path
    soundfont: Path
    sample_rate: int
    mp3_bitrate: str
    lease_seconds: float
    poll_seconds: float
    max_attempts: int
    use_model: bool
    model_threads: int  # torch threads for the model; more than the cores only thrashes
    media: MediaSettings  # where finished files are published (its media_dir is the one above)


def pop909_dir(configured: Path | None = None) -> Path:
    """Where POP909 lies: the given folder (a tool's --data), else $POP909_DIR, else ../shared/datasets/pop909."""
    # The model tools and the evaluation are entry points of their own, so they read their one setting here.
    return configured or Path(os.environ.get("POP909_DIR") or DEFAULT_POP909_DIR)


def is_soundfont(path: Path) -> bool:
    """Whether `path` is a readable SoundFont file (.sf2 or .sf3: a RIFF file of form 'sfbk')."""
    return soundfont_problem(path) is None


def find_soundfont(preferred: Path | None = None) -> Path | None:
    """The SoundFont to use: the configured one if it is one, else the first installed candidate that is."""
    if preferred is not None:
        return preferred if is_soundfont(preferred) else None
    return next((path for path in SOUNDFONT_CANDIDATES if is_soundfont(path)), None)


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
