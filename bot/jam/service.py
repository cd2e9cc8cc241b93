"""Jam sessions: a chat builds one piece together, change by change, with debounced mixes."""

from __future__ import annotations

import asyncio
import math
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Literal

from bot.jam.contributions import JamState, apply, start
from bot.jam.store import JamStore
from bot.messages import Reply, Request
from bot.store.models import Conversation, Jam, User
from bot.store.repo import NewVersion, Store
from bot.understanding import TextEncoder, understand
from engine.errors import UserError
from engine.queue.contract import Extra
from engine.queue.db import now
from engine.spec import MusicSpec

JAM_HELP = ("Jam commands: /jam start <idea> · then reply to the mix with a change, or /jam add one "
            "(\"/jam add a walking bass\", \"/jam drums: boom bap\", \"/jam give the melody to the sax\", "
            "\"/jam mute the piano\", \"/jam next section: chorus, more energy\") · /jam status · /jam vote · "
            "/jam undo · /jam mix · /jam end")  # fmt: skip
MAX_CONTRIBUTION_RETRIES = 50
JamAction = Literal["start", "help", "status", "undo", "vote", "pick", "mix", "end", "say"]
# The first word after /jam; any other text is a change to the jam ("/jam add a walking bass").
JAM_WORDS: dict[str, JamAction] = {
    "start": "start", "": "help", "help": "help", "status": "status", "undo": "undo", "vote": "vote",
    "pick": "pick", "choose": "pick", "mix": "mix", "end": "end", "stop": "end",
}  # fmt: skip
JamHandler = Callable[["JamService", Conversation, User, Request, Jam, str], Awaitable[Reply]]


