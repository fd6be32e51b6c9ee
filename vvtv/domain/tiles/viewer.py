"""One viewer's tiles as a pure `decide(viewer, message, now)`: a fixed pool of slots (the device's
budget, THB-5) that the server points at the publishers the viewer reports visible.

    visible, slot free            → granted (a slot is pointed at it)
    visible, a slot out of view   → that slot is re-pointed: the oldest out-of-view tile goes first
    visible, every slot in view   → refused `tile_budget`, and waits: the first slot freed is its
    visible, not seen by presence → refused `tile_unavailable` (a block, hidden, camera off)
    hidden                        → its slot stays pointed for `out_of_view_s`, then is released
                                    (THB-2, INV-4); at once if a visible tile waits for a slot
    dropped (a block, quarantine) → released at once, its slot goes to the first waiting tile
    paused (the kill-switch ladder) → every slot released `tiles_paused`; a tile coming into view
                                    is refused `tiles_paused` and waits; resumed, the visible
                                    tiles are granted again (INV-7)

Invariant: a tile waits only while every slot shows a visible tile (or the tiles are paused), so
the budget is used by what the viewer sees, and never exceeded: there are only `budget` slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Literal

from vvtv.domain.timer import WakeAt
from vvtv.domain.values import frozen

RefusalCode = Literal["tile_budget", "tile_unavailable", "tiles_paused"]
ReleaseReason = Literal["out_of_view", "unavailable", "closed", "tiles_paused"]


@frozen
class ViewerRules:
    budget: int  # slots: `tiles.desktop` or `tiles.mobile` (THB-5)
    out_of_view_s: float  # viewport.out_of_view_disconnect_s (THB-2)


@frozen
class Viewer:
    rules: ViewerRules
    slots: tuple[str | None, ...]  # the publisher each slot is pointed at
    visible: tuple[str, ...] = ()  # as reported, in order: granted or waiting
    hidden_at: tuple[tuple[str, float], ...] = ()  # pointed but out of view, since; oldest first
    paused: bool = False  # the kill-switch ladder took tiles off: no slot is pointed

    @property
    def granted(self) -> frozenset[str]:
        return frozenset(p for p in self.slots if p is not None)

    @property
    def waiting(self) -> tuple[str, ...]:
        granted = self.granted
        return tuple(p for p in self.visible if p not in granted)


def new_viewer(rules: ViewerRules) -> Viewer:
    return Viewer(rules=rules, slots=(None,) * rules.budget)


# --- messages ------------------------------------------------------------------------------------


@frozen
class Show:
    """These publishers' tiles came into view; `seen` are those presence lets the viewer see."""

    publishers: tuple[str, ...]
    seen: frozenset[str]


@frozen
class Hide:
    publishers: tuple[str, ...]


@frozen
class Drop:
    """The viewer may no longer see these publishers (a block, a shadow quarantine)."""

    publishers: frozenset[str]


@frozen
class Tick:
    """The wake-up the last `WakeAt` asked for (or later)."""


@frozen
class Close:
    """The viewer goes (socket closed, session over): every slot is released."""


@frozen
class Pause:
    """The kill-switch ladder takes tiles off (`paused`) or gives them back (INV-7)."""

    paused: bool


Message = Show | Hide | Drop | Tick | Close | Pause

# --- effects -------------------------------------------------------------------------------------


@frozen
class Point:
    """Point the pool's slots at these publishers (None: nothing) — the whole pool, once per
    decision that changed it."""

    slots: tuple[str | None, ...]


@frozen
class Granted:
    publisher: str
    slot: int


@frozen
class Refused:
    publisher: str
    code: RefusalCode


@frozen
class Released:
    publisher: str
    reason: ReleaseReason


Effect = Point | Granted | Refused | Released | WakeAt

