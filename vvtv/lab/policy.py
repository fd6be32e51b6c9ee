"""The OwnerCard service (POL-1/2): every change is a new immutable version with its author and
diff, audited; readers take a snapshot by version so a plan never sees a half-applied policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from vvtv.clock import WallClock
from vvtv.contracts.lab import FieldChange
from vvtv.contracts.lab import LabPolicySnapshot
from vvtv.contracts.lab import OwnerCard
from vvtv.contracts.lab import PolicyChange
from vvtv.domain.lab.policy import card_diff
from vvtv.errors import NotFound
from vvtv.lab.store import LabStore
from vvtv.lab.store import StoredPolicy
from vvtv.observability.audit import AuditRecord

SYSTEM = "system"  # the author of version 1, the default card


class PolicyService:
    """Versions start at 1 (the default card, authored by `system`) and only grow."""

    def __init__(
        self, store: LabStore, validate: Callable[[OwnerCard], object], clock: WallClock
    ) -> None:
        self._store = store
        self._validate = validate
        self._clock = clock
        self._snapshots: dict[int, LabPolicySnapshot] = {}
        self._changes: dict[int, PolicyChange] = {}

    async def load(self, default: OwnerCard) -> None:
        """Read every version into memory (they are small and immutable); seed version 1."""
        for stored in await self._store.policies():
            self._remember(
                stored.version, stored.card, stored.author, stored.created_at, stored.diff
            )
        if not self._snapshots:
            await self.update(default, author=SYSTEM)

    def current_version(self) -> int:
        return max(self._snapshots)

    def snapshot(self, version: int | None = None) -> LabPolicySnapshot:
        """The card of `version` (the current one when None); NotFound for an unknown version."""
        try:
            return self._snapshots[self.current_version() if version is None else version]
        except KeyError:
            raise NotFound(f"no policy version {version}", code="unknown_policy_version") from None

    def history(self) -> list[PolicyChange]:
        return [self._changes[version] for version in sorted(self._changes, reverse=True)]

    async def update(self, card: OwnerCard, author: str) -> LabPolicySnapshot:
        """Store `card` as a new version (audited) unless it equals the current one."""
        self._validate(card)
        current = self._snapshots.get(max(self._snapshots)) if self._snapshots else None
        diff = card_diff(current.card if current else None, card)
        if current is not None and not diff:
            return current
        version = (current.version if current else 0) + 1
        now = self._clock()
        audit = AuditRecord(
            at=now, actor_id=None if author == SYSTEM else author, action="lab.policy.update",
            target_id=str(version),
            detail={"diff": msgspec.to_builtins(diff)},
        )  # fmt: skip
        stored = StoredPolicy(version=version, card=card, author=author, created_at=now, diff=diff)
        await self._store.add_policy(stored, audit)
        return self._remember(version, card, author, now, diff)

    def _remember(
        self, version: int, card: OwnerCard, author: str, created: datetime, diff: list[FieldChange]
    ) -> LabPolicySnapshot:
        snapshot = LabPolicySnapshot(version=version, card=card, author=author, created_at=created)
        self._snapshots[version] = snapshot
        self._changes[version] = PolicyChange(
            version=version, author=author, created_at=created, diff=diff
        )
        return snapshot
