"""The idiom prompt set: one request per genre (and the three pieces of issue 17), read by the understanding.

`python -m tests.data.idiom_prompts` rewrites tests/data/idiom_prompts.jsonl; the engine's
`evaluate --idioms` reads that file (the engine never imports the bot), and a test checks that the
stored specs are still what the understanding makes of the words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.understanding.request import understand

PATH = Path(__file__).with_name("idiom_prompts.jsonl")
DURATION_S = 30.0  # short pieces keep three seeds of every genre quick; long enough for 8+ bars
# (id, idiom judged, request); the idiom is the genre unless the words ask for a narrower one.
PROMPTS: tuple[tuple[str, str, str], ...] = (
    ("i01", "pop", "pop song"), ("i02", "rock", "rock song"), ("i03", "metal", "heavy metal"),
    ("i04", "punk", "punk rock"), ("i05", "jazz", "jazz"), ("i06", "blues", "blues"),
    ("i07", "funk", "funk groove"), ("i08", "soul", "soul"), ("i09", "hip hop", "hip hop beat"),
    ("i10", "trap", "trap beat"), ("i11", "lofi", "lofi beat"), ("i12", "edm", "edm"),
    ("i13", "house", "house music"), ("i14", "techno", "dark techno at 130 bpm"),
    ("i15", "drum and bass", "drum and bass"), ("i16", "synthwave", "synthwave"), ("i17", "vaporwave", "vaporwave"),
    ("i18", "ambient", "ambient"), ("i19", "cinematic", "cinematic"), ("i20", "classical", "classical"),
    ("i21", "baroque", "baroque"), ("i22", "folk", "folk song"), ("i23", "celtic", "celtic"),
    ("i24", "country", "country song"), ("i25", "reggae", "reggae"), ("i26", "latin", "salsa"),
    ("i27", "bossa nova", "bossa nova"), ("i28", "tango", "tango"), ("i29", "disco", "disco"),
    ("i30", "chiptune", "chiptune"), ("i31", "gospel", "gospel"), ("i32", "march", "march"),
    ("i33", "waltz", "waltz"), ("i34", "lullaby", "lullaby"),
    ("i35", "jazz piano trio", "jazz piano trio, swing"), ("i36", "battle", "epic orchestral battle theme"),
    ("i37", "ballad", "sad piano ballad"), ("i38", "trance", "trance"),
)  # fmt: skip


def rows() -> list[dict[str, Any]]:
    """Every prompt with the spec the understanding reads from it (seed = its number, 30 s long)."""
    table = []
    for number, (prompt_id, idiom, text) in enumerate(PROMPTS, start=1):
        spec = understand(text, seed=number).spec.replace(duration_s=DURATION_S)
        table.append(
            {"id": prompt_id, "idiom": idiom, "prompt": text, "explicit": [], "spec": spec.model_dump(mode="json")}
        )
    return table


if __name__ == "__main__":
    PATH.write_text("".join(json.dumps(row) + "\n" for row in rows()))
    print(f"wrote {PATH}")
