"""Fixtures for the faked chat platforms: the fake Telegram Bot API and the fake Discord, on 127.0.0.1.

A test module asks for one with `pytestmark = pytest.mark.settings(platform="telegram")` (or "discord");
the `settings` fixture then points the bot at the fake. Other keyword arguments override settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bot.adapters.discord import DiscordAdapter
    from bot.app import Runtime
    from tests.fakes.discord_api import FakeDiscord
    from tests.fakes.telegram_api import FakeTelegramApi


@pytest.fixture
async def fake_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegramApi]:
    """The fake Bot API on 127.0.0.1, with every other host refused."""
    from tests.fakes.telegram_api import FakeTelegramApi
    from tests.test_telegram_support import TOKEN, install_offline_guard

    install_offline_guard(monkeypatch)
    api = FakeTelegramApi(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on a free local port."""
    from tests.fakes.discord_api import FakeDiscord

    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(runtime: Runtime, engine_worker: object, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    """Bandmate connected to the fake Discord, with the engine composing for real."""
    from tests.fakes.discord_api_harness import bandmate_on_discord

    async with bandmate_on_discord(runtime) as adapter:
        yield adapter


def platform_settings(request: pytest.FixtureRequest, platform: str | None) -> dict[str, Any]:
    """The settings that point the bot at the fake for `platform`."""
    if platform == "telegram":
        from tests.test_telegram_support import TOKEN

        api = request.getfixturevalue("fake_api")
        return {"telegram_bot_token": TOKEN, "telegram_base_url": api.base_url,
                "telegram_base_file_url": api.base_file_url}  # fmt: skip
    if platform == "discord":
        server = request.getfixturevalue("fake")
        return {"discord_bot_token": server.token, "discord_api_base": server.api_base}
    return {}
