"""A sliding-window rate limit per channel (platforms count messages per minute or second)."""

from __future__ import annotations

import collections
import datetime as dt
import email.utils
import math
import re
import time
from typing import Callable


class RateLimiter:
    def __init__(self, count: float, period: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.count = max(int(count), 1)
        self.period = period
        self.clock = clock
        self.sleep = sleep
        self.sent: collections.deque[float] = collections.deque()

    def wait(self) -> float:
        """Block until one more message is allowed; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self.clock()
            while self.sent and now - self.sent[0] >= self.period:
                self.sent.popleft()
            if len(self.sent) < self.count:
                self.sent.append(now)
                return waited
            pause = self.period - (now - self.sent[0])
            self.sleep(pause)
            waited += pause


MAX_RETRY_AFTER = 60.0
_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, within 0..MAX_RETRY_AFTER; None when the
    value means nothing usable (empty, negative, nan, inf, garbage), so the caller falls back
    to its own backoff. The header is whatever a server or proxy chose to send: delay-seconds
    (decimals accepted), an HTTP date, or anything else; it must never crash a sleep or make
    one negative."""
    text = (value or "").strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        return min(float(text), MAX_RETRY_AFTER)    # a thousand digits is inf: the longest wait
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:       # "-0000" dates: RFC 9110 dates are always GMT
        when = when.replace(tzinfo=dt.timezone.utc)
    seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
