"""The platform-free core: turns a Request into stored versions, queued jobs and a Reply."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.jam.service import JamService
from bot.messages import Origin, Reply, Request
from bot.store.models import Composition, Conversation, User
from bot.store.repo import NewVersion, Store
from bot.understanding import TextEncoder, examples, refine, understand
from engine.errors import UserError
from engine.queue.contract import Extra, FileKind
from engine.spec import build_spec

log = logging.getLogger("bandmate.service")

HELP = """I compose original music from plain words.
• /compose sad piano ballad — a new piece (try a genre, mood, instruments, tempo, key, length)
• reply to a piece with a change — "make it faster", "add strings", "no drums", "in A minor"
• /variation — another take on the same idea · /undo — back to the previous version
• /history — the versions so far · the MIDI button or /midi — the MIDI file
• /wav — lossless audio · /stems — one MP3 per part, zipped
• mix changes keep the notes — "more reverb", "louder drums", "wider", "mono", "warmer", "lo-fi"
Examples: {examples}"""

COSTLY = {"compose", "refine", "variation"}
JAM_ROUTED = {"jam", None, "refine", "undo", "variation"}
NO_PIECE = "There is no piece here yet. Start one with /compose, e.g. /compose sad piano ballad"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request limits the service enforces."""

    max_prompt_chars: int = 1_000
    requests_per_minute: int = 6


