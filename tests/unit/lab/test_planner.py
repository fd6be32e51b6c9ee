"""The planner's rules (LAB-1), as properties over random catalogs and OwnerCards."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from datetime import datetime

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from vvtv.contracts.lab import Daypart
from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.contracts.lab import TagQuota
from vvtv.domain.lab.planner import Airing
from vvtv.domain.lab.planner import Intention
from vvtv.domain.lab.planner import alternates
from vvtv.domain.lab.planner import daypart_at
from vvtv.domain.lab.planner import plan

TAGS = ("news", "music", "film", "kids")
START = 1_700_000_000.0  # 2023-11-14 22:13 UTC


def items_strategy() -> st.SearchStrategy[list[MediaItem]]:
    item = st.builds(
        lambda index, duration, tags: MediaItem(
            id=f"item{index}", source=f"/media/{index}.mp4", duration_s=duration,
            tags=tuple(sorted(tags)),
        ),
        st.integers(0, 10_000),
        st.floats(30, 1800),
        st.sets(st.sampled_from(TAGS), min_size=1, max_size=2),
    )  # fmt: skip
    return st.lists(item, min_size=1, max_size=25, unique_by=lambda i: i.id)


cards = st.builds(
    lambda window, quotas, max_duration: OwnerCard(
        no_repeat_window_s=window,
        tag_quotas=tuple(TagQuota(tag=tag, max_share=share) for tag, share in quotas.items()),
        max_item_duration_s=max_duration,
    ),
    st.floats(0, 4 * 3600),
    st.dictionaries(st.sampled_from(TAGS), st.floats(0.05, 1.0), max_size=3),
    st.floats(60, 3600),
)


@settings(max_examples=150, deadline=None)
@given(items=items_strategy(), card=cards, seed=st.integers(0, 2**32), hours=st.integers(1, 12))
def test_no_item_repeats_inside_the_window(
    items: list[MediaItem], card: OwnerCard, seed: int, hours: int
) -> None:
    """LAB-1: no item airs again less than no_repeat_window_s after it ended."""
    made = plan(items, card, starts_at=START, horizon_s=hours * 3600, seed=seed)
    last_end: dict[str, float] = {}
    for intention in made.intentions:
        if intention.item_id in last_end:
            assert intention.starts_at - last_end[intention.item_id] >= card.no_repeat_window_s
        last_end[intention.item_id] = intention.starts_at + intention.duration_s


@settings(max_examples=150, deadline=None)
@given(items=items_strategy(), card=cards, seed=st.integers(0, 2**32), hours=st.integers(1, 12))
def test_tag_quotas_and_max_duration_hold(
    items: list[MediaItem], card: OwnerCard, seed: int, hours: int
) -> None:
    """LAB-1: each tag fills at most its quota of the planned airtime; no item is too long."""
    horizon = hours * 3600.0
    made = plan(items, card, starts_at=START, horizon_s=horizon, seed=seed)
    by_id = {item.id: item for item in items}
    airtime: dict[str, float] = defaultdict(float)
    for intention in made.intentions:
        assert intention.duration_s <= card.max_item_duration_s
        for tag in by_id[intention.item_id].tags:
            airtime[tag] += intention.duration_s
    for quota in card.tag_quotas:
        assert airtime[quota.tag] <= quota.max_share * horizon + 1e-6


@settings(max_examples=50, deadline=None)
@given(items=items_strategy(), card=cards, seed=st.integers(0, 2**32))
def test_a_seed_gives_the_same_plan(items: list[MediaItem], card: OwnerCard, seed: int) -> None:
    """LAB-1: planning is deterministic for a seed (whatever the catalog's order)."""
    first = plan(items, card, starts_at=START, horizon_s=6 * 3600, seed=seed)
    again = plan(list(reversed(items)), card, starts_at=START, horizon_s=6 * 3600, seed=seed)
    assert first == again


@settings(max_examples=80, deadline=None)
@given(items=items_strategy(), seed=st.integers(0, 2**32))
def test_intentions_are_back_to_back_and_fill_the_horizon_when_possible(
    items: list[MediaItem], seed: int
) -> None:
    """LAB-1: intentions follow each other without gaps until the horizon (or the plan says why
    not)."""
    card = OwnerCard(no_repeat_window_s=0, max_item_duration_s=3600)
    made = plan(items, card, starts_at=START, horizon_s=3 * 3600, seed=seed)
    assert made.complete
    at = START
    for intention in made.intentions:
        assert intention.starts_at == at
        at += intention.duration_s
    assert at >= START + 3 * 3600


def test_dayparts_choose_their_tags_and_rights_windows_are_kept() -> None:
    """LAB-1: a daypart airs only its tags; an item airs only inside its rights window."""
    morning = Daypart(name="morning", start_hour=6, end_hour=12, tags=("kids",))
    card = OwnerCard(dayparts=(morning,), no_repeat_window_s=0)
    six_am = datetime(2024, 5, 1, 6, tzinfo=UTC).timestamp()
    items = [
        MediaItem(id="cartoon", source="/c", duration_s=600, tags=("kids",)),
        MediaItem(id="late", source="/l", duration_s=600, tags=("film",)),
        MediaItem(
            id="expired", source="/e", duration_s=600, tags=("kids",),
            rights_until=datetime(2024, 4, 1, tzinfo=UTC),
        ),
    ]  # fmt: skip
    made = plan(items, card, starts_at=six_am, horizon_s=3600, seed=1)
    assert {i.item_id for i in made.intentions} == {"cartoon"}
    assert all(i.daypart == "morning" for i in made.intentions)
    assert daypart_at(card, six_am - 1) is None


def test_the_plan_stops_short_when_nothing_may_air() -> None:
    """LAB-1: an exhausted catalog ends the plan early instead of repeating inside the window."""
    items = [MediaItem(id="only", source="/o", duration_s=600)]
    made = plan(items, OwnerCard(no_repeat_window_s=3600), starts_at=START, horizon_s=7200, seed=0)
    assert [i.item_id for i in made.intentions] == ["only"]
    assert not made.complete


def test_alternates_satisfy_the_same_intention_closest_duration_first() -> None:
    """LAB-2: a substitute carries the intention's tags, is rested, and is not the failed item."""
    intention = Intention(
        slot=0, starts_at=START, item_id="wanted", duration_s=600, daypart="day",
        wanted_tags=("music",), policy_version=1,
    )  # fmt: skip
    items = [
        MediaItem(id="wanted", source="/w", duration_s=600, tags=("music",)),
        MediaItem(id="near", source="/n", duration_s=590, tags=("music",)),
        MediaItem(id="far", source="/f", duration_s=60, tags=("music",)),
        MediaItem(id="film", source="/x", duration_s=600, tags=("film",)),
        MediaItem(id="tired", source="/t", duration_s=600, tags=("music",)),
    ]
    recent = [Airing(item_id="tired", starts_at=START - 700, duration_s=600)]
    found = alternates(intention, items, OwnerCard(no_repeat_window_s=3600), recent, exclude=())
    assert [item.id for item in found] == ["near", "far"]
