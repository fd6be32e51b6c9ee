"""The sessions context's refusals, in the one `vvtv.errors` hierarchy."""

from __future__ import annotations

from vvtv.errors import BadRequest
from vvtv.errors import Conflict
from vvtv.errors import Forbidden
from vvtv.errors import NotFound
from vvtv.errors import VvtvError


class SessionNotFound(NotFound):
    """No such session, or the caller takes no part in it: the two look alike, so a session's
    existence never leaks to outsiders."""

    code = "session_not_found"


class SessionStateConflict(Conflict):
    """The session's state forbids this now (SES-4), e.g. the loser of two transitions (SES-9)."""

    code = "invalid_session_state"


class UnknownMode(BadRequest):
    code = "unknown_mode"


class TransportMismatch(BadRequest):
    """The media profile is delivered over another transport than the one asked for."""

    code = "transport_mismatch"


class TransitionNotAllowed(Conflict):
    """The mode manifest offers no transition from the session's mode to the one asked for."""

    code = "transition_not_allowed"


class TransitionFailed(VvtvError):
    """The previous session could not be ended cleanly, so no new session was created (SES-7)."""

    status = 502
    code = "transition_failed"


class ConsentRequired(Forbidden):
    """The mode's calls start only from an invite its guest accepted, never from a request (INV-2,
    CNS-6): the consent service creates them."""

    code = "consent_required"


class MatchRequired(Forbidden):
    """The mode's calls start only from a match, never from a request (INV-2): the matching
    service creates them."""

    code = "match_required"


class TooManySessions(Conflict):
    """The user already holds `sessions.max_concurrent_per_user` sessions (two devices, OPS-5):
    one must end before another starts."""

    code = "too_many_sessions"
