"""The command-line contract, run as a real subprocess against a temp database."""

from __future__ import annotations

import json
from pathlib import Path

import soundfile
import symusic
from pydub import AudioSegment

from bot.settings import Settings
from engine.evaluate.tune_inputs import generator, hum
from tests.conftest import run_cli

CONTRACT_SPEC_KEYS = {"genre", "mood", "tempo_bpm", "key", "mode", "meter", "instruments", "drums",
                      "duration_s", "energy", "seed", "lyrics"}  # fmt: skip
STAGES = {"parse", "compose", "render", "effects", "encode", "total"}


def _compose(settings: Settings, tmp_path: Path, text: str, *extra: str) -> dict:
    done = run_cli(["compose", text, "--json", "--out", str(tmp_path / "out"), *extra], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout  # exactly one JSON object
    return json.loads(lines[0])


def test_compose_json_contract_files_and_length(settings: Settings, tmp_path: Path) -> None:
    result = _compose(settings, tmp_path, "sad piano ballad, 10 seconds", "--seed", "7")
    assert {"id", "spec", "files", "timings_ms"} <= result.keys()
    assert result["spec"].keys() >= CONTRACT_SPEC_KEYS
    assert result["timings_ms"].keys() >= STAGES
    spec = result["spec"]
    assert spec["seed"] == 7 and "piano" in spec["instruments"] and spec["mode"] == "minor"
    mp3, midi = Path(result["files"]["mp3"]), Path(result["files"]["midi"])
    assert mp3.parent == tmp_path / "out" and mp3.suffix == ".mp3" and midi.suffix == ".mid"
    assert abs(AudioSegment.from_mp3(mp3).duration_seconds - spec["duration_s"]) <= 0.05 * spec["duration_s"]
    score = symusic.Score(str(midi))
    assert round(score.tempos[0].qpm) == spec["tempo_bpm"]
    numerator, denominator = spec["meter"].split("/")
    assert (score.time_signatures[0].numerator, score.time_signatures[0].denominator) == (
        int(numerator),
        int(denominator),
    )
    programs = {track.program for track in score.tracks if not track.is_drum and track.note_num()}
    assert {part["program"] for part in spec["parts"]} <= programs


def test_same_seed_same_midi_bytes(settings: Settings, tmp_path: Path) -> None:
    # 20 s (5 bars at the ballad's 61 bpm) instead of the default 45: composing is milliseconds, playing is seconds.
    first = _compose(settings, tmp_path, "sad piano ballad, 20 seconds", "--seed", "7")
    second = _compose(settings, tmp_path, "sad piano ballad, 20 seconds", "--seed", "7")
    assert first["files"]["midi"] != second["files"]["midi"]
    assert Path(first["files"]["midi"]).read_bytes() == Path(second["files"]["midi"]).read_bytes()
    other = _compose(settings, tmp_path, "sad piano ballad, 20 seconds", "--seed", "8")
    assert Path(other["files"]["midi"]).read_bytes() != Path(first["files"]["midi"]).read_bytes()


def test_refine_last_makes_it_faster_and_keeps_the_key(settings: Settings, tmp_path: Path) -> None:
    first = _compose(settings, tmp_path, "calm folk song, 8 seconds", "--seed", "3")
    done = run_cli(["refine", "last", "make it faster", "--json", "--out", str(tmp_path / "out")], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    second = json.loads(done.stdout)
    assert second["spec"]["tempo_bpm"] > first["spec"]["tempo_bpm"]
    assert (second["spec"]["key"], second["spec"]["mode"]) == (first["spec"]["key"], first["spec"]["mode"])
    assert second["spec"]["seed"] == first["spec"]["seed"]
    assert second["version"] == first["version"] + 1


def test_dry_run_prints_the_spec_and_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    done = run_cli(["compose", "epic orchestral battle theme 140bpm in D minor, 2 minutes", "--dry-run", "--json",
                    "--out", str(tmp_path / "out")], settings, tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)["spec"]
    assert (spec["tempo_bpm"], spec["key"], spec["mode"], spec["duration_s"]) == (140, "D", "minor", 120)
    assert not (tmp_path / "out").exists() and not settings.media_dir.exists()


def test_bad_input_is_one_clear_line_and_leaves_no_files(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for text in ("", "   ", "x" * 5000):
        done = run_cli(["compose", text, "--out", str(out)], settings, tmp_path)
        assert done.returncode == 2
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = run_cli(["refine", "banana", "faster"], settings, tmp_path)
    assert done.returncode == 2 and "not a piece id" in done.stderr
    done = run_cli(["refine", "last", "faster", "--json"], settings, tmp_path)
    assert done.returncode == 2 and "error" in json.loads(done.stdout)
    assert not out.exists()


def test_chat_conversation_composes_refines_and_lists_history(settings: Settings, tmp_path: Path) -> None:
    script = "/compose sad piano ballad, 8 seconds\nmake it faster\n/history\n/help\n"
    done = run_cli(["chat"], settings, tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "v1 ready" in out and "v2 ready" in out
    assert "tempo" in out.lower()  # the refinement says what it changed
    assert out.count(".mp3") >= 2


def test_run_without_tokens_serves_the_console_with_a_separate_engine(settings: Settings, tmp_path: Path) -> None:
    done = run_cli(["run"], settings, tmp_path, stdin="/compose sad piano ballad, 6 seconds\nmake it faster\n")
    assert done.returncode == 0, done.stderr
    assert "v1 ready" in done.stdout and "v2 ready" in done.stdout
    assert len(list(settings.media_dir.rglob("*.mp3"))) == 2


def test_bad_configuration_is_one_clear_line(settings: Settings, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import cli_env

    for override, expected in (({"DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
                               ({"SAMPLE_RATE": "abc"}, "SAMPLE_RATE"),
                               ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
                               ({"SOUNDFONT": str(tmp_path / "missing.sf2")}, "No SoundFont found")):  # fmt: skip
        command = [sys.executable, "-m", "bot.cli", "compose", "sad piano ballad"]
        env = cli_env(settings) | override
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 1, done.stderr
        assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_run_without_an_engine_serves_chat_while_a_separate_engine_makes_the_pieces(
    settings: Settings, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys

    from tests.conftest import cli_env

    engine = subprocess.Popen([sys.executable, "-m", "bot.cli", "engine"], cwd=tmp_path, env=cli_env(settings),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        # The chat machine has no SoundFont: with --no-engine it needs none, and starts no engine of its own.
        chat_env = cli_env(settings) | {"SOUNDFONT": str(tmp_path / "none.sf2")}
        done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--no-engine"], cwd=tmp_path, env=chat_env,
                              input="/compose sad piano ballad, 5 seconds\n", capture_output=True, text=True,
                              timeout=240)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "v1 ready" in done.stdout
    finally:
        engine.send_signal(signal.SIGTERM)  # graceful: the engine leaves its loop and exits cleanly
        _, errors = engine.communicate(timeout=60)
    assert engine.returncode == 0, errors
    assert len(list(settings.media_dir.rglob("*.mp3"))) == 1


def test_compose_with_a_melody_file_reports_its_source_and_names_the_lead(settings: Settings, tmp_path: Path) -> None:
    tune = [(i * 0.6, (i + d) * 0.6, p) for i, d, p in ((0, 1, 60), (1, 1, 62), (2, 1, 64), (3, 1, 65), (4, 2, 67),
                                                          (6, 2, 67), (8, 1, 69), (9, 1, 69), (10, 2, 67))]  # fmt: skip
    recording = tmp_path / "hummed.wav"
    soundfile.write(recording, hum(tune, generator(0)), 22_050)
    result = _compose(settings, tmp_path, "bossa nova", "--melody", str(recording), "--seed", "2")
    source = result["melody_source"]
    assert source.keys() == {"file", "notes", "tempo_bpm", "key", "mode", "meter"}
    assert source["file"] == "hummed.wav" and source["notes"] == 9 and abs(source["tempo_bpm"] - 100) <= 3
    assert result["spec"]["genre"] == "bossa nova" and result["spec"]["tempo_bpm"] == source["tempo_bpm"]
    names = [track.name for track in symusic.Score(result["files"]["midi"]).tracks]
    assert "melody" in names
    done = run_cli(["refine", "last", "new bridge", "--json", "--out", str(tmp_path / "out")], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    refined = json.loads(done.stdout)
    assert "bridge" in [section["name"] for section in refined["spec"]["form"]]
    assert refined["melody_source"] == source


def test_compose_with_a_broken_melody_file_says_so_in_one_line(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "voice.ogg"
    broken.write_bytes(b"not audio at all" * 100)
    done = run_cli(["compose", "bossa nova", "--melody", str(broken), "--json"], settings, tmp_path)
    assert done.returncode == 2
    assert "couldn't read voice.ogg" in json.loads(done.stdout)["error"]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_stems_wav_and_a_mix_change_that_keeps_the_midi(settings: Settings, tmp_path: Path) -> None:
    first = _compose(settings, tmp_path, "synthwave night drive, 6 seconds", "--seed", "4", "--stems", "--wav")
    files = first["files"]
    wav = AudioSegment.from_wav(files["wav"])
    assert wav.channels == 2 and abs(wav.duration_seconds - first["spec"]["duration_s"]) < 0.1
    assert set(files["stems"]) == {*first["spec"]["instruments"], "drums", "effects"}
    assert all(Path(path).is_file() and Path(path).parent.name.endswith("-stems") for path in files["stems"].values())
    done = run_cli(["refine", "last", "more reverb", "--json", "--out", str(tmp_path / "out")], settings, tmp_path)
    assert done.returncode == 0, done.stderr
    wetter = json.loads(done.stdout)
    assert wetter["spec"]["mix"]["reverb"] == 1 and "stems" not in wetter["files"] and "wav" not in wetter["files"]
    assert Path(wetter["files"]["midi"]).read_bytes() == Path(files["midi"]).read_bytes()