class JamService:
    """Runs every chat's jam; the core service hands it /jam commands and messages in a jamming chat."""

    def __init__(
        self,
        store: Store,
        jams: JamStore,
        *,
        debounce_seconds: float,
        encoder: TextEncoder | None = None,
        new_seed: Callable[[], int] = lambda: secrets.randbelow(2**31),
    ) -> None:
        self.store = store
        self.jams = jams
        self.debounce_seconds = debounce_seconds
        self.encoder = encoder
        self._new_seed = new_seed
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def open_jam(self, conversation: Conversation) -> Jam | None:
        """The chat's open jam, if one is running."""
        return await self.jams.open_jam(conversation.id)

    async def handle(
        self, conversation: Conversation, author: User, request: Request, action: JamAction | None = None
    ) -> Reply:
        """A /jam command (action read from its first word), or the given action (a reply is a change, "say")."""
        text = request.text.strip()
        if action is None:
            word, _, rest = text.partition(" ")
            action = JAM_WORDS.get(word.lower(), "say")
            text = rest.strip() if action != "say" else text
        async with self._locks[conversation.id]:  # one change at a time per chat, in arrival order
            jam = await self.jams.open_jam(conversation.id)
            if action == "start":
                return await self._start(conversation, author, text, request, jam)
            if action == "help":
                return Reply(JAM_HELP)
            if jam is None:
                raise UserError("No jam is running here. Start one with /jam start lofi in F 85bpm")
            return await JAM_HANDLERS[action](self, conversation, author, request, jam, text)

    async def _start(
        self, conversation: Conversation, author: User, idea: str, request: Request, jam: Jam | None
    ) -> Reply:
        if jam is not None:
            raise UserError("A jam is already running here: /jam status to see it, /jam end to finish it.")
        if not idea.strip():
            raise UserError("Give the jam a starting idea, e.g. /jam start lofi in F 85bpm")
        understanding = await asyncio.to_thread(understand, idea, seed=self._new_seed(), encoder=self.encoder)
        state = start(understanding.spec, author.name or author.external_id, author.id)
        jam = await self.jams.create(conversation.id, author.id, state)
        job_id = await self._schedule(conversation, author, jam, state.spec, (), idea, delay=0.0,
                                      reply_to=request.message_id)  # fmt: skip
        text = (f"🎸 Jam started by {author.name or 'you'}: {state.spec.summary()}\n"
                "Now everyone can add and change parts: reply to the mix with a change, or /jam add a walking bass. "
                "/jam help for ideas.")  # fmt: skip
        return Reply(text, job_id=job_id)

    async def _contribute(
        self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str
    ) -> Reply:
        if not text:
            raise UserError("Say what to change, e.g. /jam add a walking bass")
        if request.message_id is not None and await self.jams.seen(jam.id, request.message_id):
            return Reply("(already counted)")
        name = author.name or author.external_id
        for _ in range(MAX_CONTRIBUTION_RETRIES):
            state = JamState.from_json(jam.spec, jam.layers)
            new_state, changes = await asyncio.to_thread(apply, state, text, author=name, author_id=author.id,
                                                         new_seed=self._new_seed(), encoder=self.encoder)  # fmt: skip
            contribution = await self.jams.contribute(jam, author.id, text, changes, new_state, request.message_id)
            if contribution is not None:
                job_id = await self._schedule(conversation, author, jam, new_state.spec, changes, text,
                                              reply_to=request.message_id)  # fmt: skip
                return Reply(f"✓ {'; '.join(changes)} — new mix in a few seconds", job_id=job_id)
            refreshed = await self.jams.get(jam.id)  # someone else changed it first: apply on top of theirs
            if refreshed is None or refreshed.status != "open":
                raise UserError("The jam has ended.")
            jam = refreshed
        raise UserError("The jam is very busy right now; please say that again.")

    async def _schedule(
        self,
        conversation: Conversation,
        author: User,
        jam: Jam,
        spec: MusicSpec,
        changes: tuple[str, ...],
        text: str,
        *,
        delay: float | None = None,
        extras: frozenset[Extra] = frozenset(),
        reply_to: str | None = None,
    ) -> int:
        """Fold the change into the pending mix if the engine has not started it, else queue one; its job id."""
        not_before = now() + (self.debounce_seconds if delay is None else delay)
        current = await self.jams.get(jam.id)
        pending_id = current.pending_version_id if current else None
        if pending_id is not None:
            pending = await self.store.get(pending_id)
            folded = (*(pending.changes if pending else ()), *changes)
            if pending and await self.store.reschedule(pending_id, spec, folded, not_before, extras=extras,
                                                       reply_to=reply_to):  # fmt: skip
                await self.jams.mark_rendered(jam.id, pending_id)
                return pending.job_id
        piece_id = current.piece_id if current else None
        new = NewVersion("jam", text[:200], spec, changes, request_message_id=reply_to, not_before=not_before,
                         extras=extras, piece_id=piece_id)  # fmt: skip
        version = await self.store.add_version(conversation, author, new)
        await self.jams.update(jam.id, pending_version_id=version.id, piece_id=version.piece_id)
        await self.jams.mark_rendered(jam.id, version.id)
        return version.job_id

    async def _status(
        self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str = ""
    ) -> Reply:
        state = JamState.from_json(jam.spec, jam.layers)
        people = await self.jams.participants(jam.id)
        count = len([c for c, _ in await self.jams.contributions(jam.id) if not c.undone])
        lines = [f"🎸 Jam · {state.spec.summary()}", "Parts:"]
        for name, layer in state.layers.items():
            style = f", {layer.style} style" if layer.style else ""
            lines.append(f"  • {name} — {layer.role}{style}{' (muted)' if layer.muted else ''} · by {layer.author}")
        drums = f"on, {state.spec.drum_style or state.spec.genre} groove" if state.spec.drums else "off"
        lines.append(f"  • drums — {drums}")
        form = " · ".join(f"{s.name} {s.bars}" + (f" ({s.mood})" if s.mood else "") for s in state.spec.form)
        lines.append(f"Sections: {form}")
        lines.append(f"Players: {', '.join(p.name or p.external_id for p in people)} · {count} changes")
        return Reply("\n".join(lines))

    async def _undo(
        self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str = ""
    ) -> Reply:
        last = await self.jams.last_contribution(jam.id)
        if last is None:
            raise UserError("Nothing to undo in this jam yet.")
        if not await self.jams.undo(jam, last):
            raise UserError("Someone changed the jam at the same moment; try /jam undo again.")
        restored = JamState.from_json(last.spec_before, last.layers_before)
        note = f"undid: {'; '.join(last.changes)}"
        job_id = await self._schedule(conversation, author, jam, restored.spec, (f"{note} ({author.name})",), "undo",
                                      reply_to=request.message_id)  # fmt: skip
        return Reply(f"↩ {note}", job_id=job_id)

    async def _vote(
        self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str = ""
    ) -> Reply:
        last = await self.jams.last_contribution(jam.id)
        if last is None:
            raise UserError("Make a change first; then /jam vote offers two takes on it.")
        state = JamState.from_json(jam.spec, jam.layers)
        before = MusicSpec.model_validate(last.spec_before)
        changed = {p.name for p in state.spec.parts} - {p.name for p in before.parts} or {
            p.name for p in state.spec.parts if p not in before.parts
        }
        options: dict[str, int] = {}
        for offset, label in ((1, "A"), (2, "B")):
            if changed:
                parts = tuple(p.model_copy(update={"variant": p.variant + offset}) if p.name in changed else p
                              for p in state.spec.parts)  # fmt: skip
                spec = state.spec.replace(parts=parts)
            else:
                spec = state.spec.replace(seed=(state.spec.seed + offset) % 2**31)
            new = NewVersion("vote", f"take {label}", spec, (f"take {label} of: {'; '.join(last.changes)}",),
                             request_message_id=request.message_id, piece_id=jam.piece_id, take=label)  # fmt: skip
            options[label] = (await self.store.add_version(conversation, author, new)).id
        await self.jams.update(jam.id, vote={"options": options, "votes": {}})
        return Reply("🗳 Two takes coming up: A and B. Pick with the buttons or /jam pick A, /jam pick B.")

    async def _pick(self, conversation: Conversation, author: User, request: Request, jam: Jam, choice: str) -> Reply:
        vote = jam.vote or {}
        label = choice.strip().upper()[:1]
        if not vote.get("options"):
            raise UserError("There is no vote running. /jam vote starts one.")
        if label not in vote["options"]:
            raise UserError("Pick A or B.")
        votes = {**vote.get("votes", {}), str(author.id): label}
        needed = max(1, math.ceil(len(await self.jams.participants(jam.id)) / 2))
        tally = sum(1 for v in votes.values() if v == label)
        if tally < needed:
            await self.jams.update(jam.id, vote={**vote, "votes": votes})
            return Reply(f"🗳 {author.name} votes {label} ({tally}/{needed} needed)")
        winner = await self.store.get(vote["options"][label])
        assert winner is not None
        state = JamState.from_json(jam.spec, jam.layers)
        chosen = JamState(MusicSpec.model_validate(winner.spec), state.layers)
        if not await self.jams.set_state(jam, chosen, vote=None):
            raise UserError("Someone changed the jam at the same moment; pick again.")
        return Reply(f"🏆 Take {label} wins ({tally} vote{'s' if tally > 1 else ''}) — it's the jam's version now.")

    async def _mix(self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str = "") -> Reply:
        if jam.mixed_revision == jam.revision:  # nothing changed since the last final mix: it is already posted
            return Reply("🎚 Nothing changed since the last final mix; its MP3, stems and MIDI are above.")
        spec = MusicSpec.model_validate(jam.spec)
        job_id = await self._schedule(conversation, author, jam, spec, (f"final mix ({author.name})",), "mix",
                                      delay=0.0, extras=frozenset({"stems"}), reply_to=request.message_id)  # fmt: skip
        await self.jams.update(jam.id, pending_version_id=None, mixed_revision=jam.revision)
        return Reply("🎚 Mixing: the MP3, a zip of every part's stem and the MIDI are on their way.", job_id=job_id)

    async def _end(self, conversation: Conversation, author: User, request: Request, jam: Jam, text: str = "") -> Reply:
        reply = await self._mix(conversation, author, request, jam)
        await self.jams.update(jam.id, status="ended", ended_at=now())
        people = await self.jams.participants(jam.id)
        count = len([c for c, _ in await self.jams.contributions(jam.id) if not c.undone])
        return Reply(f"🏁 Jam over: {count} changes from {len(people)} player{'s' if len(people) != 1 else ''}. "
                     f"{reply.text}", job_id=reply.job_id)  # fmt: skip


JAM_HANDLERS: dict[JamAction, JamHandler] = {
    "status": JamService._status, "undo": JamService._undo, "vote": JamService._vote, "pick": JamService._pick,
    "mix": JamService._mix, "end": JamService._end, "say": JamService._contribute,
}  # fmt: skip
