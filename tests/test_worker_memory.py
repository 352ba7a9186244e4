"""The worker limits glibc's malloc arenas, unless the environment already says how many,
and hands the heap's freed pages back after each job."""

from __future__ import annotations

import ctypes
import platform
from pathlib import Path

import pytest

from app.config import Settings
from app.pipeline.jobs import runtime as runtime_module
from app.pipeline.jobs.runtime import Runtime, trim_heap
from app.pipeline.jobs.worker import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_arena_limit_is_set_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is True


def test_an_explicit_malloc_arena_max_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


def test_a_queued_job_hands_the_freed_heap_back_after_it_runs(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(runtime_module, "trim_heap", lambda: trims.append(1))
    queued = Runtime(Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "q"))
    try:
        queued.huey  # noqa: B018 (builds the queue and its task)
        queued._task.call_local(10_000)  # no such job: claimed by nobody, skipped
        assert trims == [1]
    finally:
        queued.close()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_trim_heap_returns_freed_small_blocks_to_the_system() -> None:
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(1024) for _ in range(60_000)]  # 60 MB below the mmap threshold
    for block in blocks:
        ctypes.memset(block, 1, 1024)
    pin = libc.malloc(1024)  # above them: free() alone cannot shrink the heap's top
    for block in blocks:
        libc.free(block)
    held = _rss_mib()
    trim_heap()
    assert held - _rss_mib() > 30
    libc.free(pin)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
