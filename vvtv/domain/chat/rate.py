"""Chat rate limits (CHT-4): per user and scope, across the scope's threads, over the one
sliding-window primitive (ARC-3). A refused message costs nothing: only sent ones count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from vvtv.contracts.chat import ChatScope
from vvtv.domain import rate_limit
from vvtv.domain.rate_limit import Limit
from vvtv.domain.values import frozen

RateKey = tuple[str, ChatScope]


@frozen
class ChatRates:
    hits: Mapping[RateKey, tuple[float, ...]] = field(default_factory=dict)


def admit(
    rates: ChatRates, user_id: str, scope: ChatScope, now: float, limit: Limit
) -> tuple[ChatRates, float | None]:
    """Count one message of `user_id` in `scope` at `now` if the limit allows it: the new rates
    and None, or the rates unchanged and the seconds to wait."""
    key = (user_id, scope)
    hits = rates.hits.get(key, ())
    wait = rate_limit.retry_after(hits, now, limit)
    if wait is not None:
        return rates, wait
    return ChatRates({**rates.hits, key: rate_limit.record(hits, now, limit)}), None


def pruned(rates: ChatRates, now: float, longest_window_s: float) -> ChatRates:
    """Forget who has sent nothing within the longest window (the map stays as big as the
    recently active senders)."""
    return ChatRates({k: h for k, h in rates.hits.items() if h and now - h[-1] < longest_window_s})
