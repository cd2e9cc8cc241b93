"""`bandmate run` with DISCORD_BOT_TOKEN set: the real entry point serves Discord (the fake) end to end."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.adapters.discord import DiscordAdapter
from bot.app import Runtime
from bot.settings import Settings
from engine.errors import ConfigError
from tests.conftest import ROOT, cli_env
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import bpm, wait_piece

pytestmark = pytest.mark.settings(platform="discord")


async def test_bandmate_run_starts_the_discord_adapter(settings: Settings, fake: FakeDiscord, tmp_path: Path) -> None:
    env = cli_env(settings) | {"DISCORD_BOT_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await fake.wait_connected(timeout=120)
        piece = await wait_piece(fake, await fake.slash("compose", {"prompt": "funky bass groove 5 seconds"}), 120)
        assert bpm(piece) > 0
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    log = output.decode(errors="replace")
    assert process.returncode == 0, log[-2000:]
    assert "connected to Discord" in log and "synced 6 slash commands" in log
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
