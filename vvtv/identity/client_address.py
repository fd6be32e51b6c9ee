"""Which address a request comes from: the peer, or what trusted proxies say in X-Forwarded-For.

A client can write any X-Forwarded-For it likes; only the entries appended by proxies we trust
are believed, read from the right until the first address that is not one of them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class ClientAddresses:
    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: tuple[_Network, ...] = tuple(
            ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies
        )

    def of(self, peer: str | None, forwarded_for: Iterable[str]) -> str:
        """The client's address; `forwarded_for` is every X-Forwarded-For header, in order."""
        if peer is None or not self._is_trusted(peer):
            return peer or "unknown"
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        current = peer
        for hop in reversed(hops):
            if _parse(hop) is None:
                break  # not appended by a proxy of ours: stop at the last hop we can vouch for
            current = hop
            if not self._is_trusted(hop):
                break
        return current

    def _is_trusted(self, address: str) -> bool:
        parsed = _parse(address)
        return parsed is not None and any(parsed in network for network in self._trusted)


def _parse(address: str) -> _Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None
