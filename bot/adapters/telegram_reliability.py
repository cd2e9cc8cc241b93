"""Staying up on a flaky network: retries that honour Telegram's flood control, and a token-safe log."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger("bandmate.telegram")

REDACTED = "<TELEGRAM_BOT_TOKEN>"
# Loggers that see Bot API URLs (which embed the token): PTB's own and the HTTP client's.
URL_LOGGER_PREFIXES = ("telegram", "httpx", "httpcore", "hpack")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a Bot API call is retried."""

    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based) of a network error."""
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's requested wait, whichever type this PTB version reports it in."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int will become a timedelta; both are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class RetryingRateLimiter(BaseRateLimiter[None]):
    """PTB's hook around every Bot API call (getUpdates aside): retry 429s and network errors.

    A 429 means Telegram did not act on the call, so waiting `retry_after` and sending again cannot
    post twice. Network errors are retried with exponential backoff. Each call is retried here and
    only here: the delivery loop sees one outcome per `deliver`, so a piece is posted once.
    """

    def __init__(
        self, policy: RetryPolicy | None = None, sleep: Callable[[float], Coroutine[Any, Any, None]] | None = None
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep or asyncio.sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run one Bot API call, retrying what is safe to retry, up to the policy's attempts."""
        attempt = 1
        while True:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                error: Exception = exc
                delay, reason = retry_after_seconds(exc), "flood control"
            except BadRequest:
                raise  # the call itself is wrong; sending it again cannot help
            except NetworkError as exc:
                error = exc
                delay, reason = self.policy.backoff(attempt), f"network error ({exc.message})"
            if attempt >= self.policy.max_attempts:
                log.warning("Bot API %s failed %d times (%s); giving up", endpoint, attempt, reason)
                raise error
            log.info("Bot API %s: %s, retry %d in %.1fs", endpoint, reason, attempt, delay)
            await self._sleep(delay)
            attempt += 1


class TokenRedactor(logging.Filter):
    """Replaces the bot token in log records (message, arguments and traceback) with a marker."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place and always let the record through."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem to report, not ours
            return True
        if self._token in message:
            record.msg, record.args = message.replace(self._token, REDACTED), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, REDACTED)
        if record.stack_info and self._token in record.stack_info:
            record.stack_info = record.stack_info.replace(self._token, REDACTED)
        return True


def install_redaction(token: str) -> Callable[[], None]:
    """Redact `token` from every logger that may see it and from the root handlers; returns the undo.

    Logger filters only see records logged on that very logger, so each URL-logging logger gets
    one; the root handlers' filter catches anything that propagates from elsewhere.
    """
    redactor = TokenRedactor(token)
    names = {"telegram", "telegram.ext", "telegram.Bot", "telegram.ext.ExtBot", "httpx", "asyncio"}
    names.update(name for name in logging.root.manager.loggerDict if name.split(".")[0] in URL_LOGGER_PREFIXES)
    targets: list[logging.Filterer] = [logging.getLogger(name) for name in sorted(names)]
    targets.extend(logging.root.handlers)
    for target in targets:
        target.addFilter(redactor)

    def remove() -> None:
        for target in targets:
            target.removeFilter(redactor)

    return remove
