"""Discord sharding: bot processes with different shard ids split the guilds between them."""

from __future__ import annotations

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import Runtime, serving
from bot.settings import Settings
from engine.errors import ConfigError
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_api_harness import wait_piece

pytestmark = pytest.mark.settings(platform="discord")


async def test_two_adapters_with_shards_0_and_1_of_2_identify_apart_and_split_the_guilds(
    runtime: Runtime, engine_worker: object, fake: FakeDiscord, settings: Settings
) -> None:
    adapters = [
        DiscordAdapter(
            runtime.service, settings.model_copy(update={"discord_shard_count": 2, "discord_shard_ids": ids})
        )
        for ids in ("0", "1")
    ]
    async with serving(runtime, adapters):
        assert sorted(identify["shard"] for identify in fake.identifies) == [[0, 2], [1, 2]]
        owner = fake.shard_of(fake.guild_id, 2)
        clients = [adapter.client for adapter in adapters]
        assert all(client is not None and client.ready.is_set() for client in clients)  # both connected
        assert [client.get_guild(fake.guild_id) is not None for client in clients if client] == [
            index == owner for index in range(2)
        ]  # the guild is on its own shard's process only
        interaction = await fake.slash("compose", {"prompt": "sad piano ballad", "duration": 5, "seed": 3})
        piece = await wait_piece(fake, interaction)
        assert fake.uploads.count(piece["attachments"][0]["filename"]) == 1  # answered once, by one process


def test_shard_ids_need_a_shared_shard_count(settings: Settings) -> None:
    assert settings.shards() == (None, None)  # the default: Discord's advice, every shard in this process
    assert settings.model_copy(update={"discord_shard_count": 4, "discord_shard_ids": "1,3"}).shards() == (4, [1, 3])
    for update in ({"discord_shard_ids": "1"}, {"discord_shard_count": 2, "discord_shard_ids": "2"}):
        with pytest.raises(ConfigError):
            settings.model_copy(update=update).shards()
