"""The platform-free core: turns a Request into stored versions, queued jobs and a Reply."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.jam.service import JamAction, JamService
from bot.media import local_outcome
from bot.messages import COSTLY, Command, Origin, Reply, Request
from bot.store.models import Composition, CompositionKind, Conversation, User
from bot.store.repo import NewVersion, Store
from bot.tune_input import DEFAULT_NOTE, DEFAULT_STYLE, TuneReader
from bot.understanding import TextEncoder, Understanding, examples, refine, understand
from bot.understanding.voice_words import lyrics_sheet, sung_lines, too_long
from engine.errors import SheetError, UserError
from engine.queue.contract import Extra, FileKind
from engine.sheet import piece_sheet
from engine.spec import MusicSpec, build_spec

log = logging.getLogger("bandmate.service")

HELP = """I compose original music from plain words.
• /compose sad piano ballad — a new piece (try a genre, mood, instruments, tempo, key, length)
• reply to a piece with a change — "make it faster", "add strings", "no drums", "in A minor", "go back to v2"
• /variation — another take on the same idea · /undo — back to the previous version
• /history — the versions of this piece · the MIDI button or /midi — the MIDI file
• /wav — lossless audio · /stems — one MP3 per part, zipped
• mix changes keep the notes — "more reverb", "louder drums", "wider", "mono", "warmer", "lo-fi"
• sing: "folk ballad lyrics: walking down the road" · "with vocals", "instrumental", "male voice" ·
  /lyrics — the words · /sheet — the lead sheet (tune, chords, words)
• /jam start lofi in F 85bpm — build one piece together; then reply to the mix or /jam add a walking bass \
(/jam status · vote · undo · mix · end; /jam help for more)
Examples: {examples}"""

NO_PIECE = "There is no piece here yet. Start one with /compose, e.g. /compose sad piano ballad"
NOT_HERE = "I can't find that piece in this chat any more."
# While a chat jams, its replies and refine buttons change the jam; /undo and /variation mean the jam's undo and vote.
WHILE_JAMMING: dict[Command | None, JamAction] = {None: "say", "refine": "say", "undo": "undo", "variation": "vote"}


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request limits the service enforces."""

    max_prompt_chars: int
    requests_per_minute: int


@dataclass(frozen=True, slots=True)
class Turn:
    """One request with the conversation and the person it came from, as every handler gets it."""

    request: Request
    conversation: Conversation
    author: User
    understood: Understood | None = None  # a new piece's words (and tune), read before any row was stored


@dataclass(frozen=True, slots=True)
class Understood:
    """A new piece's request read into a spec: the words, a brought tune, and how long reading took."""

    understanding: Understanding
    parse_ms: float
    text: str  # the words the piece is made from (a style of its own for a tune brought alone)
    tune_notes: tuple[str, ...] = ()  # what was heard in the tune, and the default style if none was named


Handler = Callable[["Bandmate", Turn], Awaitable[Reply]]


