"""What a message may hold in each scope (CHT-3): not empty or only whitespace, within the scope's
length cap, links only where the scope allows them."""

from __future__ import annotations

import re
from typing import Literal

from vvtv.domain.values import frozen

BodyRefusal = Literal["empty_message", "message_too_long", "links_not_allowed"]

# A scheme, `www.`, or a host under a common top-level domain: what a reader could follow.
_LINK = re.compile(
    r"(?i)(\b[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+(\.[a-z0-9-]+)*"
    r"\.(com|net|org|io|tv|gg|me|co|ly|app|xyz|info|biz|ru|de|uk|br|pt)\b)"
)


@frozen
class BodyPolicy:
    max_chars: int
    links: bool


def has_link(body: str) -> bool:
    return _LINK.search(body) is not None


def check_body(body: str, policy: BodyPolicy) -> BodyRefusal | None:
    """Why `body` may not be sent under `policy`, or None when it may."""
    if not body.strip():
        return "empty_message"
    if len(body) > policy.max_chars:
        return "message_too_long"
    if not policy.links and has_link(body):
        return "links_not_allowed"
    return None
