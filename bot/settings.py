"""The one typed settings object, read from the environment (and .env) once at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import ConfigError
from engine.settings import EngineSettings, find_soundfont


class Settings(BaseSettings):
    """Bandmate's configuration; see .env.example for what each field means."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite+aiosqlite:///./data/bandmate.db"
    media_dir: Path = Path("data/media")
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

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"

    discord_bot_token: SecretStr | None = None
    discord_application_id: int | None = None
    discord_api_base: str | None = None
    discord_allowed_channels: str = ""
    discord_guild_requests_per_minute: int = Field(30, ge=1)

    def engine(self) -> EngineSettings:
        """The engine's share of the settings, with the SoundFont resolved."""
        soundfont = find_soundfont(self.soundfont)
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
        )
