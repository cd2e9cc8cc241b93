"""Where Bandmate's logs go: one-line messages on stderr, the whole story (tracebacks) in a log file."""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
from pathlib import Path

FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
# Hugging Face's progress bars ("Loading weights …") would print into the console chat and the CLI's stderr.
FILE_ONLY = {"file_only": True}  # `extra=` for a record the user has already been told about in words
QUIET_LIBRARIES = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error", "TQDM_DISABLE": "1"}


class OneLineFormatter(logging.Formatter):
    """A record on one line: an exception is named after the message, its traceback left to the log file."""

    def format(self, record: logging.LogRecord) -> str:
        """`LEVEL name: message (ExcType: text)`, never more than one line."""
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({one_line(record.exc_info[1])})"
        return " ".join(text.split())


def one_line(error: BaseException) -> str:
    """An exception as `Type: message` on one line."""
    detail = " ".join(str(error).split())
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


class _LazyFileHandler(logging.FileHandler):
    """Appends to the log file, creating it (and its folder) only when the first record comes."""

    def _open(self) -> io.TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def _can_write(path: Path) -> bool:
    if path.exists():
        return os.access(path, os.W_OK)
    existing = next((folder for folder in path.parents if folder.exists()), None)
    return existing is not None and existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


def _open_log_file(wanted: Path) -> logging.FileHandler | None:
    # An unwritable data folder must not cost the user their one clear line: fall back to the temp folder.
    for path in (wanted, Path(tempfile.gettempdir()) / "bandmate.log"):
        if _can_write(path):
            return _LazyFileHandler(path, encoding="utf-8", delay=True)
    return None


def configure(log_file: Path, level: str, *, stderr_too: bool) -> Path | None:
    """Send every record to the log file; with `stderr_too` also one line per record to stderr.

    Returns the log file in use (None when no file could be opened anywhere).
    """
    for name, value in QUIET_LIBRARIES.items():
        os.environ.setdefault(name, value)  # before those libraries are imported, here and in child processes
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        root.removeHandler(handler)
    file_handler = _open_log_file(log_file)
    if file_handler is not None:
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        root.addHandler(file_handler)
    if stderr_too:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(OneLineFormatter())
        stream.addFilter(lambda record: not getattr(record, "file_only", False))
        root.addHandler(stream)
    if not root.handlers:
        root.addHandler(logging.NullHandler())  # not Python's last resort, which prints to stderr
    logging.raiseExceptions = False  # a log file that fails later must not print "Logging error" blocks
    logging.captureWarnings(True)  # library warnings go to the log, not between the user's lines
    for noisy in ("httpx", "alembic"):  # a line per Telegram long poll, per migration plugin: noise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return Path(file_handler.baseFilename) if file_handler is not None else None
