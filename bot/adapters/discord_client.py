"""discord.py's client for Bandmate: intents, slash commands, persistent buttons, and which API it talks to."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Protocol

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord_ui import Action, PieceButton
from bot.messages import SORRY, Command
from engine.errors import ConfigError
from engine.spec import DURATION_RANGE

log = logging.getLogger("bandmate.discord")

MIN_SECONDS, MAX_SECONDS = int(DURATION_RANGE[0]), int(DURATION_RANGE[1])
MAX_SEED = 2**31 - 1
# Discord's own cap on a string option; each command declares the core's real (lower) limit instead.
PROMPT_OPTION_MAX = 6000
ChannelAction = Literal["allow", "remove", "list", "reset"]
# discord.py's own addresses, taken before anything points it elsewhere, so a later start can go back.
DISCORD_API_BASE: str = discord.http.Route.BASE
DISCORD_GATEWAY: yarl.URL = DiscordWebSocket.DEFAULT_GATEWAY


class Handlers(Protocol):
    """What the adapter does with each kind of Discord event."""

    async def on_compose(
        self,
        interaction: discord.Interaction,
        prompt: str,
        duration: int | None,
        seed: int | None,
        tune: discord.Attachment | None = None,
    ) -> None:
        """/compose."""
        ...

    async def on_command(self, interaction: discord.Interaction, command: Command) -> None:
        """/history, /undo, /help."""
        ...

    async def on_channels(self, interaction: discord.Interaction, action: ChannelAction) -> None:
        """/channels (server managers only)."""
        ...

    async def on_jam(self, interaction: discord.Interaction, text: str) -> None:
        """/jam."""
        ...

    async def on_piece_button(self, interaction: discord.Interaction, action: Action, composition_id: int) -> None:
        """A button under a piece."""
        ...

    async def on_message(self, message: discord.Message) -> None:
        """Any message the bot can see."""
        ...

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server became available (at connect or when the bot joins)."""
        ...


def use_api_base(api_base: str | None) -> None:
    """Send every REST call, bot and interaction-webhook alike, to `api_base` (None: Discord itself)."""
    # discord.py builds every REST URL (webhook/async_.py included) from this one class attribute.
    discord.http.Route.BASE = api_base.rstrip("/") if api_base else DISCORD_API_BASE
    if not api_base:
        DiscordWebSocket.DEFAULT_GATEWAY = DISCORD_GATEWAY


async def use_gateway_of(http: discord.http.HTTPClient) -> None:
    """Connect the gateway where the API's GET /gateway/bot says to."""
    try:
        _, url, _ = await http.get_bot_gateway()
    except discord.HTTPException as exc:
        raise ConfigError(f"GET /gateway/bot failed at {discord.http.Route.BASE}: {exc}") from exc
    # A plain Client always dials DEFAULT_GATEWAY (only sharded clients ask /gateway/bot).
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


def intents() -> discord.Intents:
    """Guild and message events, with MESSAGE_CONTENT so replies and thread messages can be read."""
    wanted = discord.Intents.default()
    wanted.message_content = True
    return wanted


