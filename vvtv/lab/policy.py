"""The OwnerCard service (POL-1/2): every change is a new immutable version with its author and
diff, audited; readers take a snapshot by version so a plan never sees a half-applied policy."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from vvtv.clock import WallClock
from vvtv.contracts.lab import FieldChange, LabPolicySnapshot, OwnerCard, PolicyChange
from vvtv.domain.lab.policy import card_diff
from vvtv.errors import NotFound
from vvtv.lab.audit import Audit
from vvtv.lab.store import LabStore

_DECODE_CARD = msgspec.json.Decoder(OwnerCard)
_DECODE_DIFF = msgspec.json.Decoder(list[FieldChange])


class PolicyService:
    """Versions start at 1 (the default card, authored by `system`) and only grow."""

    def __init__(
        self,
        store: LabStore,
        audit: Audit,
        validate: Callable[[OwnerCard], object],
        clock: WallClock,
    ) -> None:
        self._store = store
        self._audit = audit
        self._validate = validate
        self._clock = clock
        self._snapshots: dict[int, LabPolicySnapshot] = {}
        self._changes: dict[int, PolicyChange] = {}

    async def load(self, default: OwnerCard) -> None:
        """Read every version into memory (they are small and immutable); seed version 1."""

        def select(connection: sqlite3.Connection) -> list[tuple[int, str, str, float, str]]:
            return connection.execute(
                "SELECT version, card, author, created_at, diff FROM policy_versions"
            ).fetchall()

        for version, card, author, created_at, diff in await self._store.run(select):
            self._remember(
                version, _DECODE_CARD.decode(card), author, created_at, _DECODE_DIFF.decode(diff)
            )
        if not self._snapshots:
            await self.update(default, author="system")

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
        now = self._clock().timestamp()
        encoded_card = msgspec.json.encode(card).decode()
        encoded_diff = msgspec.json.encode(diff).decode()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO policy_versions (version, card, author, created_at, diff)"
                " VALUES (?, ?, ?, ?, ?)",
                (version, encoded_card, author, now, encoded_diff),
            )

        await self._store.write(insert)
        snapshot = self._remember(version, card, author, now, diff)
        await self._audit.record(author, "policy.update", f"version {version}", encoded_diff)
        return snapshot

    def _remember(
        self, version: int, card: OwnerCard, author: str, at: float, diff: list[FieldChange]
    ) -> LabPolicySnapshot:
        created = datetime.fromtimestamp(at, UTC)
        snapshot = LabPolicySnapshot(version=version, card=card, author=author, created_at=created)
        self._snapshots[version] = snapshot
        self._changes[version] = PolicyChange(
            version=version, author=author, created_at=created, diff=diff
        )
        return snapshot