class Bandmate:
    """Bandmate's core: understands, versions and queues; knows no chat platform."""

    def __init__(
        self,
        store: Store,
        *,
        limits: Limits,
        encoder: TextEncoder | None = None,
        jams: JamService | None = None,
        new_seed: Callable[[], int] = lambda: secrets.randbelow(2**31),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.limits = limits
        self.encoder = encoder
        self.jams = jams
        self._new_seed = new_seed
        self.tunes = TuneReader()  # loads the transcription model on the first tune
        self._clock = clock

    async def handle(self, request: Request) -> Reply:
        """Answer one request; anything the user got wrong comes back as a one-line Reply."""
        try:
            return await self._dispatch(request)
        except UserError as exc:
            return Reply(exc.message, refusal=True)

    async def _dispatch(self, request: Request) -> Reply:
        command, origin = request.command, request.origin
        if command in ("start", "help"):  # answered without reading or storing anything
            return Reply(HELP.format(examples=" · ".join(f'"{e}"' for e in examples())))
        # A refused request must store nothing: a new piece's words are understood, and a chat with no piece
        # answered, before the chat's and the author's rows are created.
        known = await self.store.find_conversation(origin.platform, origin.chat_id, origin.thread_id)
        understood: Understood | None = None
        if command == "compose" or (known is None and command is None):
            understood = await self._understand(request)  # a mistake in the words ends here
        elif known is None and command != "jam":
            raise UserError(NO_PIECE if request.composition_id is None else NOT_HERE)
        conversation = known or await self.store.conversation(origin.platform, origin.chat_id, origin.thread_id)
        author = await self.store.user(origin.platform, origin.user_id, origin.user_name)
        if request.message_id is not None:
            seen = await self.store.by_request_key(conversation.id, request.message_id)
            if seen is not None:  # the platform sent the same message again
                return self._queued_reply(seen)
        if command in COSTLY:
            await self._check_rate(author)
        jam_action = WHILE_JAMMING.get(command)
        if self.jams is not None and jam_action is not None and await self.jams.open_jam(conversation):
            return await self.jams.handle(conversation, author, request, jam_action)
        return await COMMANDS[command](self, Turn(request, conversation, author, understood))

    # --- handlers (one per command; see COMMANDS) ---------------------------------------------------

    async def _jam(self, turn: Turn) -> Reply:
        if self.jams is None:
            raise UserError("Jam sessions are not available here.")
        return await self.jams.handle(turn.conversation, turn.author, turn.request)

    async def _compose(self, turn: Turn) -> Reply:
        understood = turn.understood or await self._understand(turn.request)
        understanding = understood.understanding
        heard = understanding.heard
        notes = tuple(filter(None, (
            *understood.tune_notes,
            f"Heard: {', '.join(heard)}" if heard else "",
            *understanding.guessed,
            f"Didn't catch: {', '.join(understanding.ignored)}" if understanding.ignored else "",
        )))  # fmt: skip
        new = NewVersion("compose", understood.text, understanding.spec, notes, None, turn.request.message_id,
                         turn.request.message_id, extras=_extras(turn.request))  # fmt: skip
        composition = await self.store.add_version(turn.conversation, turn.author, new, parse_ms=understood.parse_ms)
        return self._queued_reply(composition, (*notes, sung_lines(understanding.spec)))

    async def _plain(self, turn: Turn) -> Reply:
        # A plain message changes the piece it replies to (or the latest); with no piece yet it starts one.
        target = await self._target(turn)
        if target is None:
            return await self._compose(turn)
        return await self._refine(turn, target, turn.request.text)

    async def _refine_command(self, turn: Turn) -> Reply:
        return await self._refine(turn, await self._required_target(turn), turn.request.text)

    async def _variation(self, turn: Turn) -> Reply:
        return await self._refine(turn, await self._required_target(turn), "another version")

    async def _undo_command(self, turn: Turn) -> Reply:
        return await self._undo(turn, await self._required_target(turn))

    async def _history(self, turn: Turn) -> Reply:
        target = await self._target(turn)
        if target is None:
            return Reply(NO_PIECE)
        lines = []
        for version in await self.store.history(target.piece_id):
            what = ", ".join(version.changes) if version.kind != "compose" and version.changes else version.prompt
            lines.append(f"v{version.version} · {version.summary} — {what[:60]}")
        return Reply("\n".join(lines))

    async def _midi(self, turn: Turn) -> Reply:
        target = await self._target(turn)
        if target is None:
            return Reply(NO_PIECE)
        job = await self.store.job_of(target)
        outcome = await local_outcome(self.store.media, job)
        midi = outcome.path("midi") if outcome else None
        if job is not None and job.status == "failed":
            return Reply(f"v{target.version} could not be made, so it has no MIDI.")
        if midi is None or not midi.is_file():
            return Reply(f"v{target.version} is still being composed; the MIDI comes with it.")
        return Reply(f"MIDI of v{target.version}: {target.summary}", composition_id=target.id, file=midi)

    async def _lyrics(self, turn: Turn) -> Reply:
        target = await self._required_target(turn)
        return Reply(lyrics_sheet(build_spec(target.spec), target.version))

    async def _sheet(self, turn: Turn) -> Reply:
        target = await self._required_target(turn)
        outcome = await local_outcome(self.store.media, await self.store.job_of(target))
        made = (outcome.path("sheet"), outcome.path("midi")) if outcome else (None, None)
        try:
            png = await asyncio.to_thread(_sheet_beside, build_spec(target.spec), *made)
        except SheetError:
            log.exception("lead sheet of composition %s failed", target.id)
            return Reply("Sorry, I couldn't write the lead sheet for this piece.")
        if png is None:
            return Reply(f"v{target.version} is still being composed; ask for the sheet when it is here.")
        return Reply(f"Lead sheet of v{target.version}: {target.summary}", composition_id=target.id, file=png)

    async def _wav(self, turn: Turn) -> Reply:
        return await self._file(await self._required_target(turn), "wav", "lossless WAV")

    async def _stems(self, turn: Turn) -> Reply:
        target = await self._required_target(turn)
        job = await self.store.job_of(target)
        if job is not None and job.outcome is not None and job.outcome.path("stems") is not None:
            return await self._file(target, "stems", "stems (one MP3 per part)")
        # The same spec renders the same audio, so the stems come with a new version of the same piece.
        await self._check_rate(turn.author)
        note = f"stems of v{target.version}"
        new = NewVersion("stems", turn.request.text or "stems", build_spec(target.spec), (note,), target,
                         turn.request.message_id, turn.request.message_id,
                         extras=frozenset({"stems", "wav"}))  # fmt: skip
        composition = await self.store.add_version(turn.conversation, turn.author, new)
        return self._queued_reply(composition, (note,))

    async def _file(self, target: Composition, kind: FileKind, what: str) -> Reply:
        """A file every piece has (the WAV) or this version was made with (stems), posted on request."""
        job = await self.store.job_of(target)
        if job is not None and job.status == "failed":
            return Reply(f"v{target.version} could not be made, so it has no {what}.")
        outcome = await local_outcome(self.store.media, job)
        if outcome is None:
            return Reply(f"v{target.version} is still being made; ask again when it is posted.")
        path = outcome.path(kind)
        if path is None or not path.is_file():
            return Reply(f"v{target.version} was made without a {what}; /compose a new piece to get one.")
        return Reply(f"{what[:1].upper()}{what[1:]} of v{target.version}: {target.summary}",
                     composition_id=target.id, file=path)  # fmt: skip

    # --- shared steps -------------------------------------------------------------------------------

    async def _understand(self, request: Request) -> Understood:
        """The request's words (and a brought tune) as a spec, read in worker threads; UserError if unusable."""
        bare_tune = request.tune_file is not None and not request.text.strip()
        text = self._check_text(DEFAULT_STYLE if bare_tune else request.text, "compose")
        seed = request.seed if request.seed is not None else self._new_seed()
        started = time.perf_counter()
        understanding = await asyncio.to_thread(understand, text, seed=seed, encoder=self.encoder,
                                                max_chars=self.limits.max_prompt_chars)  # fmt: skip
        tune_notes: tuple[str, ...] = ()
        if request.tune_file is not None:
            spec, heard = await self.tunes.arrange_async(understanding.spec, understanding, request.tune_file,
                                                         request.tune_track)  # fmt: skip
            understanding = dataclasses.replace(understanding, spec=spec)
            tune_notes = tuple(filter(None, (heard[:1].upper() + heard[1:], DEFAULT_NOTE if bare_tune else "")))
        return Understood(understanding, (time.perf_counter() - started) * 1000, text, tune_notes)

    async def _target(self, turn: Turn) -> Composition | None:
        # A button names its version; a reply names the message; otherwise the latest piece.
        request, conversation = turn.request, turn.conversation
        if request.composition_id is not None:
            found = await self.store.get(request.composition_id)
            if found is None or found.conversation_id != conversation.id:
                raise UserError(NOT_HERE)
            return found
        if request.reply_to_message_id is not None:
            found = await self.store.by_posted_message(conversation.id, request.reply_to_message_id)
            if found is not None:
                return found
        return await self.store.latest(conversation.id)

    async def _required_target(self, turn: Turn) -> Composition:
        target = await self._target(turn)
        if target is None:
            raise UserError(NO_PIECE)
        return target

    async def _check_rate(self, author: User) -> None:
        recent = await self.store.requests_since(author.id, self._clock() - 60)
        if recent >= self.limits.requests_per_minute:
            raise UserError(
                f"Easy there! I can make {self.limits.requests_per_minute} pieces a minute for you; "
                "try again in a moment."
            )

    def _check_text(self, text: str, what: str) -> str:
        cleaned = text.strip()
        if not cleaned:
            raise UserError(f"Tell me what to {what}, e.g. /compose sad piano ballad")
        if len(cleaned) > self.limits.max_prompt_chars:
            raise UserError(too_long(cleaned, self.limits.max_prompt_chars))
        return cleaned

    async def _refine(self, turn: Turn, target: Composition, text: str) -> Reply:
        text = self._check_text(text, "change")
        spec = build_spec(target.spec)
        started = time.perf_counter()
        change = await asyncio.to_thread(refine, spec, text, new_seed=self._new_seed(), encoder=self.encoder,
                                         max_chars=self.limits.max_prompt_chars)  # fmt: skip
        parse_ms = (time.perf_counter() - started) * 1000
        if change.action == "undo":
            return await self._undo(turn, target)
        if change.action == "goto":
            return await self._goto(turn, target, change.version or 0)
        assert change.spec is not None
        kind: CompositionKind = "variation" if change.action == "variation" else "refine"
        new = NewVersion(kind, text, change.spec, change.changes, target, turn.request.message_id,
                         turn.request.message_id, extras=_extras(turn.request))  # fmt: skip
        composition = await self.store.add_version(turn.conversation, turn.author, new, parse_ms=parse_ms)
        sung = sung_lines(change.spec) if any("lyrics" in note for note in change.changes) else ""
        return self._queued_reply(composition, (*change.changes, sung))

    async def _undo(self, turn: Turn, target: Composition) -> Reply:
        if target.parent_id is None:
            raise UserError("Nothing to undo: this is the first version.")
        parent = await self.store.get(target.parent_id)
        assert parent is not None
        return await self._repost(turn, parent, "undo", f"back to v{parent.version}")

    async def _goto(self, turn: Turn, target: Composition, version: int) -> Reply:
        earlier = await self.store.by_version(target.piece_id, version)
        if earlier is None:
            newest = await self.store.history(target.piece_id, limit=1)
            last = newest[0].version if newest else 0
            raise UserError(f"There is no v{version} of this piece; it goes from v1 to v{last}.")
        return await self._repost(turn, earlier, "goto", f"back to v{version}")

    async def _repost(self, turn: Turn, earlier: Composition, kind: CompositionKind, note: str) -> Reply:
        spec = build_spec(earlier.spec)
        request = turn.request
        # The new version follows the one it brings back (so a later undo goes back from there) and reuses its files.
        new = NewVersion(kind, request.text or kind, spec, (note,), earlier, request.message_id, request.message_id,
                         reuse_media_of=earlier)  # fmt: skip
        composition = await self.store.add_version(turn.conversation, turn.author, new)
        return self._queued_reply(composition, (note,))

    def _queued_reply(self, composition: Composition, notes: tuple[str, ...] = ()) -> Reply:
        lines = [f"🎼 v{composition.version}: {composition.summary}", *filter(None, notes)]
        lines.append("Queued…" if composition.kind not in ("undo", "goto") else "Here it is again.")
        return Reply("\n".join(lines), job_id=composition.job_id, composition_id=composition.id)


# Every command and its handler: adding a command is one line here (and its word in the adapters).
COMMANDS: dict[Command | None, Handler] = {
    "compose": Bandmate._compose,
    "refine": Bandmate._refine_command,
    None: Bandmate._plain,
    "variation": Bandmate._variation,
    "undo": Bandmate._undo_command,
    "history": Bandmate._history,
    "midi": Bandmate._midi,
    "lyrics": Bandmate._lyrics,
    "sheet": Bandmate._sheet,
    "wav": Bandmate._wav,
    "stems": Bandmate._stems,
    "jam": Bandmate._jam,
}


def _extras(request: Request) -> frozenset[Extra]:
    """Every piece comes with its lossless WAV (so /wav answers at once), and what else was asked for."""
    return frozenset[Extra]({"wav"}) | request.extras


def _sheet_beside(spec: MusicSpec, sheet: Path | None, midi: Path | None) -> Path | None:
    """The piece's lead sheet PNG: the engine's, or engraved beside its MIDI the first time; None before the MIDI."""
    if sheet is not None and sheet.is_file():
        return sheet
    if midi is None or not midi.is_file():
        return None
    png = midi.with_suffix(".png")
    return png if png.is_file() else piece_sheet(spec, midi)[0]


def origin_of(conversation: Conversation, author: User) -> Origin:
    """Where a version was asked for, rebuilt from stored rows."""
    return Origin(
        platform=conversation.platform,
        chat_id=conversation.chat_id,
        user_id=author.external_id,
        user_name=author.name,
        thread_id=conversation.thread_id or None,
    )
