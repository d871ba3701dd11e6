"""How claimgraph runs large work in one process: Python's cyclic garbage collector paused while
millions of short-lived rows are built.

A base module (it imports nothing of claimgraph), so every layer can use it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block; it is restored as it was on leaving.

    Reference counting still frees every object the moment it is no longer used; only cycles wait for
    the next collection, and the rows built here hold none. Building millions of them at once (large
    results read as JSON) otherwise sets off full collections, each of which walks every live object:
    at 10M triples, about 4 of the 35 s of finding contradictions (docs/queries.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
