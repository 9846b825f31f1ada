"""Small pure policies for the bot: who may use it, how often, and whom to tell only once."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from retrieval.lru import LRU

Clock = Callable[[], float]


class RateLimiter:
    """Sliding-window limit of ``per_minute`` events per key (user id)."""

    def __init__(
        self, per_minute: int, *, window: float = 60.0, max_keys: int = 100_000, clock: Clock = time.monotonic
    ):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._events: LRU[int, deque[float]] = LRU(max_keys)

    def _recent(self, key: int, now: float) -> deque[float]:
        events = self._events.touch(key, deque)
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def allow(self, key: int) -> bool:
        """Record an event for ``key`` if it is within the limit; ``False`` if it is not."""
        now = self._clock()
        events = self._recent(key, now)
        if len(events) >= self.per_minute:
            return False
        events.append(now)
        return True

    def retry_after(self, key: int) -> float:
        """Seconds until ``key`` may act again (0 if it may now)."""
        now = self._clock()
        events = self._recent(key, now)
        if len(events) < self.per_minute:
            return 0.0
        return max(0.0, events[0] + self.window - now)


class OnceNotifier:
    """Remembers whom we already told something, so a notice is sent once (bounded memory).

    With ``every`` set, the same key may be told again after that many seconds.
    """

    def __init__(self, *, every: float | None = None, max_keys: int = 100_000, clock: Clock = time.monotonic):
        self.every = every
        self.max_keys = max_keys
        self._clock = clock
        self._told: LRU[int, float] = LRU(max_keys)

    def first_time(self, key: int) -> bool:
        """``True`` the first time (or again after ``every`` seconds), then ``False``."""
        now = self._clock()
        last = self._told.get(key)
        if last is not None and (self.every is None or now - last < self.every):
            return False
        self._told.put(key, now)
        return True


class AccessControl:
    """An optional allowlist of user and chat ids, and the admin ids."""

    def __init__(self, allowed_ids: Iterable[int] = (), admin_ids: Iterable[int] = ()):
        self.allowed = frozenset(allowed_ids)
        self.admins = frozenset(admin_ids)

    def is_allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        """Everyone when there is no allowlist; else the user, the chat or an admin must be listed."""
        if not self.allowed:
            return True
        ids = {i for i in (user_id, chat_id) if i is not None}
        return bool(ids & (self.allowed | self.admins))

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins
