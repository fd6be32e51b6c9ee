"""The account actor's pure rules (`vvtv.domain.accounts.decide`), without trio or a store."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from vvtv.domain.accounts import PERMANENT
from vvtv.domain.accounts import Account
from vvtv.domain.accounts import Ban
from vvtv.domain.accounts import BanTerm
from vvtv.domain.accounts import Principal
from vvtv.domain.accounts import Refuse
from vvtv.domain.accounts import Save
from vvtv.domain.accounts import SetQuarantine
from vvtv.domain.accounts import SetRole
from vvtv.domain.accounts import SetShadowQuarantine
from vvtv.domain.accounts import Unban
from vvtv.domain.accounts import decide

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ADMIN = Principal(user_id="a", role="admin", auth_session_id="s")
MOD = Principal(user_id="m", role="mod", auth_session_id="s")
USER = Account(id="u", role="user")


@pytest.mark.req("MOD-3")
def test_a_ban_saves_only_the_ban_columns_with_its_audit_entry() -> None:
    account, effects = decide(USER, Ban(AT, MOD, 3600, "spam"))
    assert account == Account(id="u", role="user", ban=BanTerm("2026-11-25T13:00:00+00:00", "spam"))
    (save,) = effects
    assert isinstance(save, Save)
    assert save.changed == ("ban",)
    assert (save.audit.action, save.audit.actor_id, save.audit.target_id) == ("ban", "m", "u")
    assert save.audit.detail == {"until": "2026-11-25T13:00:00+00:00", "duration_s": 3600}
    forever, _ = decide(USER, Ban(AT, MOD, None, "spam"))
    assert forever is not None
    assert forever.ban == BanTerm(PERMANENT, "spam")


@pytest.mark.req("AUTH-4")
@pytest.mark.parametrize(
    ("account", "message", "code"),
    [
        (None, Ban(AT, ADMIN, None, "r"), "user_not_found"),
        (Account(id="x", role="mod"), Ban(AT, MOD, None, "r"), "outranked"),
        (Account(id="x", role="admin"), SetShadowQuarantine(AT, ADMIN, True, "r"), "outranked"),
        (USER, Unban(AT, MOD, "r"), "not_banned"),
        (USER, SetQuarantine(AT, MOD, False, "r"), "not_quarantined"),
        (Account(id="x", role="mod"), SetQuarantine(AT, MOD, True, "r"), "outranked"),
        (Account(id="a", role="admin"), SetRole(AT, ADMIN, "user", "r"), "own_role"),
    ],
)
def test_refusals_change_nothing(
    account: Account | None,
    message: Ban | Unban | SetShadowQuarantine | SetQuarantine | SetRole,
    code: str,
) -> None:
    after, effects = decide(account, message)
    assert after == account
    assert [type(e) for e in effects] == [Refuse]
    assert effects[0].code == code  # type: ignore[union-attr]


@pytest.mark.req("MOD-4")
def test_each_decision_writes_its_own_columns_only() -> None:
    banned = Account(id="u", role="user", ban=BanTerm(PERMANENT, "spam"))
    for message, changed in (
        (SetShadowQuarantine(AT, MOD, True, "r"), ("shadow_quarantine",)),
        (SetRole(AT, ADMIN, "mod", "r"), ("role",)),
        (Unban(AT, MOD, "r"), ("ban",)),
    ):
        _, (save,) = decide(banned, message)
        assert isinstance(save, Save)
        assert save.changed == changed
    # Rank is judged on the account as it is now: once made an admin, a mod may not ban it.
    promoted, _ = decide(banned, SetRole(AT, ADMIN, "admin", "r"))
    assert promoted is not None
    _, (refusal,) = decide(promoted, Ban(AT, MOD, None, "r"))
    assert refusal == Refuse("outranked", "A mod cannot act on a admin's account.")


@pytest.mark.req("MOD-6")
def test_a_moderators_quarantine_runs_for_its_duration_or_until_lifted() -> None:
    timed, (save,) = decide(USER, SetQuarantine(AT, MOD, True, "spam", 3600))
    assert timed is not None
    assert timed.quarantined_until == "2026-11-25T13:00:00+00:00"
    assert isinstance(save, Save)
    assert (save.changed, save.audit.action) == (("quarantined_until",), "quarantine.visible")
    assert save.audit.detail == {"until": "2026-11-25T13:00:00+00:00", "duration_s": 3600}
    open_ended, _ = decide(USER, SetQuarantine(AT, MOD, True, "spam"))
    assert open_ended is not None
    assert open_ended.quarantined_until == PERMANENT
    lifted, (save,) = decide(open_ended, SetQuarantine(AT, MOD, False, "calmer"))
    assert lifted is not None
    assert lifted.quarantined_until is None
    assert isinstance(save, Save)
    assert (save.audit.action, save.audit.detail) == (
        "quarantine.visible.lift", {"was_until": PERMANENT},
    )  # fmt: skip
    # One that has run out has nothing left to lift.
    later = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    _, (refusal,) = decide(timed, SetQuarantine(later, MOD, False, "r"))
    assert refusal == Refuse("not_quarantined", "That account is not quarantined.")
