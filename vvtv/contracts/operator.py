"""The operator's console (TEL-5): how many people each part of the product holds right now, and
which services are not ok."""

from __future__ import annotations

from datetime import datetime

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.system import ServiceHealth


class LiveStatus(Contract):
    at: datetime
    channel_viewers: Count  # devices whose player asked what airs within lab.viewer_window_s
    party_members: Count  # people present in Party's room (however many tabs each)
    random_queue: Count  # people searching in Random's queue
    calls: Count  # call sessions running (Random and private; kill_switches.ladder.call_modes)
    alerts: list[ServiceHealth]  # the services not ok now (TEL-5)
