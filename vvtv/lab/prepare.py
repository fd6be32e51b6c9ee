"""Prepare & QA (LAB-3): probe, fix the container, two-pass EBU R128 loudness normalisation,
transcode to the ladder and segment for HLS, once, offline; reject with a reason otherwise.

Playout never encodes: everything the channel airs was made here.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path

import msgspec
import trio

from vvtv.contracts.lab import OwnerCard
from vvtv.domain.lab.prepared import DECODE_PREPARED
from vvtv.domain.lab.prepared import PreparedItem
from vvtv.domain.lab.prepared import SegmentGroup
from vvtv.domain.lab.qa import Rejected
from vvtv.domain.lab.qa import analysis_verdict
from vvtv.domain.lab.qa import probe_verdict
from vvtv.lab import ffmpeg
from vvtv.lab.journal import PrepareJournal
from vvtv.lab.metrics import LabMetrics
from vvtv.lab.settings import LabSettings
from vvtv.lab.settings import Ladder

log = logging.getLogger(__name__)

MANIFEST = "prepared.json"


def target_of(card: OwnerCard) -> ffmpeg.Target:
    return ffmpeg.Target(
        lufs=card.target_lufs, true_peak_dbtp=card.true_peak_dbtp, lra_lu=card.loudness_range_lu
    )


def prepared_id(item_id: str, ladder: Ladder, target: ffmpeg.Target) -> str:
    """Stable for the same item, ladder and loudness target: re-airing does not re-prepare."""
    recipe = msgspec.json.encode((ladder, target))
    return f"{item_id}-{hashlib.sha256(recipe).hexdigest()[:8]}"


class Preparer:
    def __init__(
        self, settings: LabSettings, journal: PrepareJournal, metrics: LabMetrics | None = None
    ) -> None:
        self.media_root = settings.paths.media
        self._limits = settings.limits
        self._journal = journal
        self._metrics = metrics
        self.niceness = settings.limits.encoder_niceness

    async def prepare(
        self,
        item_id: str,
        source: Path,
        ladder: Ladder,
        card: OwnerCard,
        *,
        reserve: bool = False,
        urgent: bool = False,
    ) -> PreparedItem:
        """The prepared item (from cache when made before); Rejected with a reason, journalled.
        `urgent`: nothing airs until it is done, so its ffmpeg runs are not niced."""
        target = target_of(card)
        pid = prepared_id(item_id, ladder, target)
        final = self.media_root / pid
        manifest = trio.Path(final / MANIFEST)
        if await manifest.is_file():
            return DECODE_PREPARED.decode(await manifest.read_bytes())
        started = time.perf_counter()
        try:
            niceness = 0 if urgent else self.niceness
            prepared = await self._prepare(
                item_id, pid, source, ladder, card, target, reserve, niceness
            )
        except Rejected as rejected:
            log.warning("QA rejected %s: %s", item_id, rejected)
            if self._metrics is not None:
                self._metrics.rejected.labels(rejected.reason).inc()
            await self._journal.rejected(item_id, rejected.reason, rejected.detail)
            raise
        finally:
            await trio.to_thread.run_sync(shutil.rmtree, self.media_root / f"{pid}.tmp", True)
        elapsed = time.perf_counter() - started
        if self._metrics is not None:
            self._metrics.prepared.inc()
            self._metrics.prepare_duration.observe(elapsed)
            self._metrics.prepare_speed.set(prepared.duration_s / max(elapsed, 1e-6))
        log.info("prepared %s: %.1f s of media in %.1f s", item_id, prepared.duration_s, elapsed)
        return prepared

    async def _prepare(
        self,
        item_id: str,
        pid: str,
        source: Path,
        ladder: Ladder,
        card: OwnerCard,
        target: ffmpeg.Target,
        reserve: bool,
        niceness: int,
    ) -> PreparedItem:
        work = self.media_root / f"{pid}.tmp"
        await trio.to_thread.run_sync(shutil.rmtree, work, True)
        await trio.Path(work).mkdir(parents=True)
        try:
            probe = await ffmpeg.probe(source)
        except ffmpeg.ToolFailed as error:
            raise Rejected("corrupt", error.detail) from None
        if verdict := probe_verdict(
            probe,
            min_duration_s=self._limits.qa_min_duration_s,
            max_duration_s=card.max_item_duration_s,
        ):
            raise verdict
        if not probe.container_ok:
            # No duration in the container (a broken index, a raw stream): rewrite it first.
            fixed = work / "source.mkv"
            result = await ffmpeg.run(ffmpeg.remux_args(source, fixed), niceness=niceness)
            if result.returncode != 0:
                raise Rejected("corrupt", "the container cannot be rewritten")
            source = fixed
        try:
            analysis = await ffmpeg.analyse(source, target, probe.has_audio, niceness=niceness)
        except ffmpeg.ToolFailed as error:
            raise Rejected("corrupt", error.detail) from None
        if verdict := analysis_verdict(
            analysis, probe.duration_s, max_black_fraction=self._limits.qa_max_black_fraction
        ):
            raise verdict
        assert analysis.loudness is not None
        await self._journal.loudness(pid, item_id, target.lufs, analysis.raw_loudness)
        if self._metrics is not None:
            self._metrics.loudness_offset.set(target.lufs - analysis.loudness.input_i)
        for rendition in ladder.renditions:
            await trio.Path(work / rendition.name).mkdir()
        args = ffmpeg.ladder_args(
            source, work, ladder, target, analysis.loudness, self._limits.encoder_preset
        )
        try:
            await ffmpeg.run_with_progress(
                args, probe.duration_s, self._progress, niceness=niceness
            )
        except ffmpeg.ToolFailed as error:
            raise Rejected("corrupt", error.detail) from None
        segments = await self._segments(pid, work, ladder)
        prepared = PreparedItem(
            prepared_id=pid,
            item_id=item_id,
            renditions=tuple(r.name for r in ladder.renditions),
            segments=segments,
            reserve=reserve,
            measured_lufs=analysis.loudness.input_i,
        )
        await trio.Path(work / MANIFEST).write_bytes(msgspec.json.encode(prepared))
        final = self.media_root / pid
        await trio.to_thread.run_sync(shutil.rmtree, final, True)
        await trio.Path(work).rename(final)
        return prepared

    async def _segments(self, pid: str, work: Path, ladder: Ladder) -> tuple[SegmentGroup, ...]:
        per_rendition = []
        for rendition in ladder.renditions:
            text = await trio.Path(work / rendition.name / "index.m3u8").read_text()
            per_rendition.append(ffmpeg.parse_segment_durations(text))
        counts = {len(durations) for durations in per_rendition}
        if len(counts) != 1 or not per_rendition[0]:
            raise Rejected("unaligned", f"segment counts per rendition differ: {sorted(counts)}")
        groups = []
        for index, durations in enumerate(zip(*per_rendition, strict=True)):
            if max(durations) - min(durations) > 0.1:
                raise Rejected("unaligned", f"segment {index} lasts {durations} across renditions")
            groups.append(
                SegmentGroup(
                    duration_s=durations[0],
                    uris=tuple(
                        f"{pid}/{rendition.name}/seg_{index:05d}.ts"
                        for rendition in ladder.renditions
                    ),
                )
            )
        return tuple(groups)

    def _progress(self, fraction: float) -> None:
        if self._metrics is not None:
            self._metrics.prepare_progress.set(fraction)
