"""The identity service: accounts, login sessions, flags, blocks, bans, roles.

Every write is committed (with its audit entry) before the caller is answered. The guard's hot
path (`authenticate`, `can_interact`) reads an in-memory directory that every write updates after
its commit, so a ban or a revocation takes effect on the very next request.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from datetime import timedelta

import msgspec

from vvtv.actors import Registry
from vvtv.config import ConfigBundle
from vvtv.contracts.identity import AccountFlags
from vvtv.contracts.identity import BanRequest
from vvtv.contracts.identity import BanView
from vvtv.contracts.identity import Block
from vvtv.contracts.identity import BlockList
from vvtv.contracts.identity import Login
from vvtv.contracts.identity import Me
from vvtv.contracts.identity import QuarantineTerms
from vvtv.contracts.identity import QuarantineView
from vvtv.contracts.identity import Role
from vvtv.contracts.identity import Signup
from vvtv.contracts.identity import Tokens
from vvtv.contracts.identity import UserView
from vvtv.domain.accounts import PERMANENT
from vvtv.domain.accounts import Ban as BanAccount
from vvtv.domain.accounts import Moderation
from vvtv.domain.accounts import Principal
from vvtv.domain.accounts import SetQuarantine
from vvtv.domain.accounts import SetRole
from vvtv.domain.accounts import SetShadowQuarantine
from vvtv.domain.accounts import Unban
from vvtv.domain.accounts import in_force
from vvtv.domain.accounts import is_banned
from vvtv.domain.accounts import is_new_account
from vvtv.domain.accounts import quarantine_span
from vvtv.domain.login_throttle import Outcome
from vvtv.domain.login_throttle import Source
from vvtv.errors import VvtvError
from vvtv.identity.actor import KIND as ACCOUNT
from vvtv.identity.actor import AccountActor
from vvtv.identity.actor import BanListener
from vvtv.identity.actor import BlockListener
from vvtv.identity.actor import IdentityPorts
from vvtv.identity.actor import QuarantineListener
from vvtv.identity.client_address import ClientAddresses
from vvtv.identity.errors import Banned
from vvtv.identity.errors import BlockSelf
from vvtv.identity.errors import DeviceMismatch
from vvtv.identity.errors import HandleTaken
from vvtv.identity.errors import InvalidCredentials
from vvtv.identity.errors import RefreshInvalid
from vvtv.identity.errors import SignInRevoked
from vvtv.identity.errors import TermsOutdated
from vvtv.identity.errors import TokenInvalid
from vvtv.identity.errors import UserNotFound
from vvtv.identity.metrics import FAILURE_REASONS
from vvtv.identity.metrics import LOGIN_REFUSALS
from vvtv.identity.records import AuthSessionRecord
from vvtv.identity.records import BlockRecord
from vvtv.identity.records import UserRecord
from vvtv.identity.store import DuplicateHandle
from vvtv.identity.throttle import LoginThrottle
from vvtv.identity.throttle import login_policy
from vvtv.identity.tokens import new_refresh_token
from vvtv.identity.tokens import refresh_hash
from vvtv.observability.audit import AuditRecord


class Identity:
    def __init__(self, registry: Registry, config: ConfigBundle, ports: IdentityPorts) -> None:
        self._store = ports.store
        self._actors = registry
        self._auth = config.limits.auth
        self._quarantine = config.limits.anti_abuse.quarantine
        self._quarantine_days = self._quarantine.account_age_days
        self._random_offered = config.limits.feature_flags.random
        self._signer = ports.signer
        self._passwords = ports.passwords
        self._clock = ports.clock
        self._metrics = ports.metrics
        self._events = ports.events
        self._throttle = LoginThrottle(login_policy(self._auth.login))
        self.client_addresses = ClientAddresses(self._auth.login.trusted_proxies)
        self._users: dict[str, UserRecord] = {}
        # Devices that signed in to an account (by lower-cased handle), until their sign-in expires:
        # the sign-in lockout spares them (vvtv.domain.login_throttle).
        self._devices: dict[str, dict[str, datetime]] = {}
        self._revoked_sessions: set[str] = set()
        self._blocks: set[tuple[str, str]] = set()
        self._blocked_with: dict[str, set[str]] = {}  # both directions of `_blocks`, by user
        self._ban_listeners: list[BanListener] = []
        self._block_listeners: list[BlockListener] = []
        self._quarantine_listeners: list[QuarantineListener] = []
        registry.register(ACCOUNT, lambda user_id: AccountActor(user_id, ports, self._publish))

    async def load(self) -> None:
        """Fill the in-memory directory from the store (at start)."""
        self._users = {user.id: user for user in await self._store.all_users()}
        self._revoked_sessions = await self._store.revoked_auth_session_ids(self._clock())
        self._blocks = {(b.blocker_id, b.blocked_id) for b in await self._store.all_blocks()}
        self._blocked_with = {}
        for a, b in self._blocks:
            self._blocked_with.setdefault(a, set()).add(b)
            self._blocked_with.setdefault(b, set()).add(a)
        for handle, device_id, until in await self._store.known_devices(self._clock()):
            self._devices.setdefault(handle.lower(), {})[device_id] = until

    def on_ban(self, listener: BanListener) -> None:
        self._ban_listeners.append(listener)

    def on_block(self, listener: BlockListener) -> None:
        """Told after each block and each unblock that lifts the last block between two users."""
        self._block_listeners.append(listener)

    def on_shadow_quarantine(self, listener: QuarantineListener) -> None:
        self._quarantine_listeners.append(listener)

    # -- accounts and login sessions -------------------------------------------------------------

    async def create_account(
        self, handle: str, password: str, role: Role, actor_id: str | None, terms_version: str
    ) -> UserRecord:
        self._passwords.check_policy(password)
        now = self._clock()
        user = UserRecord(
            id=str(uuid.uuid4()),
            handle=handle,
            password_hash=await self._passwords.hash(password),
            role=role,
            created_at=now,
            age_confirmed_at=now,
            terms_version=terms_version,
        )
        audit = None
        if role != "user":
            audit = AuditRecord(
                at=now, actor_id=actor_id, action="role.grant", target_id=user.id,
                detail={"role": role, "handle": handle},
            )  # fmt: skip
        try:
            await self._store.create_user(user, audit)
        except DuplicateHandle:
            raise HandleTaken("That handle is taken.", path="$.handle") from None
        self._users[user.id] = user
        return user

    async def signup(self, body: Signup) -> Tokens:
        if body.terms_version != self._auth.terms_version:
            raise TermsOutdated(
                f"Accept the current terms (version {self._auth.terms_version}).",
                path="$.terms_version",
            )
        user = await self.create_account(
            body.handle, body.password, "user", None, body.terms_version
        )
        self._metrics.signups.inc()
        tokens = await self._open_session(user, body.device_id)
        self._emit("auth_success", method="password", is_new_account=True)
        return tokens

    async def login(self, body: Login, address: str) -> Tokens:
        """Sign in; throttled as `vvtv.domain.login_throttle` says, the attempt counted before
        anything is awaited. Each attempt that gets an answer is counted by its outcome."""
        try:
            tokens = await self._login(body, address)
        except VvtvError as refused:
            outcome = LOGIN_REFUSALS.get(type(refused))
            if outcome is not None:
                self._metrics.login(outcome)
                self._emit("auth_failure", reason=FAILURE_REASONS[outcome])
            raise
        self._metrics.login("succeeded")
        self._emit("auth_success", method="password", is_new_account=False)
        return tokens

    async def _login(self, body: Login, address: str) -> Tokens:
        source = Source(body.handle, address, self._known_device(body.handle, body.device_id))
        reservation = self._throttle.begin(source, busy_retry_after_s=self._passwords.hash_s)
        outcome: Outcome = "withdrawn"  # unless the password gets checked: busy, cancelled
        try:
            user = await self._store.user_by_handle(body.handle)
            known_hash = user.password_hash if user is not None else None
            if not await self._passwords.verify(
                known_hash, body.password, queue_exempt=source.known_device is not None
            ):
                outcome = "failed"
                raise InvalidCredentials("Wrong handle or password.")
            outcome = "succeeded"
        finally:
            self._throttle.settle(reservation, outcome)
        assert user is not None
        # An account the operator's shell (`vvtv user create`) made while we serve is not cached
        # yet; the cache is written through for every change made here, so the row is current.
        user = self._users.setdefault(user.id, user)
        self._refuse_banned(user)
        return await self._open_session(user, body.device_id)

    async def refresh(self, token: str, device_id: str | None) -> Tokens:
        session = await self._store.auth_session_by_refresh(refresh_hash(token))
        now = self._clock()
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            raise RefreshInvalid("Sign in again.")
        if session.device_id is not None and session.device_id != device_id:
            raise DeviceMismatch("This token belongs to another device.")
        user = self._user(session.user_id)
        self._refuse_banned(user)
        fresh = new_refresh_token()
        if not await self._store.rotate_refresh(
            session.id, session.refresh_hash, refresh_hash(fresh)
        ):
            raise RefreshInvalid("Sign in again.")
        return self._tokens(user, session, fresh)

    async def logout(self, principal: Principal, everywhere: bool) -> int:
        only = None if everywhere else principal.auth_session_id
        revoked = await self._store.revoke_auth_sessions(principal.user_id, self._clock(), only)
        self._revoked_sessions.update(revoked)
        return len(revoked)

    async def _open_session(self, user: UserRecord, device_id: str | None) -> Tokens:
        now = self._clock()
        refresh = new_refresh_token()
        session = AuthSessionRecord(
            id=str(uuid.uuid4()),
            user_id=user.id,
            device_id=device_id,
            refresh_hash=refresh_hash(refresh),
            created_at=now,
            expires_at=now + timedelta(seconds=self._auth.tokens.refresh_ttl_s),
        )
        await self._store.create_auth_session(session)
        if device_id is not None:
            self._devices.setdefault(user.handle.lower(), {})[device_id] = session.expires_at
        return self._tokens(user, session, refresh)

    def _emit(self, name: str, **properties: str | bool) -> None:
        if self._events is not None:
            self._events.emit(name, **properties)

    def _known_device(self, handle: str, device_id: str | None) -> str | None:
        """`device_id` if it signed in to `handle` before and that sign-in has not expired."""
        if device_id is None:
            return None
        until = self._devices.get(handle.lower(), {}).get(device_id)
        return device_id if until is not None and until > self._clock() else None

    def _tokens(self, user: UserRecord, session: AuthSessionRecord, refresh: str) -> Tokens:
        access, expires = self._signer.mint(user.id, session.id, session.device_id, self._clock())
        return Tokens(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=expires,
            refresh_expires_at=session.expires_at,
            user=self.me_of(user),
        )

    # -- the guard's hot path --------------------------------------------------------------------

    def authenticate(self, access_token: str, device_id: str | None) -> Principal:
        """Who this token speaks for, now: expiry, revocation, device binding and bans apply at
        once because they are checked on every call, not baked into the token."""
        claims = self._signer.verify(access_token, self._clock())
        if claims.sid in self._revoked_sessions:
            raise SignInRevoked("This sign-in was ended; sign in again.")
        if claims.dev is not None and claims.dev != device_id:
            raise DeviceMismatch("This token belongs to another device.")
        user = self._users.get(claims.sub)
        if user is None:
            raise TokenInvalid("That access token is not valid.")
        self._refuse_banned(user)
        return Principal(
            user_id=user.id, role=user.role, auth_session_id=claims.sid, device_id=claims.dev
        )

    def access_expires_at(self, access_token: str) -> datetime:
        claims = self._signer.verify(access_token, self._clock())
        return datetime.fromtimestamp(claims.exp, tz=self._clock().tzinfo)

    def can_interact(self, a: str, b: str) -> bool:
        """The one question every context asks before putting two users in touch (MOD-2/3)."""
        if a == b or (a, b) in self._blocks or (b, a) in self._blocks:
            return False
        now = self._clock()
        return all(
            (user := self._users.get(uid)) is not None and not is_banned(user.ban, now)
            for uid in (a, b)
        )

    def _refuse_banned(self, user: UserRecord) -> None:
        ban = user.ban
        if ban is not None and ban.in_force(self._clock()):
            until = "for good" if ban.until == PERMANENT else f"until {ban.until}"
            raise Banned(f"This account is banned {until}.")

    def _publish(self, user: UserRecord) -> None:
        self._users[user.id] = user

    def _user(self, user_id: str) -> UserRecord:
        user = self._users.get(user_id)
        if user is None:
            raise UserNotFound("No such user.", path="user_id")
        return user

    # -- the account as its owner sees it ---------------------------------------------------------

    def me_of(self, user: UserRecord) -> Me:
        now = self._clock()
        terms = self._quarantine_terms(user, now)
        return Me(
            id=user.id,
            handle=user.handle,
            role=user.role,
            created_at=user.created_at,
            flags=AccountFlags(
                age_confirmed=True,
                terms_version=user.terms_version,
                banned_until=user.ban.until if user.ban and user.ban.in_force(now) else None,
                # A shadow quarantine is never shown to its subject (MOD-4).
                quarantined=terms is not None,
                reputation=user.reputation,
                quarantine=terms,
            ),
        )

    def _quarantine_terms(self, user: UserRecord, now: datetime) -> QuarantineTerms | None:
        """The limits of the quarantine the account is told of (MOD-6), or None."""
        span = quarantine_span(
            user.role, user.created_at, user.quarantined_until, now, self._quarantine_days
        )
        if span is None:
            return None
        q = self._quarantine
        return QuarantineTerms(
            until=span.until,
            invites_quarantined_only=not q.invite_open_accounts,
            random_pool="quarantine" if self._random_offered else None,
            max_matches_per_hour=q.max_matches_per_hour,
            chat_max_messages=q.chat.max_messages,
            chat_window_s=q.chat.window_s,
            cause=span.cause,
        )

    def me(self, principal: Principal) -> Me:
        return self.me_of(self._user(principal.user_id))

    def is_new(self, user_id: str) -> bool:
        """A new account, quarantined for its first days (MOD-6)."""
        user = self._user(user_id)
        return is_new_account(user.role, user.created_at, self._clock(), self._quarantine_days)

    def account_age_days(self, user_id: str) -> float:
        """How old the account is, in days (Shield Mode's age gates)."""
        age = self._clock() - self._user(user_id).created_at
        return age.total_seconds() / 86400

    def sees_quarantine(self, user_id: str) -> bool:
        """Quarantined and told so (MOD-6): a new account, or a moderator's visible quarantine."""
        user = self._user(user_id)
        now = self._clock()
        new = is_new_account(user.role, user.created_at, now, self._quarantine_days)
        return new or in_force(user.quarantined_until, now)

    def is_quarantined(self, user_id: str) -> bool:
        """Told (a new account, a moderator's quarantine: MOD-6) or shadow (MOD-4, never told);
        for the services that limit."""
        return self.sees_quarantine(user_id) or self._user(user_id).shadow_quarantine

    # -- blocks ----------------------------------------------------------------------------------

    async def block(self, principal: Principal, other_id: str) -> Block:
        other = self._user(other_id)
        if other.id == principal.user_id:
            raise BlockSelf("You cannot block yourself.", path="user_id")
        record = BlockRecord(
            blocker_id=principal.user_id, blocked_id=other.id, created_at=self._clock()
        )
        await self._store.add_block(record)
        self._blocks.add((principal.user_id, other.id))
        self._blocked_with.setdefault(principal.user_id, set()).add(other.id)
        self._blocked_with.setdefault(other.id, set()).add(principal.user_id)
        for listener in self._block_listeners:
            listener(principal.user_id, other.id, True)
        self._emit("user_blocked")  # no ids of either party in analytics
        return Block(user_id=other.id, handle=other.handle, created_at=record.created_at)

    async def unblock(self, principal: Principal, other_id: str) -> bool:
        removed = await self._store.remove_block(principal.user_id, other_id)
        self._blocks.discard((principal.user_id, other_id))
        if removed and (other_id, principal.user_id) not in self._blocks:
            for one, another in ((principal.user_id, other_id), (other_id, principal.user_id)):
                others = self._blocked_with.get(one)
                if others is not None:
                    others.discard(another)
                    if not others:
                        del self._blocked_with[one]
            for listener in self._block_listeners:
                listener(principal.user_id, other_id, False)
        return removed

    def blocked_either_way(self, user_id: str) -> frozenset[str]:
        """Everyone `user_id` blocks or is blocked by (MOD-2)."""
        return frozenset(self._blocked_with.get(user_id, ()))

    async def blocks(self, principal: Principal) -> BlockList:
        mine = await self._store.blocks_by(principal.user_id)
        return BlockList(
            blocks=[
                Block(
                    user_id=b.blocked_id,
                    handle=self._user(b.blocked_id).handle,
                    created_at=b.created_at,
                )
                for b in mine
            ]
        )

    # -- moderation ------------------------------------------------------------------------------
    # Every decision on an account goes through its actor, so two of them never interleave: each
    # sees the one before it, and writes only the columns it changes.

    async def _moderate(self, message: Moderation, user_id: str) -> UserRecord:
        self._user(user_id)  # unknown here: 404 without spawning an actor for it
        record: UserRecord = await self._actors.ask(ACCOUNT, user_id, message)
        return record

    async def ban(self, actor: Principal, body: BanRequest) -> BanView:
        message = BanAccount(self._clock(), actor, body.duration_s, body.reason)
        banned = await self._moderate(message, body.user_id)
        assert banned.ban is not None  # just banned by this very message
        until = banned.ban.until
        for listener in self._ban_listeners:
            await listener(banned.id, None if until == PERMANENT else until)
        return BanView(user_id=banned.id, banned_until=until, reason=body.reason)

    async def unban(self, actor: Principal, user_id: str, reason: str) -> BanView:
        lifted = await self._moderate(Unban(self._clock(), actor, reason), user_id)
        return BanView(user_id=lifted.id, banned_until=None, reason=None)

    async def set_shadow_quarantine(
        self, actor: Principal, user_id: str, on: bool, reason: str
    ) -> QuarantineView:
        message = SetShadowQuarantine(self._clock(), actor, on, reason)
        target = await self._moderate(message, user_id)
        for listener in self._quarantine_listeners:
            listener(target.id, on)
        return self._quarantine_view(target)

    async def set_quarantine(
        self, actor: Principal, user_id: str, on: bool, reason: str, duration_s: int | None = None
    ) -> QuarantineView:
        """A moderator's quarantine, which its user sees (MOD-6): the limits of a new account for
        `duration_s` (None: until lifted), or lifted. Audited as every account decision is."""
        message = SetQuarantine(self._clock(), actor, on, reason, duration_s)
        target = await self._moderate(message, user_id)
        return self._quarantine_view(target)

    async def lift_quarantine(self, actor: Principal, user_id: str, reason: str) -> QuarantineView:
        """Lift whatever quarantine a moderator put on the account: the visible one if it runs,
        and the shadow one (MOD-4/6)."""
        if in_force(self._user(user_id).quarantined_until, self._clock()):
            await self.set_quarantine(actor, user_id, False, reason)
        return await self.set_shadow_quarantine(actor, user_id, False, reason)

    def _quarantine_view(self, user: UserRecord) -> QuarantineView:
        now = self._clock()
        running = user.quarantined_until if in_force(user.quarantined_until, now) else None
        return QuarantineView(
            user_id=user.id, shadow_quarantine=user.shadow_quarantine, quarantined_until=running
        )

    async def set_role(self, actor: Principal, user_id: str, role: Role, reason: str) -> UserView:
        changed = await self._moderate(SetRole(self._clock(), actor, role, reason), user_id)
        return self.user_view(changed.id)

    def user_view(self, user_id: str) -> UserView:
        # What moderators see is the record's fields of the same names (its ban, by its end).
        return msgspec.convert(self._user(user_id), UserView, from_attributes=True)

    def is_admin(self, user_id: str) -> bool:
        """Whether the user is an admin now (a socket opened as one may have been demoted)."""
        user = self._users.get(user_id)
        return user is not None and user.role == "admin"

    def handle_of(self, user_id: str) -> str | None:
        """A user's handle as of now, for naming them on the wire; None for an account that is
        gone, so a name shown elsewhere never fails on it."""
        user = self._users.get(user_id)
        return None if user is None else user.handle
