"""Pure translation between Telegram objects and Bandmate's plain requests: refs, buttons, commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from bot.messages import Command, Offer, Origin, Request

PLATFORM = "telegram"
# Bot API limits (https://core.telegram.org/bots/api): a bot may upload files up to 50 MB.
UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
CAPTION_LIMIT_CHARS = 1024
MESSAGE_LIMIT_CHARS = 4096
CALLBACK_ANSWER_LIMIT_CHARS = 200
CALLBACK_DATA_LIMIT_BYTES = 64

# The commands users type, as Telegram spells them, mapped to the core's commands.
COMMANDS: dict[str, Command] = {
    "start": "start",
    "help": "help",
    "compose": "compose",
    "history": "history",
    "undo": "undo",
    "variation": "variation",
    "midi": "midi",
    "stems": "stems",
    "wav": "wav",
    "jam": "jam",
    "lyrics": "lyrics",
    "sheet": "sheet",
}
COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("compose", "Compose a piece, e.g. /compose sad piano ballad"),
    ("variation", "Another take on the latest piece"),
    ("undo", "Back to the previous version"),
    ("history", "The versions so far"),
    ("midi", "The MIDI file of the latest piece"),
    ("lyrics", "The words of the latest piece"),
    ("sheet", "The lead sheet: tune, chords and words"),
    ("stems", "One MP3 per part of the latest piece, zipped"),
    ("wav", "The latest piece as lossless WAV"),
    ("jam", "Build one piece together: /jam start lofi in F 85bpm"),
    ("help", "What I can do, with examples"),
)


@dataclass(frozen=True, slots=True)
class ButtonAction:
    """What one inline button under a piece asks the core for."""

    label: str
    command: Command
    text: str


# callback_data is "<action>:<composition id>", far below Telegram's CALLBACK_DATA_LIMIT_BYTES.
BUTTONS: dict[str, ButtonAction] = {
    "faster": ButtonAction("⏩ Faster", "refine", "faster"),
    "slower": ButtonAction("⏪ Slower", "refine", "slower"),
    "longer": ButtonAction("➕ Longer", "refine", "longer"),
    "variation": ButtonAction("🎲 Variation", "variation", ""),
    "midi": ButtonAction("🎼 MIDI", "midi", ""),
    "picka": ButtonAction("🗳 Pick A", "jam", "pick A"),
    "pickb": ButtonAction("🗳 Pick B", "jam", "pick B"),
}
BUTTON_ROWS: tuple[tuple[str, ...], ...] = (("faster", "slower", "longer"), ("variation", "midi"))
_CALLBACK = re.compile(r"^([a-z]+):(\d{1,18})$")


def result_keyboard(composition_id: int, offer: Offer, choice: str | None = None) -> InlineKeyboardMarkup | None:
    """The buttons under a delivered piece, each carrying its version: refinements, a vote take's pick, or none."""
    if offer == "none":
        return None
    rows = (("pick" + (choice or "a").lower(), "midi"),) if offer == "pick" else BUTTON_ROWS
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(BUTTONS[name].label, callback_data=f"{name}:{composition_id}") for name in row]
            for row in rows
        ]
    )


def parse_callback(data: str | None) -> tuple[ButtonAction, int] | None:
    """The action and composition id a button's callback_data names, or None if it is not ours."""
    match = _CALLBACK.match(data or "")
    if match is None or match.group(1) not in BUTTONS:
        return None
    return BUTTONS[match.group(1)], int(match.group(2))


def message_ref(chat_id: int, message_id: int, extra: str | None = None) -> str:
    """The Request.message_id for a Telegram message: unique per chat, optionally per button press."""
    return f"{chat_id}:{message_id}" if extra is None else f"{chat_id}:{message_id}:{extra}"


def referenced_message_id(ref: str | None) -> int | None:
    """The Telegram message id inside a ref made by `message_ref` (or a bare id); None if unusable."""
    if not ref:
        return None
    parts = ref.split(":")
    candidate = parts[1] if len(parts) >= 2 else parts[0]
    return int(candidate) if candidate.isdigit() else None


def origin_of(message: Message, user_id: int, user_name: str) -> Origin:
    """Where a message was written; forum topics count as their own conversation."""
    thread = str(message.message_thread_id) if message.is_topic_message and message.message_thread_id else None
    return Origin(PLATFORM, str(message.chat.id), str(user_id), user_name, thread)


def command_of(message: Message) -> tuple[Command, str] | None:
    """The core command and its argument text for a '/command@bot text' message, None if unknown."""
    text = message.text or ""
    entity = next((e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    if entity is None:
        return None
    name = text[1 : entity.length].split("@", 1)[0].lower()
    command = COMMANDS.get(name)
    if command is None:
        return None
    return command, text[entity.length :].strip()


def request_from_message(message: Message, command: Command | None, text: str) -> Request:
    """The Request for a user's message; a reply names the bot message it answers."""
    user = message.from_user
    origin = origin_of(message, user.id if user else 0, display_name(user.full_name if user else ""))
    replied = message.reply_to_message
    return Request(
        origin=origin,
        command=command,
        text=text,
        message_id=message_ref(message.chat.id, message.message_id),
        reply_to_message_id=str(replied.message_id) if replied else None,
    )


def request_from_button(query: CallbackQuery, message: Message, action: ButtonAction, composition_id: int) -> Request:
    """The Request for a button press; its id is unique per press so two presses are two requests."""
    origin = origin_of(message, query.from_user.id, display_name(query.from_user.full_name))
    return Request(
        origin=origin,
        command=action.command,
        text=action.text,
        message_id=message_ref(message.chat.id, message.message_id, query.id),
        reply_to_message_id=str(message.message_id),
        composition_id=composition_id,
    )


def display_name(name: str) -> str:
    """A user's name as stored: trimmed to the column's size."""
    return name.strip()[:128]


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis, for Telegram's length caps."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def audio_filename(title: str, version: int) -> str:
    """A readable file name for the posted MP3, e.g. 'sad-piano-ballad-v2.mp3'."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "bandmate"
    return f"{slug}-v{version}.mp3"
