"""Password hashing with argon2id (argon2-cffi), parameters from config, off the trio loop."""

from __future__ import annotations

import argon2
import trio

from vvtv.config.schema.limits import PasswordPolicy


class Passwords:
    def __init__(self, policy: PasswordPolicy, concurrency: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=policy.hash_time_cost,
            memory_cost=policy.hash_memory_kib,
            parallelism=policy.hash_parallelism,
        )
        # Each hash holds hash_memory_kib of RAM: bound how many run at once.
        self._limiter = trio.CapacityLimiter(concurrency)
        # Verifying unknown handles against this keeps their timing like a real account's.
        self._decoy = self._hasher.hash("decoy password, never a real one")

    async def hash(self, password: str) -> str:
        return await trio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash or self._decoy, password) and (
                    password_hash is not None
                )
            except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
                return False

        return await trio.to_thread.run_sync(check, limiter=self._limiter)
