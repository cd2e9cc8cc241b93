# Bandmate: `docker build -t bandmate .` then `docker run --env-file .env -v bandmate-data:/app/data bandmate`
FROM python:3.11-slim

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       fluidsynth libfluidsynth3 fluid-soundfont-gm ffmpeg lilypond espeak-ng \
       festival festvox-kallpc16k festvox-us-slt-hts \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY engine ./engine
COPY bench ./bench

# torch first and alone, pinned like the Makefile does, so the resolver never picks another build;
# basic-pitch without its dependencies (its metadata pins TensorFlow; only its ONNX model is used).
# A regular (non-editable) install: migrations and model checkpoints travel as package data.
RUN pip install --no-cache-dir torch==2.13.0 \
    && pip install --no-cache-dir -c constraints.txt . \
    && pip install --no-cache-dir --no-deps basic-pitch==0.4.0 \
    && rm -rf /app/bot /app/engine /app/bench /app/build /app/*.egg-info

ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
VOLUME ["/app/data"]
CMD ["bandmate", "run"]
