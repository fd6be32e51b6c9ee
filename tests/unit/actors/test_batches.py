"""Group commit (`Batches`): while one batch of a key is being flushed, the items that arrive for
it wait and go together; each submitter gets its own result, or the batch's failure; keys do not
wait for each other."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from vvtv.actors import Batches


class Flusher:
    """Numbers what it is given, once `release` is set for each flush."""

    def __init__(self) -> None:
        self.flushed: list[tuple[str, tuple[str, ...]]] = []
        self.release = trio.Event()
        self.fail = False
        self.seq = 0

    async def flush(self, key: str, items: tuple[str, ...]) -> list[int]:
        self.flushed.append((key, items))
        await self.release.wait()
        self.release = trio.Event()
        if self.fail:
            raise RuntimeError("the store failed")
        numbered = list(range(self.seq + 1, self.seq + 1 + len(items)))
        self.seq += len(items)
        return numbered


@pytest.mark.req("CHT-2")
async def test_items_that_arrive_while_one_is_flushed_go_together_each_answered() -> None:
    flusher = Flusher()
    batches: Batches[str, str, int] = Batches(flusher.flush)
    got: dict[str, int] = {}

    async def submit(item: str) -> None:
        got[item] = await batches.submit("t", item)

    seen = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(submit, "first")
        await trio.testing.wait_all_tasks_blocked()
        for item in ("a", "b", "c"):
            nursery.start_soon(submit, item)
        await trio.testing.wait_all_tasks_blocked()
        seen.append(list(flusher.flushed))  # a lone item goes at once; the rest wait
        flusher.release.set()
        await trio.testing.wait_all_tasks_blocked()
        seen.append(list(flusher.flushed))
        flusher.release.set()
    [lone], [_, (_, together)] = seen
    assert lone == ("t", ("first",))
    assert sorted(together) == ["a", "b", "c"]  # one flush, in the order they arrived
    assert [got[item] for item in together] == [2, 3, 4]
    assert got["first"] == 1


async def test_a_failed_batch_is_each_submitter_s_failure() -> None:
    flusher = Flusher()
    flusher.fail = True
    batches: Batches[str, str, int] = Batches(flusher.flush)
    failures = []

    async def submit(item: str) -> None:
        with pytest.raises(RuntimeError) as raised:
            await batches.submit("t", item)
        failures.append(str(raised.value))

    async with trio.open_nursery() as nursery:
        for item in ("a", "b"):
            nursery.start_soon(submit, item)
        await trio.testing.wait_all_tasks_blocked()
        flusher.release.set()
        await trio.testing.wait_all_tasks_blocked()
        flusher.release.set()
    assert failures == ["the store failed"] * 2


async def test_each_key_batches_on_its_own() -> None:
    flusher = Flusher()
    batches: Batches[str, str, int] = Batches(flusher.flush)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(batches.submit, "t1", "a")
        nursery.start_soon(batches.submit, "t2", "b")
        await trio.testing.wait_all_tasks_blocked()
        assert sorted(flusher.flushed) == [("t1", ("a",)), ("t2", ("b",))]  # neither waits
        flusher.release.set()
        await trio.testing.wait_all_tasks_blocked()
        flusher.release.set()
