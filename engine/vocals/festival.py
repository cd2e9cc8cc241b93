"""Festival (Debian's speech synthesiser) for English: lines of words → natural speech with phoneme times.

espeak-ng's formant speech is hard to follow even spoken: pocketsphinx mishears 77 % of the tuning lyrics'
words from it, against 11 % from Festival's HTS voice slt and 25 % from its diphone voice kal (recorded
human speech), and a sung line can only be as clear as the speech it is made from (docs/vocals.md).
One `festival` process speaks a whole vocal part, each line to a WAV file and its phonemes to stdout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Generator
from pathlib import Path

import numpy as np
import soundfile

from engine.errors import ConfigError, EngineError
from engine.speech import Phone, Speech, word_offsets

SAMPLE_RATE = 22_050  # Festival resamples to this: enough for the voice, and the vocoder's cost grows with it
_TIMEOUT_S = 60
_PAUSE = "pau"
# Festival's US phone set (radio) in IPA, so the aligner tells vowels from consonants as it does for espeak-ng.
_IPA = {
    "aa": "ɑ", "ae": "æ", "ah": "ʌ", "ao": "ɔ", "aw": "aʊ", "ax": "ə", "ay": "aɪ", "eh": "ɛ", "er": "ɝ",
    "ey": "eɪ", "ih": "ɪ", "iy": "i", "ow": "oʊ", "oy": "ɔɪ", "uh": "ʊ", "uw": "u", "b": "b", "ch": "tʃ",
    "d": "d", "dh": "ð", "f": "f", "g": "ɡ", "hh": "h", "jh": "dʒ", "k": "k", "l": "l", "m": "m", "n": "n",
    "ng": "ŋ", "p": "p", "r": "ɹ", "s": "s", "sh": "ʃ", "t": "t", "th": "θ", "v": "v", "w": "w", "y": "j",
    "z": "z", "zh": "ʒ",
}  # fmt: skip
# Each line: synthesise, resample, save; then number its tokens (one per lyric word) and print every
# phoneme with its end time and the number of the token it was read from.
_SCHEME = """
(define (number-tokens token index)
  (if token
      (begin
        (mapcar (lambda (word) (item.set_feat word "bandmate_word" index)) (item.daughters token))
        (number-tokens (item.next token) (+ index 1)))))
(define (speak-line index text wavefile)
  (let ((utt (eval (list 'Utterance 'Text text))))
    (utt.synth utt)
    (utt.wave.resample utt %(rate)d)
    (utt.save.wave utt wavefile 'riff)
    (number-tokens (utt.relation.first utt 'Token) 0)
    (mapcar (lambda (segment)
              (format t "PHONE %%s %%f %%s\\n" (item.name segment) (item.feat segment "end")
                      (item.feat segment "R:SylStructure.parent.parent.bandmate_word")))
            (utt.relation.items utt 'Segment))
    (format t "LINE %%d\\n" index)
    (fflush nil)))
"""


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ø": "o", "Ø": "O", "ð": "th",
                          "þ": "th", "ł": "l", "Ł": "L", "đ": "d", "ı": "i"})  # fmt: skip


def _readable(word: str) -> str:
    """The word in the ASCII letters Festival's English lexicon reads ("café" → "cafe", "straße" → "strasse")."""
    folded = unicodedata.normalize("NFKD", word.translate(_LETTERS)).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in folded if char.isalnum() or char in "'-")


def _script(lines: list[list[str]], voice: str, folder: Path) -> str:
    calls = []
    for index, words in enumerate(lines):
        text = " ".join(_readable(word) or "hum" for word in words)  # a word with no letters to read is hummed
        calls.append(f'(speak-line {index} "{text}" "{folder / f"{index}.wav"}")')
    return _SCHEME % {"rate": SAMPLE_RATE} + f"(voice_{voice})\n" + "\n".join(calls) + "\n"


def _phones(rows: list[str], offsets: list[int], length: int) -> list[Phone]:
    """The phonemes of one line from Festival's printout, pauses dropped, each tied to its word."""
    phones, start = [], 0
    for row in rows:
        if not row.startswith("PHONE "):
            continue
        _, name, end_s, word = row.split()
        end = min(round(float(end_s) * SAMPLE_RATE), length)
        if name != _PAUSE and end > start:
            phones.append(Phone(_IPA.get(name, name), start, end, offsets[min(int(word), len(offsets) - 1)]))
        start = max(start, end)
    return phones


def _line(folder: Path, index: int, rows: list[str], words: list[str]) -> Speech:
    audio, rate = soundfile.read(folder / f"{index}.wav", dtype="float32")
    if rate != SAMPLE_RATE or audio.ndim != 1:
        raise EngineError(f"Festival wrote {rate} Hz audio with shape {audio.shape}, not mono {SAMPLE_RATE} Hz")
    return Speech(np.asarray(audio), SAMPLE_RATE, _phones(rows, word_offsets(words), len(audio)))


def speak_english(lines: list[list[str]], voice: str) -> Generator[Speech]:
    """Speak each line of words with Festival voice `voice` ("kal_diphone"), in one `festival` process.

    Each line's speech comes as soon as Festival has spoken it, so the singer sings one line on this core
    while Festival speaks the next on the other.
    """
    if shutil.which("festival") is None:
        raise ConfigError("Festival is not installed (Debian packages festival, festvox-kallpc16k, festvox-us-slt-hts)")
    with tempfile.TemporaryDirectory(prefix="bandmate-festival-") as name:
        folder = Path(name)
        (folder / "part.scm").write_text(_script(lines, voice, folder), encoding="ascii")
        with open(folder / "errors.txt", "w+", encoding="utf-8", errors="replace") as errors:
            try:
                process = subprocess.Popen(["festival", "-b", str(folder / "part.scm")], stdout=subprocess.PIPE,
                                           stderr=errors, text=True, errors="replace")  # fmt: skip
            except OSError as exc:
                raise EngineError(f"Festival did not start: {exc}") from exc
            watchdog = threading.Timer(_TIMEOUT_S, process.kill)
            watchdog.start()
            try:
                rows: list[str] = []
                spoken = 0
                for row in process.stdout or ():
                    if row.startswith("LINE "):
                        if row.split()[1] != str(spoken):  # a line Festival failed on has no marker
                            break
                        yield _line(folder, spoken, rows, lines[spoken])
                        spoken, rows = spoken + 1, []
                    else:
                        rows.append(row)
                if process.wait() != 0 or spoken < len(lines):
                    errors.seek(0)
                    said = errors.read().strip().splitlines()
                    if spoken == 0 and any(f"unbound variable : voice_{voice}" in line for line in said):
                        raise ConfigError(f"Festival has no voice {voice} (Debian packages festvox-kallpc16k, "
                                          "festvox-us-slt-hts)")  # fmt: skip
                    raise EngineError(f"Festival could not speak line {spoken + 1} of the lyrics with voice {voice}: "
                                      f"{said[-1] if said else f'exit {process.returncode}'}")  # fmt: skip
            finally:
                watchdog.cancel()
                if process.poll() is None:
                    process.kill()
                process.wait()
                if process.stdout is not None:
                    process.stdout.close()
