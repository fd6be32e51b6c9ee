"""The rules of media-profiles.yaml (CFG-4): degrade chains (THB-4) and the broadcast ladder."""

from __future__ import annotations

from typing import Any

from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.validate.locator import Locator


def check_media(media: MediaProfiles, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for name, profile in media.profiles.items():
        here: KeyPath = ("profiles", name)
        if profile.kind == "thumbnail" and profile.audio_enabled:
            problems.append(
                at.problem((*here, "audio"), "must be false for thumbnail profiles (INV-3)")
            )
        if (profile.transport == "local") != (profile.direction == "local"):
            problems.append(
                at.problem(
                    (*here, "direction"),
                    "transport and direction must both be `local` or neither (MED-3)",
                )
            )
        if profile.transport != "local" and profile.video.max_bitrate_kbps <= 0:
            problems.append(
                at.problem(
                    (*here, "video", "max_bitrate_kbps"),
                    "must be > 0 for a profile sent over the network (MED-3)",
                )
            )
        if profile.degrade_to is None:
            continue
        target = media.profiles.get(profile.degrade_to)
        where = (*here, "degrade_to")
        if target is None:
            problems.append(
                at.problem(where, f"names unknown profile `{profile.degrade_to}` (CFG-4)")
            )
        elif profile.degrade_to == name or target.kind != profile.kind:
            problems.append(
                at.problem(where, f"must name another `{profile.kind}` profile (THB-4)")
            )
        elif _exceeds(target.video, profile.video) or (
            target.audio_enabled and not profile.audio_enabled
        ):
            problems.append(
                at.problem(
                    where,
                    f"`{profile.degrade_to}` is not lower than `{name}` "
                    "in size, fps and bitrate (THB-4)",
                )
            )
    problems += _check_degrade_cycles(media, at)
    ladder = media.broadcast_ladder
    for index, rendition in enumerate(ladder.renditions):
        where = ("broadcast_ladder", "renditions", index)
        found = media.profiles.get(rendition)
        if found is None:
            problems.append(at.problem(where, f"names unknown profile `{rendition}` (CFG-4)"))
        elif found.kind != "broadcast":
            problems.append(at.problem(where, f"`{rendition}` is not a broadcast profile (LAB-5)"))
        elif not _whole_multiple(ladder.segment_s, found.video.keyframe_interval_s):
            problems.append(
                at.problem(
                    ("broadcast_ladder", "segment_s"),
                    f"must be a whole number of `{rendition}` GOPs "
                    f"({found.video.keyframe_interval_s} s) (LAB-5)",
                )
            )
    return problems


def _exceeds(lower: Any, upper: Any) -> bool:
    fields = ("width", "height", "fps", "max_bitrate_kbps")
    return any(getattr(lower, f) > getattr(upper, f) for f in fields)


def _whole_multiple(total: float, step: float) -> bool:
    ratio = total / step
    return abs(ratio - round(ratio)) < 1e-9


def _check_degrade_cycles(media: MediaProfiles, at: Locator) -> list[Problem]:
    problems = []
    for name in media.profiles:
        seen = {name}
        current = media.profiles[name].degrade_to
        while current is not None and current in media.profiles:
            if current in seen:
                problems.append(
                    at.problem(("profiles", name, "degrade_to"), "degrade chain loops (THB-4)")
                )
                break
            seen.add(current)
            current = media.profiles[current].degrade_to
    return problems
