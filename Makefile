# Two entry points do all set-up on a fresh Debian machine: `make demo` and `make test`.
# Every step is idempotent: a second run skips what is already installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
APT_PACKAGES := fluidsynth libfluidsynth3 fluid-soundfont-gm timgm6mb-soundfont ffmpeg postgresql lilypond espeak-ng \
	festival festvox-kallpc16k festvox-us-slt-hts
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test check deps system lint bench bench-model bench-parse bench-startup evaluate evaluate-mix clean

demo: deps
	$(BIN)/bandmate compose "sad piano ballad" --seed 7 --out out
	$(BIN)/bandmate refine last "make it faster" --out out

# Two workers: the suite spends much of its time waiting on subprocesses, servers and FluidSynth. Work stealing:
# a worker that runs out takes tests still waiting on the other (plain `load` left one idle for ~40 s at the end).
test: check
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

# Static checks the tests rely on: lint, formatting and types (mypy reads its config from pyproject.toml).
check: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lint: deps
	$(BIN)/ruff check .

bench: deps
	$(BIN)/python -m bench.latency

bench-model: deps
	$(BIN)/python -m bench.model_speed

bench-parse: deps
	$(BIN)/python -m bench.parse

bench-startup: deps
	$(BIN)/python -m bench.dry_run

evaluate: deps
	$(BIN)/python -m engine.evaluate

evaluate-mix: deps
	$(BIN)/python -m engine.evaluate --mix --plots -1

deps: system $(PY_STAMP)

system:
	@if command -v fluidsynth >/dev/null && command -v ffmpeg >/dev/null && command -v lilypond >/dev/null \
	    && command -v espeak-ng >/dev/null && command -v festival >/dev/null \
	    && [ -d /usr/share/festival/voices/english/kal_diphone ] && [ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ] \
	    && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] && [ -f /usr/share/sounds/sf2/TimGM6mb.sf2 ] \
	    && ldconfig -p | grep -q libfluidsynth.so.3 && ldconfig -p | grep -q libespeak-ng.so.1 \
	    && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "system packages: already installed"; \
	else \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

# torch is installed first and alone so pip takes the CPU build instead of pulling CUDA.
# basic-pitch is installed without its dependencies: its metadata pins TensorFlow on Linux, and Bandmate
# only takes its ONNX model file (run on onnxruntime, a regular dependency).
$(PY_STAMP): pyproject.toml constraints.txt
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps basic-pitch==0.4.0
	@touch $@

clean:
	rm -rf out data .pytest_cache
