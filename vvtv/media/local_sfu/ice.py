"""Loopback ICE candidates: aioice leaves 127.0.0.1 out of its host candidates, so peers that only
share loopback (tests, a single-host dev set-up) never connect. `allow_loopback_candidates` puts
it back beside the host's addresses; `only_loopback_candidates` offers nothing else, so a server
under test gathers (and binds its UDP sockets) on loopback alone, whatever the machine's
interfaces.

Both patch aioice's module-level host address discovery, so they are process-wide and opt-in
(`SfuOptions.loopback_candidates`, `SfuOptions.loopback_only`); production leaves them off.
"""

from __future__ import annotations

import aioice.ice

# aioice's own discovery, kept before any switch replaces it: the machine's addresses.
machine_host_addresses = aioice.ice.get_host_addresses


def _with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    addresses = machine_host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    if use_ipv4 and "127.0.0.1" not in addresses:
        addresses.insert(0, "127.0.0.1")
    return addresses


def _loopback_only(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"]


def only_loopback_candidates() -> None:
    """Idempotent: every later ICE gathering of this process offers 127.0.0.1 and nothing else."""
    aioice.ice.get_host_addresses = _loopback_only


def allow_loopback_candidates() -> None:
    """Idempotent: include 127.0.0.1 in every later ICE gathering of this process."""
    aioice.ice.get_host_addresses = _with_loopback
