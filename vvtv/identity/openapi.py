"""What config makes more precise in the published identity schemas: the password policy, so
clients can check a password before sending it, and the configured maxima of a ban's length and
of an audit page, which the routes enforce."""

from __future__ import annotations

from typing import Any

import msgspec

from vvtv.config import ConfigBundle
from vvtv.contracts.identity import AuditQuery
from vvtv.contracts.identity import BanRequest
from vvtv.contracts.identity import Signup

REF = "#/components/schemas/{name}"


def _with_maximum(schema: dict[str, Any], maximum: int) -> dict[str, Any]:
    """An integer property (possibly `anyOf` with null) whose integer option gets `maximum`."""
    if schema.get("type") == "integer":
        return dict(schema, maximum=maximum)
    if "anyOf" in schema:
        return dict(schema, anyOf=[_with_maximum(option, maximum) for option in schema["anyOf"]])
    return schema


def _property(component: dict[str, Any], name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return dict(component, properties=dict(component["properties"], **{name: schema}))


def schema_overrides(config: ConfigBundle) -> dict[str, dict[str, Any]]:
    _, components = msgspec.json.schema_components(
        [Signup, BanRequest, AuditQuery], ref_template=REF
    )
    auth = config.limits.auth
    signup = components["Signup"]
    password = dict(signup["properties"]["password"])
    password.update(minLength=auth.password.min_length, maxLength=auth.password.max_length)
    ban, audit = components["BanRequest"], components["AuditQuery"]
    duration = _with_maximum(ban["properties"]["duration_s"], auth.ban_max_duration_s)
    limit = _with_maximum(audit["properties"]["limit"], auth.audit_page_max)
    return {
        "Signup": _property(signup, "password", password),
        "BanRequest": _property(ban, "duration_s", duration),
        # Query parameters: `VvtvOpenAPI` builds them from this component when there is one.
        "AuditQuery": _property(audit, "limit", limit),
    }
