"""Password hashing with argon2id (argon2-cffi), parameters from config, off the trio loop.

Each hash holds `hash_memory_kib` of RAM and a core for a while: `hash_concurrency` run at once,
`hash_queue_max` more may wait, and beyond that a request is refused at once (429 `auth_busy`)
rather than queued behind work it would wait seconds for.
"""

from __future__ import annotations

import time

import argon2
import trio

from vvtv.config.schema.limits import PasswordPolicy
from vvtv.identity.errors import AuthBusy
from vvtv.identity.errors import WeakPassword


class Passwords:
    def __init__(self, policy: PasswordPolicy) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=policy.hash_time_cost,
            memory_cost=policy.hash_memory_kib,
            parallelism=policy.hash_parallelism,
        )
        self._policy = policy
        self._concurrency = policy.hash_concurrency
        self._limiter = trio.CapacityLimiter(policy.hash_concurrency)
        self._capacity = policy.hash_concurrency + policy.hash_queue_max
        self._admitted = 0  # running or waiting
        started = time.perf_counter()
        # Verifying unknown handles against this keeps their timing like a real account's.
        self._decoy = self._hasher.hash("decoy password, never a real one")
        # Measured, not configured: what one hash costs on this machine, for Retry-After hints.
        self.hash_s = time.perf_counter() - started

    def check_policy(self, password: str) -> None:
        """A new password's length, before anything is stored or hashed."""
        policy = self._policy
        if not policy.min_length <= len(password) <= policy.max_length:
            raise WeakPassword(
                f"Use a password of {policy.min_length} to {policy.max_length} characters.",
                path="$.password",
            )

    async def hash(self, password: str) -> str:
        self._admit(queue_exempt=False)
        try:
            return await trio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)
        finally:
            self._admitted -= 1

    async def verify(
        self, password_hash: str | None, password: str, *, queue_exempt: bool = False
    ) -> bool:
        """Whether `password` matches; `queue_exempt` waits even when the queue is full (a known
        device's sign-in, which strangers cannot produce, so it cannot flood the queue)."""

        def check() -> bool:
            try:
                return self._hasher.verify(password_hash or self._decoy, password) and (
                    password_hash is not None
                )
            except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
                return False

        self._admit(queue_exempt)
        try:
            return await trio.to_thread.run_sync(check, limiter=self._limiter)
        finally:
            self._admitted -= 1

    def _admit(self, queue_exempt: bool) -> None:
        # Synchronous check-and-count: no checkpoint between them, so concurrent callers cannot
        # all see room for one.
        if self._admitted >= self._capacity and not queue_exempt:
            rounds = self._admitted // self._concurrency
            wait = self.hash_s * rounds
            raise AuthBusy(
                f"Too many sign-ins are being checked right now; try again in {int(wait) + 1} s.",
                retry_after_s=wait,
            )
        self._admitted += 1
