"""What the console shows live (TEL-5): each count read from the context that owns it, through a
port the composition root hands over, and the health board's services that are not ok."""

from __future__ import annotations

from collections.abc import Callable

from vvtv.clock import WallClock
from vvtv.contracts.operator import LiveStatus
from vvtv.contracts.system import ServiceHealth
from vvtv.domain.values import frozen

Count = Callable[[], int]


@frozen
class LivePorts:
    channel_viewers: Count
    party_members: Count
    random_queue: Count
    calls: Count
    services: Callable[[], list[ServiceHealth]]
    clock: WallClock


class LiveBoard:
    def __init__(self, ports: LivePorts) -> None:
        self._ports = ports

    def status(self) -> LiveStatus:
        ports = self._ports
        return LiveStatus(
            at=ports.clock(),
            channel_viewers=ports.channel_viewers(),
            party_members=ports.party_members(),
            random_queue=ports.random_queue(),
            calls=ports.calls(),
            alerts=[service for service in ports.services() if service.state != "ok"],
        )
