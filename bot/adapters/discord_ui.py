"""What a piece looks like on Discord: its embed, and buttons whose custom ids survive a restart."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal, cast, get_args

import discord

from bot.messages import Delivery, Offer

Action = Literal["faster", "slower", "variation", "longer", "midi", "picka", "pickb"]
ACTIONS: tuple[Action, ...] = ("faster", "slower", "variation", "longer", "midi")
LABELS: dict[Action, str] = {
    "faster": "Faster", "slower": "Slower", "variation": "Variation", "longer": "Longer", "midi": "MIDI",
    "picka": "Pick A", "pickb": "Pick B",
}  # fmt: skip
CUSTOM_ID = re.compile(rf"bandmate:(?P<action>{'|'.join(get_args(Action))}):(?P<composition>\d+)")
MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_TEXT_LIMIT = 4096

ButtonHandler = Callable[[discord.Interaction, Action, int], Awaitable[None]]


def custom_id(action: Action, composition_id: int) -> str:
    """The button id that names both what to do and which version it applies to."""
    return f"bandmate:{action}:{composition_id}"


class PieceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CUSTOM_ID):
    """One button under a piece; rebuilt from its custom id, so old messages keep working after a restart."""

    def __init__(self, action: Action, composition_id: int) -> None:
        style = discord.ButtonStyle.secondary if action == "midi" else discord.ButtonStyle.primary
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=LABELS[action], style=style, custom_id=custom_id(action, composition_id)
        )
        super().__init__(button)
        self.action = action
        self.composition_id = composition_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PieceButton:
        """Rebuild the button a user pressed from the id Discord sends back."""
        return cls(cast(Action, match["action"]), int(match["composition"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the press to the adapter the client belongs to."""
        handler: ButtonHandler = interaction.client.on_piece_button  # type: ignore[attr-defined]
        await handler(interaction, self.action, self.composition_id)


def piece_view(composition_id: int, offer: Offer, choice: str | None = None) -> discord.ui.View | None:
    """The buttons under a delivered version: refinements, a jam vote take's pick, or none (a jam's final mix)."""
    if offer == "none":
        return None
    view = discord.ui.View(timeout=None)
    actions: tuple[Action, ...] = ACTIONS
    if offer == "pick":
        actions = (cast(Action, f"pick{(choice or 'a').lower()}"), "midi")
    for action in actions:
        view.add_item(PieceButton(action, composition_id))
    return view


def piece_embed(delivery: Delivery, note: str | None = None) -> discord.Embed:
    """The understood spec of a delivered version, with what changed and how to change it more."""
    embed = discord.Embed(
        title=clip(piece_name(delivery), EMBED_TITLE_LIMIT),
        description=clip(delivery.caption, EMBED_TEXT_LIMIT),
        colour=discord.Colour.blurple(),
    )
    if delivery.changes:
        embed.add_field(name="Changes", value=clip(", ".join(delivery.changes), 1024), inline=False)
    if note:
        embed.add_field(name="Note", value=clip(note, 1024), inline=False)
    embed.set_footer(text=f"v{delivery.version} · reply with a change, e.g. “make it faster”")
    return embed


def piece_name(delivery: Delivery) -> str:
    """What to call a piece: its title, or the name part of its summary ("Sad Piano Ballad")."""
    # Untitled pieces carry the whole summary as title; the card shows the summary below anyway.
    name = delivery.title if delivery.title != delivery.caption else delivery.caption.split(" · ")[0]
    return name.strip() or f"Bandmate v{delivery.version}"


def mp3_filename(delivery: Delivery) -> str:
    """A file name people can keep: "sad-piano-ballad-v2.mp3"."""
    slug = re.sub(r"[^a-z0-9]+", "-", piece_name(delivery).lower()).strip("-")[:60] or "bandmate"
    return f"{slug}-v{delivery.version}.mp3"


def clip(text: str, limit: int) -> str:
    """Text cut to a Discord length limit, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
