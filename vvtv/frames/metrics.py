"""The frame checks' Prometheus series: checks by outcome and what they cost (issue 16)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from vvtv.observability.series import Series

OUTCOMES = ("clear", "blur", "report", "end_call")


class FrameCheckMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.checks = series.counter(
            "vvtv_frame_checks",
            "Camera frames checked, by their strongest outcome (clear, blur, report, end_call).",
            {"outcome": OUTCOMES},
        )
        self.cpu = series.counter(
            "vvtv_frame_check_cpu_seconds",
            "CPU seconds the SFU spent checking frames (scaling and classifying).",
        )
        self.blurred = series.gauge(
            "vvtv_frame_checks_blurred", "Publishers whose tiles show blurred now."
        )
