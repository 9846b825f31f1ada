"""A bounded, least-recently-used table of per-key state (per user, per chat)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

V = TypeVar("V")


def touch(table: "OrderedDict[Hashable, V]", key: Hashable, factory: Callable[[], V], max_keys: int) -> V:
    """The value for ``key`` (created by ``factory`` if absent), marked most recently used.

    Creating a value evicts the least recently used keys beyond ``max_keys``.
    """
    value = table.get(key)
    if value is None:
        value = table[key] = factory()
        while len(table) > max_keys:
            table.popitem(last=False)
    else:
        table.move_to_end(key)
    return value