class Bandmate:
    """Bandmate's core: understands, versions and queues; knows no chat platform."""

    def __init__(
        self,
        store: Store,
        *,
        limits: Limits | None = None,
        encoder: TextEncoder | None = None,
        jams: JamService | None = None,
        new_seed: Callable[[], int] = lambda: secrets.randbelow(2**31),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.encoder = encoder
        self.jams = jams
        self._new_seed = new_seed
        self._clock = clock

    async def handle(self, request: Request) -> Reply:
        """Answer one request; anything the user got wrong comes back as a one-line Reply."""
        try:
            return await self._dispatch(request)
        except UserError as exc:
            return Reply(exc.message)

    async def _dispatch(self, request: Request) -> Reply:
        command = request.command
        if command in ("start", "help"):
            return Reply(HELP.format(examples=" · ".join(f'"{e}"' for e in examples())))
        origin = request.origin
        conversation = await self.store.conversation(origin.platform, origin.chat_id, origin.thread_id)
        author = await self.store.user(origin.platform, origin.user_id, origin.user_name)
        if request.message_id is not None:
            seen = await self.store.by_request_key(conversation.id, request.message_id)
            if seen is not None:  # the platform sent the same message again
                return self._queued_reply(seen)
        if command == "history":
            return await self._history(conversation)
        if self.jams is not None and command in JAM_ROUTED and (
            command == "jam" or await self.jams.open_jam(conversation)
        ):
            # While a chat jams, its replies and refine buttons change the jam; /undo and /variation
            # mean the jam's undo and vote.
            if command in ("undo", "variation"):
                request = replace(request, command="jam", text="undo" if command == "undo" else "vote")
            elif command != "jam":
                await self._check_rate(author)
                request = replace(request, command=None)
            return await self.jams.handle(conversation, author, request)
        target = await self._target(conversation, request)
        if command == "midi":
            return await self._midi(target)
        if command == "wav":
            return await self._file(target, "wav", "lossless WAV")
        if command == "stems":
            return await self._stems(conversation, author, request, target)
        if command in COSTLY or command is None:
            await self._check_rate(author)
        if command == "compose" or (command is None and target is None):
            return await self._compose(conversation, author, request)
        if target is None:
            return Reply(NO_PIECE)
        if command == "variation":
            return await self._refine(conversation, author, request, target, "another version")
        if command == "undo":
            return await self._undo(conversation, author, request, target)
        return await self._refine(conversation, author, request, target, request.text)

    async def _target(self, conversation: Conversation, request: Request) -> Composition | None:
        # A button names its version; a reply names the message; otherwise the latest piece.
        if request.composition_id is not None:
            found = await self.store.get(request.composition_id)
            if found is None or found.conversation_id != conversation.id:
                raise UserError("I can't find that piece in this chat any more.")
            return found
        if request.reply_to_message_id is not None:
            found = await self.store.by_posted_message(conversation.id, request.reply_to_message_id)
            if found is not None:
                return found
        return await self.store.latest(conversation.id)

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
            raise UserError(f"That's too long: please keep requests under {self.limits.max_prompt_chars} characters.")
        return cleaned

    async def _compose(self, conversation: Conversation, author: User, request: Request) -> Reply:
        text = self._check_text(request.text, "compose")
        seed = request.seed if request.seed is not None else self._new_seed()
        started = time.perf_counter()
        understanding = understand(text, seed=seed, encoder=self.encoder, max_chars=self.limits.max_prompt_chars)
        parse_ms = (time.perf_counter() - started) * 1000
        heard = [note.split(": ", 1)[-1] for note in understanding.understood]
        notes = tuple(filter(None, (
            f"Heard: {', '.join(heard)}" if heard else "",
            *understanding.guessed,
            f"Didn't catch: {', '.join(understanding.ignored)}" if understanding.ignored else "",
        )))  # fmt: skip
        new = NewVersion("compose", text, understanding.spec, notes, None, request.message_id,
                         request.message_id, extras=_extras(request))  # fmt: skip
        composition = await self.store.add_version(conversation, author, new, parse_ms=parse_ms)
        return self._queued_reply(composition, notes)

    async def _refine(
        self, conversation: Conversation, author: User, request: Request, target: Composition, text: str
    ) -> Reply:
        text = self._check_text(text, "change")
        spec = build_spec(target.spec)
        started = time.perf_counter()
        change = refine(spec, text, new_seed=self._new_seed(), encoder=self.encoder,
                        max_chars=self.limits.max_prompt_chars)  # fmt: skip
        parse_ms = (time.perf_counter() - started) * 1000
        if change.action == "undo":
            return await self._undo(conversation, author, request, target)
        if change.action == "goto":
            return await self._goto(conversation, author, request, change.version or 0)
        assert change.spec is not None
        kind = "variation" if change.action == "variation" else "refine"
        new = NewVersion(kind, text, change.spec, change.changes, target, request.message_id,
                         request.message_id, extras=_extras(request))  # fmt: skip
        composition = await self.store.add_version(conversation, author, new, parse_ms=parse_ms)
        return self._queued_reply(composition, change.changes)

    async def _undo(
        self, conversation: Conversation, author: User, request: Request, target: Composition
    ) -> Reply:
        if target.parent_id is None:
            raise UserError("Nothing to undo: this is the first version.")
        parent = await self.store.get(target.parent_id)
        assert parent is not None
        return await self._repost(conversation, author, request, parent, "undo", f"back to v{parent.version}")

    async def _goto(self, conversation: Conversation, author: User, request: Request, version: int) -> Reply:
        earlier = await self.store.by_version(conversation.id, version)
        if earlier is None:
            latest = await self.store.latest(conversation.id)
            last = latest.version if latest else 0
            raise UserError(f"There is no v{version} here; versions go from v1 to v{last}.")
        return await self._repost(conversation, author, request, earlier, "goto", f"back to v{version}")

    async def _repost(
        self,
        conversation: Conversation,
        author: User,
        request: Request,
        earlier: Composition,
        kind: str,
        note: str,
    ) -> Reply:
        spec = build_spec(earlier.spec)
        new = NewVersion(kind, request.text or kind, spec, (note,), earlier, request.message_id,
                         request.message_id, reuse_media_of=earlier)  # fmt: skip
        composition = await self.store.add_version(conversation, author, new)
        return self._queued_reply(composition, (note,))

    def _queued_reply(self, composition: Composition, notes: tuple[str, ...] = ()) -> Reply:
        lines = [f"🎼 v{composition.version}: {composition.summary}", *notes]
        lines.append("Composing…" if composition.kind not in ("undo", "goto") else "Here it is again.")
        return Reply("\n".join(lines), job_id=composition.job_id, composition_id=composition.id)

    async def _history(self, conversation: Conversation) -> Reply:
        versions = await self.store.history(conversation.id)
        if not versions:
            return Reply(NO_PIECE)
        lines = []
        for version in versions:
            what = ", ".join(version.changes) if version.kind != "compose" and version.changes else version.prompt
            lines.append(f"v{version.version} · {version.summary} — {what[:60]}")
        return Reply("\n".join(lines))

    async def _midi(self, target: Composition | None) -> Reply:
        if target is None:
            return Reply(NO_PIECE)
        job = await self.store.job_of(target)
        outcome = job.outcome if job is not None and job.status == "done" else None
        midi = outcome.path("midi") if outcome else None
        if job is not None and job.status == "failed":
            return Reply(f"v{target.version} could not be made, so it has no MIDI.")
        if midi is None or not midi.is_file():
            return Reply(f"v{target.version} is still being composed; the MIDI comes with it.")
        return Reply(f"MIDI of v{target.version}: {target.summary}", composition_id=target.id, file=midi)


    async def _file(self, target: Composition | None, kind: FileKind, what: str) -> Reply:
        """A file every piece has (the WAV) or this version was made with (stems), posted on request."""
        if target is None:
            return Reply(NO_PIECE)
        job = await self.store.job_of(target)
        outcome = job.outcome if job is not None and job.status == "done" else None
        path = outcome.path(kind) if outcome else None
        if job is not None and job.status == "failed":
            return Reply(f"v{target.version} could not be made, so it has no {what}.")
        if outcome is None:
            return Reply(f"v{target.version} is still being made; ask again when it is posted.")
        if path is None or not path.is_file():
            return Reply(f"v{target.version} was made without a {what}; /compose a new piece to get one.")
        return Reply(f"{what[:1].upper()}{what[1:]} of v{target.version}: {target.summary}",
                     composition_id=target.id, file=path)  # fmt: skip

    async def _stems(
        self, conversation: Conversation, author: User, request: Request, target: Composition | None
    ) -> Reply:
        if target is None:
            return Reply(NO_PIECE)
        job = await self.store.job_of(target)
        if job is not None and job.outcome is not None and job.outcome.path("stems") is not None:
            return await self._file(target, "stems", "stems (one MP3 per part)")
        # The same spec renders the same audio, so the stems come with a new version of the same piece.
        await self._check_rate(author)
        new = NewVersion("stems", request.text or "stems", build_spec(target.spec), (f"stems of v{target.version}",),
                         target, request.message_id, request.message_id,
                         extras=frozenset({"stems", "wav"}))  # fmt: skip
        composition = await self.store.add_version(conversation, author, new)
        return self._queued_reply(composition, (f"stems of v{target.version}",))


def _extras(request: Request) -> frozenset[Extra]:
    """Every piece comes with its lossless WAV (so /wav answers at once); stems when asked for."""
    return frozenset({"wav", "stems"}) if request.stems else frozenset({"wav"})


def origin_of(conversation: Conversation, author: User) -> Origin:
    """Where a version was asked for, rebuilt from stored rows."""
    return Origin(
        platform=conversation.platform,
        chat_id=conversation.chat_id,
        user_id=author.external_id,
        user_name=author.name,
        thread_id=conversation.thread_id or None,
    )
