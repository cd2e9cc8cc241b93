"""Scene words ("battle", "chase", "lullaby", "study") → the tempo and energy such a cue is written at.

A scene does not name a genre; it says what the music accompanies, and that sets the pace. Each range
is where that kind of cue is written (the reason is given with it); a tempo the request states wins,
and a genre's own tempo is only moved as far as the scene's range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.arrange import Part, add_part
from bot.understanding.text import fold
from engine.spec import MAX_PARTS


@dataclass(frozen=True, slots=True)
class Scene:
    """What a scene asks of the music: a tempo range, the usual tempo, an energy floor, and why."""

    name: str
    tempo: tuple[int, int, int]  # low, typical, high bpm
    energy: float | None  # at least this energetic; None leaves the energy alone
    why: str
    adds: tuple[str, ...] = ()  # instruments the cue calls for, added unless the request fixed the players


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene(
            "battle",
            (120, 140, 176),
            0.85,
            "action cues drive: film and game battle music sits at 130–170 bpm so the ostinato runs in 16ths",
            ("trombone",),  # low brass answers the horns: the battle cue's brass
        ),
        Scene(
            "chase", (130, 150, 180), 0.85, "a chase is the fastest cue: 140–180 bpm, the running pulse of the pursuit"
        ),
        Scene(
            "lullaby",
            (54, 66, 76),
            None,
            "rocked to sleep: a slow cradle rocking is about one sway per second, 55–75 bpm in 3/4",
        ),
        Scene(
            "study",
            (65, 80, 92),
            None,
            "music to study to stays in the background: lofi's 70–90 bpm, below a resting walk",
        ),
    )
}
SCENE_WORDS: dict[str, tuple[str, ...]] = {
    "battle": (
        "battle",
        "fight",
        "fighting",
        "combat",
        "boss fight",
        "boss battle",
        "war",
        "duel",
        "skirmish",
        "batalla",
        "bataille",
        "kampf",
        "schlacht",
        "batalha",
        "action scene",
        "action",
    ),
    "chase": (
        "chase",
        "pursuit",
        "car chase",
        "escape",
        "running away",
        "persecucion",
        "poursuite",
        "verfolgung",
        "perseguicao",
    ),
    "lullaby": (
        "lullaby",
        "cradle song",
        "bedtime",
        "to sleep",
        "fall asleep",
        "berceuse",
        "wiegenlied",
        "cancion de cuna",
        "cancao de ninar",
    ),
    "study": (
        "study",
        "studying",
        "homework",
        "focus",
        "concentration",
        "para estudiar",
        "pour etudier",
        "zum lernen",
        "para estudar",
    ),
}


def find_scene(text: str) -> Scene | None:
    """The first scene the text names, if any."""
    folded = fold(text)
    for name, words in SCENE_WORDS.items():
        if any(re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", folded) for word in words):
            return SCENES[name]
    return None


def with_scene_parts(scene: Scene, parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """The parts with the instruments the scene calls for, while there is room for them."""
    for name in scene.adds:
        if len(parts) < MAX_PARTS:
            parts = add_part(parts, name)
    return parts


def scene_tempo(scene: Scene, tempo: int) -> int:
    """The tempo if it suits the scene, else the scene's usual tempo."""
    low, typical, high = scene.tempo
    return tempo if low <= tempo <= high else typical
