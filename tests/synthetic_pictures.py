"""The frame checks' known test image set, made at test time (issue 16): an abstract picture in
skin tones that the classifier scores high (two soft shaded ovals, nothing explicit) and a
neutral outdoor scene (sky, grass) that it scores near zero. Also a publishing track that sends
one of them, pre-encoded as VP8 (the client never encodes)."""

from __future__ import annotations

import functools
from typing import Literal

import av
import numpy as np
import numpy.typing as npt
from PIL import Image
from PIL import ImageFilter

from tests.synthetic_media import ClipVideoTrack
from tests.synthetic_media import vp8_encoder

Picture = Literal["skin_tones", "neutral_scene"]
_SKIN = np.array((235, 180, 170), dtype=np.float64)


def picture(name: Picture, width: int = 640, height: int = 360) -> npt.NDArray[np.uint8]:
    """The RGB picture `name`, `height` x `width` x 3."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    if name == "neutral_scene":
        rgb = np.empty((height, width, 3))
        rgb[: height // 2] = (110, 160, 220)  # sky
        rgb[height // 2 :] = (60, 130, 60)  # grass
        rgb[((x // 32 + y // 32) % 2 == 0)] *= 0.9  # some texture
        return rgb.clip(0, 255).astype(np.uint8)
    # Two soft ovals, shaded towards their rims, on a slightly darker field of the same tone.
    left = ((x - width * 0.35) / (width / 5)) ** 2 + ((y - height * 0.55) / (height / 3)) ** 2
    right = ((x - width * 0.65) / (width / 5)) ** 2 + ((y - height * 0.55) / (height / 3)) ** 2
    inside = ((left < 1) | (right < 1))[..., None]
    shade = np.clip(1.05 - 0.3 * np.minimum(left, right), 0.5, 1)[..., None]
    rgb = np.where(inside, _SKIN * shade, _SKIN * 0.8).clip(0, 255).astype(np.uint8)
    blurred = Image.fromarray(rgb).filter(ImageFilter.GaussianBlur(width / 160))
    return np.asarray(blurred, dtype=np.uint8)


@functools.cache
def encoded_picture(name: Picture, width: int, height: int, fps: int) -> tuple[bytes, ...]:
    """One second of VP8 showing `name`, starting with a keyframe (so it can loop)."""
    codec = vp8_encoder(width, height, fps)
    still = av.VideoFrame.from_ndarray(picture(name, width, height), format="rgb24")
    payloads: list[bytes] = []
    for index in range(fps):
        frame = still.reformat(format="yuv420p")
        frame.pts = index
        payloads.extend(bytes(packet) for packet in codec.encode(frame))
    payloads.extend(bytes(packet) for packet in codec.encode(None))
    return tuple(payloads)


class PictureVideoTrack(ClipVideoTrack):
    """Sends `name` at `fps` in real time, as pre-encoded VP8 packets."""

    def __init__(self, name: Picture, width: int = 640, height: int = 360, fps: int = 15) -> None:
        super().__init__(encoded_picture(name, width, height, fps), fps)
