"""An in-memory store for `limits` that is bounded per key, never emptied as a whole.

`limits`' own MemoryStorage grows with every new key, so the app used to empty it past a
bound: then every counter (an attacker's included) started again from zero. This store keeps
at most `max_keys` counters and, when a new one would pass the bound, forgets only the least
recently used one. A counter that is being checked or hit (an address that keeps guessing
passwords, an account under attack) is always recent, so a flood of new keys evicts idle
counters, not it.

Counters expire lazily (on their next read or write) instead of in `limits`' background sweep
over every key; the bound keeps the expired ones that are never read again from piling up.
It serves the fixed-window and sliding-window-counter strategies (not the moving window).
"""

import threading
import time
from collections import OrderedDict

from limits.storage import MemoryStorage

MAX_KEYS = 100_000


class BoundedMemoryStorage(MemoryStorage):
    """`limits` counters in one process, at most `max_keys` of them, least recent evicted."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        super().__init__()
        self.max_keys = max_keys
        self.evicted = 0
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, key: str, now: float) -> None:
        if key in self.storage and self.expirations.get(key, 0) <= now:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)

    def _touch(self, key: str) -> None:
        self._recent[key] = None
        self._recent.move_to_end(key)
        while len(self._recent) > self.max_keys:
            old, _ = self._recent.popitem(last=False)
            self.storage.pop(old, None)
            self.expirations.pop(old, None)
            self.evicted += 1

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the counter of `key`; a new counter expires in `expiry` seconds."""
        with self._lock:
            now = time.time()
            self._expire(key, now)
            self._touch(key)
            if key not in self.storage:
                self.expirations[key] = now + expiry
            self.storage[key] += amount
            return self.storage[key]

    def decr(self, key: str, amount: int = 1) -> int:
        """Take `amount` off the counter of `key` (never below 0)."""
        with self._lock:
            self._expire(key, time.time())
            if key in self.storage:
                self.storage[key] = max(self.storage[key] - amount, 0)
            return self.storage.get(key, 0)

    def get(self, key: str) -> int:
        """The counter of `key`, 0 when there is none or it has expired; a read is a use."""
        with self._lock:
            self._expire(key, time.time())
            if key in self.storage:
                self._recent.move_to_end(key)
            return self.storage.get(key, 0)

    def clear(self, key: str) -> None:
        """Forget the counter of `key`."""
        with self._lock:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            self._recent.pop(key, None)

    def reset(self) -> int | None:
        """Forget every counter (an operator's action; the app never calls it)."""
        with self._lock:
            count = len(self.storage)
            self.storage.clear()
            self.expirations.clear()
            self._recent.clear()
            return count

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        raise NotImplementedError("the moving window is not bounded here; use a counter")

    def key_count(self) -> int:
        """How many counters are held (expired ones included until they are touched)."""
        return len(self._recent)
