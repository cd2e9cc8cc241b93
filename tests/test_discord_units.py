"""The Discord adapter's small parts: channel rules, the server budget, fitting uploads, button ids, texts."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import numpy as np
import pytest
from discord.gateway import DiscordWebSocket

from bot.adapters.discord_client import DISCORD_API_BASE, DISCORD_GATEWAY, use_api_base
from bot.adapters.discord_media import LOWEST_BITRATE_KBPS, fit_mp3, mp3_length_s, plan_fit
from bot.adapters.discord_policy import ChannelPolicy, SlidingWindowLimit, parse_channel_ids
from bot.adapters.discord_ui import (
    ACTIONS,
    CUSTOM_ID,
    PieceButton,
    clip,
    custom_id,
    mp3_filename,
    piece_embed,
    piece_name,
    piece_view,
)
from bot.app import Runtime
from bot.messages import Delivery, Origin, with_status_line
from engine.audio.encode import write_mp3


def test_allowed_channels_setting_is_parsed() -> None:
    assert parse_channel_ids("") is None
    assert parse_channel_ids(" 12, 34 ;56,") == {"12", "34", "56"}


async def test_server_list_overrides_the_default_and_is_stored(runtime: Runtime) -> None:
    policy = ChannelPolicy(runtime.store, default=frozenset({"1"}))
    await policy.load("guild")
    assert policy.allowed("guild", "1") and not policy.allowed("guild", "2")
    assert policy.allowed(None, "2"), "direct messages have no server rules"

    await policy.update("guild", frozenset({"2", "3"}))
    reloaded = ChannelPolicy(runtime.store, default=frozenset({"1"}))
    await reloaded.load("guild")
    assert reloaded.allowed("guild", "3") and not reloaded.allowed("guild", "1")
    assert await runtime.store.allowed_channels("discord", "guild") == {"2", "3"}

    await reloaded.update("guild", None)
    assert reloaded.channels("guild") == {"1"}, "a reset falls back to the configured default"


def test_server_budget_refuses_then_recovers() -> None:
    now = [100.0]
    limit = SlidingWindowLimit(2, window_s=60.0, clock=lambda: now[0])
    assert limit.wait_s("g") == 0 and limit.wait_s("g") == 0
    now[0] += 20
    assert limit.wait_s("g") == pytest.approx(40.0)
    assert limit.wait_s("other") == 0, "servers have separate budgets"
    now[0] += 40.5
    assert limit.wait_s("g") == 0


@pytest.mark.parametrize(("size", "length_s"), [(5_000_000, 30.0), (30_000_000, 300.0), (11_000_000, 60.0)])
def test_fit_plan_stays_under_the_limit(size: int, length_s: float) -> None:
    limit = 10 * 1024 * 1024
    kbps, keep_s = plan_fit(size, length_s, limit) or (0, None)
    if size <= limit:
        assert kbps == 0
        return
    kept = keep_s if keep_s is not None else length_s
    assert kbps * 1000 / 8 * kept < limit
    assert kbps >= LOWEST_BITRATE_KBPS


@pytest.fixture
def noisy_mp3(tmp_path: Path) -> Path:
    """20 s of stereo noise at 192 kbps (noise keeps the encoder from saving bits)."""
    rng = np.random.default_rng(3)
    audio = rng.uniform(-0.5, 0.5, size=(20 * 22_050, 2)).astype(np.float32)
    return write_mp3(audio, 22_050, tmp_path / "source" / "noise.mp3", tags={"title": "noise"}, bitrate="192k")


def size_of(path: Path) -> int:
    """A file's size in bytes."""
    return path.stat().st_size


async def test_fit_mp3_lowers_the_bitrate_then_cuts(noisy_mp3: Path, tmp_path: Path) -> None:
    size = size_of(noisy_mp3)
    same = await fit_mp3(noisy_mp3, tmp_path, limit_bytes=size + 1)
    assert same.path == noisy_mp3 and same.note is None

    smaller = await fit_mp3(noisy_mp3, tmp_path, limit_bytes=size // 2)
    assert size_of(smaller.path) <= size // 2
    assert smaller.note and "kbps" in smaller.note
    assert mp3_length_s(smaller.path) == pytest.approx(20.0, abs=0.5)

    excerpt = await fit_mp3(noisy_mp3, tmp_path, limit_bytes=60_000)
    assert size_of(excerpt.path) <= 60_000
    assert excerpt.note and "first" in excerpt.note
    assert mp3_length_s(excerpt.path) < 10


async def test_button_ids_name_the_action_and_version() -> None:
    ids = [custom_id(action, 42) for action in ACTIONS]
    assert len(set(ids)) == len(ACTIONS) and all(len(i) <= 100 for i in ids)
    for action, cid in zip(ACTIONS, ids, strict=True):
        match = CUSTOM_ID.fullmatch(cid)
        assert match is not None
        rebuilt = await PieceButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
        assert (rebuilt.action, rebuilt.composition_id) == (action, 42)
    view = piece_view(7, "refine")
    assert view is not None
    assert piece_view(7, "none") is None, "a jam's final mix carries no buttons"
    assert [item.custom_id for item in view.children] == [custom_id(a, 7) for a in ACTIONS]  # type: ignore[attr-defined]
    assert view.timeout is None and view.is_persistent()


def test_status_text_replaces_the_core_status_line() -> None:
    understood = "🎼 v2: Sad ballad · A minor · 72 bpm · 0:08\nfaster\nQueued…"
    shown = with_status_line(understood, "Rendering…")
    assert shown.splitlines() == ["🎼 v2: Sad ballad · A minor · 72 bpm · 0:08", "faster", "Rendering…"]
    assert len(clip(with_status_line("x" * 5000, "Queued…"), 2000)) == 2000
    assert clip("abc", 2) == "a…" and clip("abc", 3) == "abc"
    assert re.fullmatch(CUSTOM_ID, "bandmate:faster:x") is None


def delivery(title: str, caption: str, changes: tuple[str, ...] = ()) -> Delivery:
    """A finished version as the delivery loop hands it over."""
    return Delivery(
        job_id=1,
        composition_id=9,
        version=2,
        origin=Origin("discord", "1", "2"),
        reply_to_message_id="3",
        title=title,
        caption=caption,
        duration_s=8.0,
        mp3_path=None,
        midi_path=None,
        changes=changes,
    )


def test_piece_names_and_cards() -> None:
    summary = "Sad Piano Ballad · E minor · 61 bpm · 0:08"
    untitled, titled = delivery(summary, summary, ("tempo 52 → 61 bpm",)), delivery("Rainy Window", summary)
    assert piece_name(untitled) == "Sad Piano Ballad" and piece_name(titled) == "Rainy Window"
    assert mp3_filename(untitled) == "sad-piano-ballad-v2.mp3"
    card = piece_embed(untitled, note="Sent at 96 kbps").to_dict()
    assert card["title"] == "Sad Piano Ballad" and card["description"] == summary
    assert [f["name"] for f in card["fields"]] == ["Changes", "Note"] and card["footer"]["text"].startswith("v2")


def test_api_base_points_discord_py_at_the_fake_and_back() -> None:
    use_api_base("http://127.0.0.1:9/api/v10/")
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    use_api_base(None)
    assert discord.http.Route.BASE == DISCORD_API_BASE == "https://discord.com/api/v10"
    assert DiscordWebSocket.DEFAULT_GATEWAY == DISCORD_GATEWAY
