"""The Fetcher (LAB-2): availability first, retries with backoff, one download per item at a
time, an alternate for the same intention when an item cannot be had. Fake source, MockClock."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio
import trio.testing

from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.planner import Intention
from vvtv.lab.fetcher import Fetcher
from vvtv.lab.fetcher import FetchFailed
from vvtv.lab.sources import SourceUnavailable


class FakeSource:
    """Answers from a script: `broken` never works, `flaky[n]` fails n times first."""

    def __init__(self, *, broken: set[str] = frozenset(), flaky: dict[str, int] | None = None,  # type: ignore[assignment]
                 download_s: float = 1.0) -> None:  # fmt: skip
        self.broken = set(broken)
        self.flaky = dict(flaky or {})
        self.download_s = download_s
        self.checks: list[tuple[float, str]] = []
        self.downloads: list[str] = []

    async def available(self, source: str) -> bool:
        self.checks.append((trio.current_time(), source))
        return source not in self.broken

    async def fetch(self, source: str, dest: Path) -> tuple[Path, int]:
        self.downloads.append(source)
        await trio.sleep(self.download_s)
        if self.flaky.get(source, 0) > 0:
            self.flaky[source] -= 1
            raise SourceUnavailable("connection reset")
        return dest, 1000


def item(name: str, tags: tuple[str, ...] = ("music",), duration: float = 60) -> MediaItem:
    return MediaItem(
        id=name, source=f"https://media.example/{name}", duration_s=duration, tags=tags
    )


def fetcher(source: FakeSource, tmp_path: Path) -> Fetcher:
    return Fetcher(source, tmp_path, backoff_s=(1.0, 5.0, 30.0), timeout_s=60.0)


async def test_retries_wait_the_backoff_schedule(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-2: a failing download is retried after 1 s, then 5 s, then succeeds."""
    source = FakeSource(flaky={"https://media.example/a": 2})
    start = trio.current_time()
    await fetcher(source, tmp_path).fetch(item("a"))
    attempts = [at - start for at, _ in source.checks]
    # each attempt: availability check, 1 s download; waits of 1 s and 5 s in between
    assert attempts == [0.0, 2.0, 8.0]


async def test_gives_up_after_the_schedule_and_checks_availability_first(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-2: an unavailable source is never downloaded; 4 checks (3 waits), then FetchFailed."""
    source = FakeSource(broken={"https://media.example/gone"})
    start = trio.current_time()
    with pytest.raises(FetchFailed):
        await fetcher(source, tmp_path).fetch(item("gone"))
    assert source.downloads == []
    assert [at - start for at, _ in source.checks] == [0.0, 1.0, 6.0, 36.0]


async def test_never_fetches_one_item_twice_at_once(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-2: concurrent fetches of the same item share one download, later ones reuse it."""
    source = FakeSource(download_s=10.0)
    fetch = fetcher(source, tmp_path)
    paths: list[Path] = []

    async def one() -> None:
        paths.append(await fetch.fetch(item("a")))

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(one)
        await trio.testing.wait_all_tasks_blocked()
        assert fetch.in_flight() == 1
    await one()
    assert source.downloads == ["https://media.example/a"]
    assert len(set(paths)) == 1
    assert len(paths) == 6


async def test_an_unfetchable_item_is_replaced_by_an_alternate_of_the_same_intention(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-2: the item is gone: an alternate carrying the intention's tags airs instead."""
    source = FakeSource(broken={"https://media.example/wanted"})
    items = [item("wanted"), item("film", tags=("film",)), item("other")]
    intention = Intention(
        slot=0, starts_at=0.0, item_id="wanted", duration_s=60, daypart="evening",
        wanted_tags=("music",), policy_version=1,
    )  # fmt: skip
    fetched = await fetcher(source, tmp_path).fetch_for(intention, items, OwnerCard(), [])
    assert fetched.item.id == "other"
    assert fetched.substituted_for == "wanted"


async def test_no_alternate_left_raises(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    """LAB-2: neither the item nor an alternate: FetchFailed (the reserve loop covers)."""
    source = FakeSource(broken={"https://media.example/wanted", "https://media.example/other"})
    intention = Intention(
        slot=0, starts_at=0.0, item_id="wanted", duration_s=60, daypart=None, wanted_tags=(),
        policy_version=1,
    )  # fmt: skip
    with pytest.raises(FetchFailed):
        await fetcher(source, tmp_path).fetch_for(
            intention, [item("wanted"), item("other")], OwnerCard(), []
        )
