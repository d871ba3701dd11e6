"""The garbage collector paused for large work (runtime.py), and restored as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from claimgraph.runtime import collector_paused


@pytest.fixture
def collector_state() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


@pytest.mark.usefixtures("collector_state")
def test_collector_is_paused_inside_and_enabled_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_collector_is_enabled_again_when_the_work_fails() -> None:
    gc.enable()

    @collector_paused()
    def work() -> None:
        assert not gc.isenabled()
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        work()
    assert gc.isenabled()
