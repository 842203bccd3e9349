"""A sliding-window rate limit per channel (platforms count messages per minute or second)."""

from __future__ import annotations

import collections
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
