"""Which host addresses the SFU's ICE gathering offers (ice.py): the machine's, the machine's and
loopback, or loopback alone (a server under test)."""

from __future__ import annotations

import aioice.ice
import pytest

from vvtv.media.local_sfu.ice import allow_loopback_candidates
from vvtv.media.local_sfu.ice import machine_host_addresses
from vvtv.media.local_sfu.ice import only_loopback_candidates


@pytest.fixture(autouse=True)
def _restored(monkeypatch: pytest.MonkeyPatch) -> None:
    # The switches patch aioice for the whole process (an earlier test's SFU may have switched
    # it already): start from aioice's own discovery, and put back what was there after.
    monkeypatch.setattr(aioice.ice, "get_host_addresses", machine_host_addresses)


def test_loopback_only_offers_127_0_0_1_and_nothing_else() -> None:
    only_loopback_candidates()
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]


def test_allowing_loopback_keeps_the_machine_s_addresses_beside_it() -> None:
    machine = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    allow_loopback_candidates()
    offered = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    assert offered == ["127.0.0.1", *machine]
