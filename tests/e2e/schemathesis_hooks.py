"""Schemathesis hooks of the admin run: a `user_id` names a real account, so moderation requests
get past "no such user" into the code that acts on one (a ban's end time is computed only for an
account that exists: random ids stopped every ban at a 404 and hid its overflow)."""

from __future__ import annotations

import os
from typing import Any

import msgspec
import schemathesis

from vvtv.contracts.identity import UserId

VICTIM = os.environ["VVTV_FUZZ_USER_ID"]
# Promoted to admin, the victim could no longer be banned by the fuzzing admin (rank, AUTH-4).
LEFT_RANDOM = {"/admin/users/{user_id}/role"}


def _valid_user_id(value: Any) -> bool:
    try:
        msgspec.convert(value, UserId)
    except msgspec.ValidationError:
        return False
    return True


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Swap a valid `user_id` for the victim's; an invalid one is what a negative case tests, so
    it stays as drawn."""
    if case.operation.path in LEFT_RANDOM:
        return case
    if case.path_parameters and _valid_user_id(case.path_parameters.get("user_id")):
        case.path_parameters["user_id"] = VICTIM
    if isinstance(case.body, dict) and _valid_user_id(case.body.get("user_id")):
        case.body["user_id"] = VICTIM
    return case
