"""Hand back to the system the memory the C heap keeps once a huge text is freed.

glibc's allocator keeps freed memory in the middle of its heap resident, for
its next requests. Python allocates its small objects elsewhere (in arenas of
their own), so after a 50 MB page's repaired lines are freed, the blocks the
classifier then makes add to that memory instead of reusing it: one such page
peaked at 353 MB, and at 290 MB with the freed memory handed back
(``malloc_trim``). Where the C library has no ``malloc_trim`` (musl, macOS),
this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_freed() -> bool:
    """Give freed heap memory back to the system; whether the C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