class BandmateClient(discord.AutoShardedClient):
    """A discord.py client, sharded, whose events all go to one Handlers object.

    With no shard count, discord.py asks GET /gateway/bot how many shards Discord advises and runs them all;
    with a count and shard ids, this process runs only those shards and sees only their guilds.
    """

    def __init__(
        self,
        handlers: Handlers,
        *,
        application_id: int | None,
        custom_api: bool,
        prompt_max_chars: int,
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
    ) -> None:
        super().__init__(
            shard_count=shard_count,
            shard_ids=shard_ids,  # type: ignore[arg-type]  # None: every shard (discord.py's default, typed as a list)
            intents=intents(),
            application_id=application_id,  # type: ignore[arg-type]  # None: discord.py asks Discord at login
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True, replied_user=False),
            guild_ready_timeout=1.0,
        )
        self.handlers = handlers
        self.custom_api = custom_api
        self.ready = asyncio.Event()
        self.tree = command_tree(self, handlers, prompt_max_chars)

    async def setup_hook(self) -> None:
        """After login, before the gateway: find the gateway, register buttons, sync slash commands."""
        if self.custom_api:
            await use_gateway_of(self.http)
        self.add_dynamic_items(PieceButton)
        synced = await self.tree.sync()
        log.info("synced %d slash commands", len(synced))

    async def on_ready(self) -> None:
        """Connected and the servers are known."""
        shards = ", ".join(str(shard) for shard in sorted(self.shards))
        log.info("connected to Discord as %s in %d servers (shards %s of %s)", self.user, len(self.guilds), shards,
                 self.shard_count)  # fmt: skip
        self.ready.set()

    async def on_message(self, message: discord.Message) -> None:
        """Pass every message on; the adapter decides what is for Bandmate."""
        await self.handlers.on_message(message)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Pass on a server becoming available."""
        await self.handlers.on_guild_available(guild)

    async def on_piece_button(self, interaction: discord.Interaction, action: Action, composition_id: int) -> None:
        """Called by PieceButton.callback."""
        await self.handlers.on_piece_button(interaction, action, composition_id)


# The commands that take no options: each simply asks the core. Adding one is a line here.
PLAIN_COMMANDS: tuple[tuple[Command, str], ...] = (
    ("history", "The versions of the piece in this channel"),
    ("undo", "Go back to the previous version"),
    ("lyrics", "The words of the piece in this channel"),
    ("sheet", "The lead sheet of the piece: tune, chords and words"),
    ("wav", "The piece in this channel as lossless WAV"),
    ("stems", "One MP3 per part of the piece in this channel, zipped"),
    ("help", "What Bandmate can do, with examples"),
)


def _plain_command(handlers: Handlers, command: Command) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    async def answer(interaction: discord.Interaction) -> None:
        await handlers.on_command(interaction, command)

    return answer


def command_tree(
    client: discord.Client, handlers: Handlers, prompt_max_chars: int
) -> app_commands.CommandTree[discord.Client]:
    """The slash commands: /compose, /history, /undo, /lyrics, /sheet, /wav, /stems, /help, /jam, /channels."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    # The text options declare the core's limit, so Discord refuses longer text in its own box.
    text_option = app_commands.Range[str, 1, min(prompt_max_chars, PROMPT_OPTION_MAX)]

    async def compose(
        interaction: discord.Interaction,
        prompt: str,
        duration: app_commands.Range[int, MIN_SECONDS, MAX_SECONDS] | None = None,
        seed: app_commands.Range[int, 0, MAX_SEED] | None = None,
        tune: discord.Attachment | None = None,
    ) -> None:
        await handlers.on_compose(interaction, prompt, duration, seed, tune)

    compose.__annotations__["prompt"] = text_option
    tree.command(name="compose", description="Compose an original piece from words")(app_commands.describe(
        prompt="What to compose, e.g. sad piano ballad",
        duration=f"Length in seconds ({MIN_SECONDS}–{MAX_SECONDS})",
        seed="A number to get the same piece again",
        tune="A tune to arrange: a voice message, an audio file or a .mid",
    )(compose))  # fmt: skip

    for name, description in PLAIN_COMMANDS:
        tree.command(name=name, description=description)(_plain_command(handlers, name))

    async def jam(interaction: discord.Interaction, say: str) -> None:
        await handlers.on_jam(interaction, say)

    jam.__annotations__["say"] = text_option
    tree.command(name="jam", description="Build one piece together: start, change parts, vote, mix, end")(
        app_commands.describe(
            say="start lofi in F 85bpm · add a walking bass · drums: boom bap · status · vote · undo · mix · end"
        )(jam)
    )

    @tree.command(name="channels", description="Choose the channels Bandmate plays in on this server")
    @app_commands.describe(action="allow or remove this channel, list them, or reset to the default")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def channels(interaction: discord.Interaction, action: ChannelAction) -> None:
        await handlers.on_channels(interaction, action)

    @tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("slash command failed", exc_info=error)
        text = SORRY
        if isinstance(error, app_commands.TransformerError | app_commands.CheckFailure):
            text = f"I couldn't use that: {error}"
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        try:
            await send(text, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the failed command")

    return tree
