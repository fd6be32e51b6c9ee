"""Who watches the channel (TEL-5): a device that asked within the window, each counted once."""

from __future__ import annotations

from vvtv.domain.lab.audience import Audience


def test_a_device_counts_once_while_it_keeps_asking_and_drops_out_after_the_window() -> None:
    audience = Audience(window_s=40)
    audience.saw("tab-a", at=0)
    audience.saw("tab-b", at=10)
    audience.saw("tab-a", at=15)  # its player's next ask: still one device
    assert audience.count(at=20) == 2
    assert audience.count(at=49.9) == 2
    # b last asked at 10: gone at 50; a asked again at 15, so it stays until 55.
    assert audience.count(at=50) == 1
    audience.saw("tab-a", at=54)
    assert audience.count(at=93) == 1
    assert audience.count(at=94) == 0


def test_memory_holds_only_the_windows_devices() -> None:
    audience = Audience(window_s=10)
    for second in range(1000):
        audience.saw(f"device-{second}", at=second)
    assert audience.count(at=999) == 10