# --- decide --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """A decision in the making: the viewer's parts as mutable copies, and the effects so far."""

    slots: list[str | None]
    visible: list[str]
    hidden_at: dict[str, float]
    paused: bool
    effects: list[Effect] = field(default_factory=list)

    def release(self, publisher: str, reason: ReleaseReason) -> int:
        slot = self.slots.index(publisher)
        self.slots[slot] = None
        self.hidden_at.pop(publisher, None)
        self.effects.append(Released(publisher, reason))
        return slot

    def grant(self, publisher: str, slot: int) -> None:
        self.slots[slot] = publisher
        self.effects.append(Granted(publisher, slot))

    def fill(self) -> None:
        """Free slots go to the visible tiles that wait, in the order they came into view."""
        if self.paused:
            return
        granted = set(self.slots)
        for publisher in self.visible:
            if publisher in granted:
                continue
            if None not in self.slots:
                return
            self.grant(publisher, self.slots.index(None))


def decide(viewer: Viewer, message: Message, now: float) -> tuple[Viewer, tuple[Effect, ...]]:
    draft = _Draft(list(viewer.slots), list(viewer.visible), dict(viewer.hidden_at), viewer.paused)
    match message:
        case Show(publishers, seen):
            for publisher in publishers:
                _show(draft, publisher, publisher in seen)
        case Hide(publishers):
            for publisher in publishers:
                _hide(draft, publisher, now)
        case Drop(publishers):
            for publisher in publishers:
                if publisher in draft.visible:
                    draft.visible.remove(publisher)
                if publisher in draft.slots:
                    draft.release(publisher, "unavailable")
            draft.fill()
        case Tick():
            due = viewer.rules.out_of_view_s
            for publisher, since in list(draft.hidden_at.items()):
                if since + due <= now:
                    draft.release(publisher, "out_of_view")
        case Close():
            for publisher in [p for p in draft.slots if p is not None]:
                draft.release(publisher, "closed")
            draft.visible.clear()
        case Pause(paused) if paused != draft.paused:
            draft.paused = paused
            if paused:
                for publisher in [p for p in draft.slots if p is not None]:
                    draft.release(publisher, "tiles_paused")
            draft.fill()
    new = replace(
        viewer,
        slots=tuple(draft.slots),
        visible=tuple(draft.visible),
        hidden_at=tuple(sorted(draft.hidden_at.items(), key=lambda item: item[1])),
        paused=draft.paused,
    )
    effects = draft.effects
    if new.slots != viewer.slots:
        effects.insert(0, Point(new.slots))
    wake = _wake_at(new)
    if wake != _wake_at(viewer):
        effects.append(WakeAt(wake))
    return new, tuple(effects)


def _show(draft: _Draft, publisher: str, seen: bool) -> None:
    if publisher in draft.visible:
        return  # reported twice: nothing new
    if not seen:
        draft.effects.append(Refused(publisher, "tile_unavailable"))
        return
    draft.visible.append(publisher)
    if draft.paused:
        draft.effects.append(Refused(publisher, "tiles_paused"))  # granted once resumed
        return
    if publisher in draft.slots:
        draft.hidden_at.pop(publisher, None)  # back in view before its slot was released
        return
    if None in draft.slots:
        draft.grant(publisher, draft.slots.index(None))
    elif draft.hidden_at:
        oldest = min(draft.hidden_at, key=draft.hidden_at.__getitem__)
        draft.grant(publisher, draft.release(oldest, "out_of_view"))
    else:
        draft.effects.append(Refused(publisher, "tile_budget"))


def _hide(draft: _Draft, publisher: str, now: float) -> None:
    if publisher not in draft.visible:
        return
    draft.visible.remove(publisher)
    if publisher not in draft.slots:
        return  # it was waiting: nothing to release
    waiting = [p for p in draft.visible if p not in draft.slots]
    if waiting:
        # A visible tile waits for a slot: this one is released now, not in `out_of_view_s`.
        draft.grant(waiting[0], draft.release(publisher, "out_of_view"))
    else:
        draft.hidden_at[publisher] = now


def _wake_at(viewer: Viewer) -> float | None:
    if not viewer.hidden_at:
        return None
    return viewer.hidden_at[0][1] + viewer.rules.out_of_view_s
