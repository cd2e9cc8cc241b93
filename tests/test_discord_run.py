"""`bandmate run` with DISCORD_BOT_TOKEN set: the real entry point serves Discord (the fake) end to end."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordAdapter
from bot.adapters.discord_ui import LABELS
from bot.app import Runtime
from bot.settings import Settings
from engine.errors import ConfigError
from tests.conftest import ROOT, cli_env
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import bpm, button_ids, caption, footer, mp3_of, mp3_seconds, wait_piece

pytestmark = pytest.mark.settings(platform="discord")


async def test_bandmate_run_starts_the_discord_adapter(settings: Settings, fake: FakeDiscord, tmp_path: Path) -> None:
    env = cli_env(settings) | {"DISCORD_BOT_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await fake.wait_connected(timeout=120)
        interaction = await fake.slash("compose", {"prompt": "funk groove at 104 bpm in E minor, 5 seconds"})
        piece = await wait_piece(fake, interaction, 120)
        await asyncio.sleep(1.0)  # more delivery rounds: posted once
        # The piece that arrived is the one asked for: its card, its audio, its buttons, posted once.
        assert bpm(piece) == 104 and "E minor" in caption(piece) and "funk" in caption(piece).lower()
        assert footer(piece).startswith("v1") and set(button_ids(piece)) == set(LABELS.values()) - {"Pick A", "Pick B"}
        assert mp3_seconds(mp3_of(fake, piece)) == pytest.approx(5.0, abs=1.0)
        assert len([name for name in fake.uploads if name.endswith(".mp3")]) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode(errors="replace")
    assert process.returncode == 0, log[-2000:]
    assert "connected to Discord" in log and "synced 10 slash commands" in log
    assert fake.token not in log


async def test_missing_message_content_intent_is_explained(runtime: Runtime, fake: FakeDiscord) -> None:
    fake.allow_message_content = False  # the intent is off on the Bot page
    with pytest.raises(ConfigError, match="MESSAGE CONTENT INTENT"):
        await DiscordAdapter(runtime.service, runtime.settings).start()


async def test_a_wrong_token_fails_start_without_showing_it(runtime: Runtime, fake: FakeDiscord) -> None:
    wrong = runtime.settings.model_copy(update={"discord_bot_token": SecretStr("wrong-token-123")})
    with pytest.raises(ConfigError) as failure:
        await DiscordAdapter(runtime.service, wrong).start()
    assert "DISCORD_BOT_TOKEN" in str(failure.value) and "wrong-token-123" not in str(failure.value)
