"""What config makes more precise in the published identity schemas: the password policy, so
clients can check a password before sending it."""

from __future__ import annotations

from typing import Any

import msgspec

from vvtv.config import ConfigBundle
from vvtv.contracts.identity import Signup

REF = "#/components/schemas/{name}"


def schema_overrides(config: ConfigBundle) -> dict[str, dict[str, Any]]:
    _, components = msgspec.json.schema_components([Signup], ref_template=REF)
    signup = components["Signup"]
    policy = config.limits.auth.password
    password = dict(signup["properties"]["password"])
    password.update(minLength=policy.min_length, maxLength=policy.max_length)
    signup["properties"] = dict(signup["properties"], password=password)
    return {"Signup": signup}
