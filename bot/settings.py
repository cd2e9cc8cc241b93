"""The one typed settings object, read from the environment (and .env) once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import ConfigError
from engine.media import MediaSettings
from engine.settings import EngineSettings, find_soundfont

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Settings(BaseSettings):
    """Bandmate's configuration; see .env.example for what each field means."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./data/bandmate.db"
    media_dir: Path = Path("data/media")
    media_store: Literal["local", "s3"] = "local"
    s3_bucket: str = "bandmate-media"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    soundfont: Path | None = None
    sample_rate: int = Field(44_100, ge=8_000, le=96_000)
    mp3_bitrate: str = "192k"
    job_lease_seconds: float = Field(60.0, gt=0)
    engine_poll_seconds: float = Field(0.2, gt=0)
    job_max_attempts: int = Field(3, ge=1)
    use_model: bool = True
    model_threads: int = Field(2, ge=1)
    use_text_encoder: bool = True
    max_prompt_chars: int = Field(1_000, ge=10, le=4_000)  # Telegram caps a message at 4,096
    rate_limit_per_minute: int = Field(6, ge=1)
    jam_debounce_seconds: float = Field(3.0, ge=0)
    log_level: str = "INFO"
    log_file: Path | None = None  # tracebacks and details go here; default: bandmate.log beside the database

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    # Webhook instead of long polling: Telegram POSTs each update to this public HTTPS URL (a reverse proxy
    # in front forwards it to LISTEN:PORT, same path); the secret proves a request came from Telegram.
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(8443, ge=1, le=65_535)
    telegram_webhook_secret: SecretStr | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,256}$")

    discord_bot_token: SecretStr | None = None
    discord_application_id: int | None = None
    discord_api_base: str | None = None
    discord_allowed_channels: str = ""
    discord_guild_requests_per_minute: int = Field(30, ge=1)
    discord_shard_count: int | None = Field(None, ge=1)  # None: as many as Discord recommends (GET /gateway/bot)
    discord_shard_ids: str = ""  # e.g. "0,1": this process's shards, so several bot processes split the guilds

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        if level.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level.upper()

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, ids: str) -> str:
        if ids.strip() and not all(part.strip().isdigit() for part in ids.split(",")):
            raise ValueError("must be shard numbers separated by commas, e.g. 0,1")
        return ids

    def shards(self) -> tuple[int | None, list[int] | None]:
        """The shard count and this process's shard ids for Discord (None, None: every shard Discord advises)."""
        ids = [int(part) for part in self.discord_shard_ids.split(",") if part.strip()] or None
        if ids is not None and self.discord_shard_count is None:
            # Processes that split the guilds must agree on the count; Discord's advice may change between starts.
            raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the same number in every bot process)")
        if ids is not None and self.discord_shard_count is not None and max(ids) >= self.discord_shard_count:
            raise ConfigError(f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({self.discord_shard_count})")
        return self.discord_shard_count, ids

    def log_path(self) -> Path:
        """Where the log file goes: LOG_FILE, else beside the SQLite database, else data/bandmate.log."""
        if self.log_file is not None:
            return self.log_file
        # Read without SQLAlchemy (engine.queue.db.sqlite_file): importing it would slow every command's start.
        scheme, _, rest = self.database_url.partition(":///")
        database = rest.split("?", 1)[0]
        if scheme.startswith("sqlite") and database and database != ":memory:":
            return Path(database).parent / "bandmate.log"
        return Path("data") / "bandmate.log"

    def media(self) -> MediaSettings:
        """Where finished media lives: the local folder, or the object store (MEDIA_STORE=s3)."""
        return MediaSettings(
            media_dir=self.media_dir,
            backend=self.media_store,
            s3_bucket=self.s3_bucket,
            s3_endpoint_url=self.s3_endpoint_url,
            s3_region=self.s3_region,
        )

    def engine(self) -> EngineSettings:
        """The engine's share of the settings, with the SoundFont resolved."""
        soundfont = find_soundfont(self.soundfont)
        if soundfont is None and self.soundfont is not None and self.soundfont.is_file():
            raise ConfigError(f"SOUNDFONT {self.soundfont} is not a SoundFont (.sf2/.sf3) file, or cannot be read")
        if soundfont is None:
            wanted = self.soundfont or "a General MIDI SoundFont (apt-get install fluid-soundfont-gm)"
            raise ConfigError(f"No SoundFont found: {wanted}")
        return EngineSettings(
            database_url=self.database_url,
            media_dir=self.media_dir,
            soundfont=soundfont,
            sample_rate=self.sample_rate,
            mp3_bitrate=self.mp3_bitrate,
            lease_seconds=self.job_lease_seconds,
            poll_seconds=self.engine_poll_seconds,
            max_attempts=self.job_max_attempts,
            use_model=self.use_model,
            model_threads=self.model_threads,
            media=self.media(),
        )
