"""Actor kernel: the exported surface and its typed errors, pinned (trio style) so changes are
deliberate."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

import vvtv.actors
from vvtv.actors import ActorCrashed
from vvtv.actors import ActorSettings
from vvtv.actors import ActorUnavailable
from vvtv.actors import AskTimeout
from vvtv.actors import MailboxFull
from vvtv.actors import ShuttingDown
from vvtv.errors import Unavailable
from vvtv.errors import VvtvError

from .recorder import KIND
from .recorder import Journal
from .recorder import Sleep
from .recorder import recorder_registry

SURFACE = Path(__file__).with_name("public_surface.txt")


def test_the_exported_surface_is_pinned() -> None:
    """Actor kernel: the facade exports exactly the names in public_surface.txt (one a line), so
    a change to the surface is a change to that file too."""
    assert sorted(vvtv.actors.__all__) == SURFACE.read_text().split()


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (MailboxFull, 503, "mailbox_full"),
        (AskTimeout, 503, "ask_timeout"),
        (ActorUnavailable, 503, "actor_unavailable"),
        (ShuttingDown, 503, "shutting_down"),
        (ActorCrashed, 500, "actor_crashed"),
    ],
)
def test_kernel_errors_belong_to_the_one_hierarchy(
    error: type[VvtvError], status: int, code: str
) -> None:
    """Actor kernel: each typed error is a VvtvError with a stable code and HTTP status."""
    assert issubclass(error, VvtvError)
    assert (error.status, error.code) == (status, code)
    assert issubclass(error, Unavailable) == (status == 503)


def test_settings_are_validated() -> None:
    """Actor kernel: nonsensical settings are refused at construction."""
    with pytest.raises(ValueError, match="mailbox_size"):
        ActorSettings(
            mailbox_size=0,
            ask_timeout_s=1,
            idle_passivate_s=1,
            max_restarts=1,
            restart_window_s=1,
        )


@pytest.mark.trio
async def test_an_asker_cancelled_by_its_caller_leaves_the_actor_working(
    autojump_clock: trio.abc.Clock,
) -> None:
    """Actor kernel: cancelling an ask from outside is not a timeout; the message still runs."""
    async with recorder_registry(Journal(), ask_timeout_s=100) as registry:
        with trio.move_on_after(1):
            await registry.ask(KIND, "k", Sleep(5))
        registry.tell(KIND, "k", "after")
        assert await registry.ask(KIND, "k", "seen") == ["after"]
        stats = registry.statistics()[KIND]
        assert (stats.ask_timeouts_total, stats.messages_processed_total) == (0, 3)
