"""The one bounded least-recently-used table of the project (decoded texts, per-user and per-chat
state, query vectors). Thread-safe."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_items`` values; reading or writing one marks it most recently used, and the
    least recently used ones are dropped beyond the bound."""

    def __init__(self, max_items: int):
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.max_items = max_items
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: K) -> V | None:
        """The value of ``key`` (marked most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key`` and return it."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
            return value

    def touch(self, key: K, factory: Callable[[], V]) -> V:
        """The value of ``key``, created by ``factory`` when absent; marked most recently used."""
        with self._lock:
            value = self.get(key)
            return self.put(key, factory()) if value is None else value

    def pop(self, key: K) -> V | None:
        with self._lock:
            return self._items.pop(key, None)

    def values(self) -> Iterator[V]:
        """A snapshot of the values, least recently used first."""
        with self._lock:
            return iter(list(self._items.values()))

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
