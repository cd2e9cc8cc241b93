"""Telegram by webhook: setWebhook with a secret, updates POSTed to the local server, a wrong secret refused."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from bench.servers import free_port
from bot.app import Runtime
from bot.settings import Settings
from engine.errors import ConfigError
from tests.fakes.telegram_api import FakeChat, FakeTelegramApi, FakeUser
from tests.helpers import eventually
from tests.test_telegram_support import running_bot, settle

pytestmark = pytest.mark.settings(platform="telegram")

ALICE = FakeUser(101, "Alice", "alice")
ALICE_DM = FakeChat(ALICE.id)
SECRET = "bandmate-webhook_secret-42"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def test_updates_arrive_by_webhook_with_the_secret_and_a_wrong_secret_is_refused(
    runtime: Runtime, fake_api: FakeTelegramApi, settings: Settings
) -> None:
    port = free_port()
    webhook = {"telegram_webhook_url": "https://bandmate.example.org/telegram/hook", "telegram_webhook_port": port,
               "telegram_webhook_secret": SecretStr(SECRET)}  # fmt: skip
    hooked = settings.model_copy(update=webhook)
    async with running_bot(runtime, hooked), httpx.AsyncClient() as client:
        assert fake_api.webhook is not None
        assert fake_api.webhook["url"] == "https://bandmate.example.org/telegram/hook"
        assert fake_api.webhook["secret_token"] == SECRET
        assert not fake_api.calls_to("getUpdates")  # a webhook bot never polls
        local = f"http://127.0.0.1:{port}/telegram/hook"

        forged = await client.post(local, json=fake_api.update_saying(ALICE_DM, ALICE, "/help"),
                                   headers={HEADER: "guessed"})  # fmt: skip
        assert forged.status_code == 403
        await settle()
        assert not fake_api.calls_to("sendMessage", ALICE_DM.id)

        sent = await client.post(local, json=fake_api.update_saying(ALICE_DM, ALICE, "/help"), headers={HEADER: SECRET})
        assert sent.status_code == 200
        await eventually(lambda: bool(fake_api.calls_to("sendMessage", ALICE_DM.id)), timeout=20)
        await settle()
        assert len(fake_api.calls_to("sendMessage", ALICE_DM.id)) == 1  # answered once, through the Bot API


async def test_a_webhook_without_a_secret_is_refused_before_anything_starts(
    runtime: Runtime, fake_api: FakeTelegramApi, settings: Settings
) -> None:
    open_hook = settings.model_copy(update={"telegram_webhook_url": "https://bandmate.example.org/hook"})
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        async with running_bot(runtime, open_hook):
            pass
    assert fake_api.webhook is None
