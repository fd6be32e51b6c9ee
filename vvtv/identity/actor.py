"""The account actor (kind `account`, key = user id): moderation of one account, one decision at a
time, as a thin loop over `vvtv.domain.accounts.decide` that saves the changed fields."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from typing import ClassVar

import msgspec
from msgspec.structs import replace

from vvtv.actors import BaseActor
from vvtv.clock import WallClock
from vvtv.domain.accounts import Account
from vvtv.domain.accounts import Moderation
from vvtv.domain.accounts import Refuse
from vvtv.domain.accounts import Save
from vvtv.domain.accounts import decide
from vvtv.domain.values import frozen
from vvtv.errors import VvtvError
from vvtv.errors import by_code
from vvtv.identity.errors import NotBanned
from vvtv.identity.errors import NotQuarantined
from vvtv.identity.errors import Outranked
from vvtv.identity.errors import OwnRole
from vvtv.identity.errors import UserNotFound
from vvtv.identity.metrics import IdentityMetrics
from vvtv.identity.passwords import Passwords
from vvtv.identity.records import UserRecord
from vvtv.identity.store import AccountStore
from vvtv.identity.tokens import TokenSigner
from vvtv.observability.audit import AuditRecord
from vvtv.observability.events import ServerEvents

KIND = "account"

_REFUSALS: Mapping[str, type[VvtvError]] = by_code(
    UserNotFound, Outranked, OwnRole, NotBanned, NotQuarantined
)

Publish = Callable[[UserRecord], None]
"""Write a committed account through to the guard's directory, so the next request sees it."""

# (user_id, until): a ban took effect; the services that hold the user let go of them.
BanListener = Callable[[str, str | None], Awaitable[None]]
# (a, b, blocked): whether a block stands between the two now, either way (MOD-2).
BlockListener = Callable[[str, str, bool], None]
# (user_id, shadow): a moderator put the user in shadow quarantine or took them out (MOD-4).
QuarantineListener = Callable[[str, bool], None]


@frozen
class IdentityPorts:
    """What the identity context reaches outside itself: the one bundle that builds the service,
    which hands it to every account actor."""

    store: AccountStore
    signer: TokenSigner
    passwords: Passwords
    clock: WallClock
    metrics: IdentityMetrics
    events: ServerEvents | None = None  # the funnel's auth_success / auth_failure (TEL-1)


class AccountActor(BaseActor):
    """Replies with the account's record after the decision; refusals raise."""

    kind: ClassVar[str] = KIND

    def __init__(self, user_id: str, ports: IdentityPorts, publish: Publish) -> None:
        self._id = user_id
        self._ports = ports
        self._publish = publish
        self._record: UserRecord | None = None

    async def on_start(self) -> None:
        # Spawned again after passivation or a crash: the store holds the truth.
        self._record = await self._ports.store.user_by_id(self._id)

    async def handle(self, message: Moderation) -> UserRecord:
        record = self._record
        _, effects = decide(None if record is None else _account(record), message)
        for effect in effects:
            match effect:
                case Refuse(code, text):
                    path = "user_id" if code == "user_not_found" else None
                    raise _REFUSALS[code](text, path=path)
                case Save(account, changed, audit):
                    assert record is not None  # decide refuses a missing account
                    changes = {column: getattr(account, column) for column in changed}
                    await self._ports.store.update_account(
                        record.id,
                        changes,
                        AuditRecord(
                            at=audit.at, actor_id=audit.actor_id, action=audit.action,
                            target_id=audit.target_id, reason=audit.reason,
                            detail=dict(audit.detail),
                        ),
                    )  # fmt: skip
                    record = self._record = replace(record, **changes)
                    self._publish(record)
        assert record is not None
        return record


def _account(record: UserRecord) -> Account:
    # What moderation decides on is the record's fields of the same names.
    return msgspec.convert(record, Account, from_attributes=True)
