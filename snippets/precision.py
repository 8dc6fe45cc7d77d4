"""Number formats and the memory and communication arithmetic of large-scale training.

Float formats are described by their exponent and mantissa bit counts; rounding
to fp16 uses numpy's float16, bf16 and fp8 are emulated. The loss scaler, the
memory estimates (mixed-precision Adam, ZeRO, activations) and the ring
all-reduce are the numbers behind docs/*/systems/training-at-scale.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


# --8<-- [start:float_format]
@dataclass(frozen=True)
class FloatFormat:
    """A binary float with 1 sign bit, exp_bits exponent bits and man_bits
    stored mantissa bits (the leading 1 of a normal number is implicit).

    ieee: the all-ones exponent is reserved for inf/NaN (fp16, bf16, fp32,
    fp8 E5M2). If False (fp8 E4M3), only all-ones exponent *and* mantissa is
    NaN, so the top exponent holds finite values and there is no inf.
    """

    exp_bits: int
    man_bits: int
    ieee: bool = True

    @property
    def bias(self) -> int:
        return 2 ** (self.exp_bits - 1) - 1

    @property
    def max(self) -> float:
        """Largest finite value: the largest mantissa at the largest usable exponent."""
        if self.ieee:
            e_max = 2**self.exp_bits - 2 - self.bias  # all-ones exponent is inf/NaN
            return (2.0 - 2.0**-self.man_bits) * 2.0**e_max
        e_max = 2**self.exp_bits - 1 - self.bias
        return (2.0 - 2.0 ** (1 - self.man_bits)) * 2.0**e_max  # mantissa 1...10

    @property
    def min_normal(self) -> float:
        """Smallest positive normal number 2^(1 - bias): the exponent field 0...01."""
        return 2.0 ** (1 - self.bias)

    @property
    def min_subnormal(self) -> float:
        """Smallest positive number: exponent field 0, mantissa 0...01."""
        return 2.0 ** (1 - self.bias - self.man_bits)

    @property
    def eps(self) -> float:
        """Machine epsilon: the gap between 1 and the next number, 2^-man_bits."""
        return 2.0**-self.man_bits


FP32 = FloatFormat(8, 23)
FP16 = FloatFormat(5, 10)
BF16 = FloatFormat(8, 7)
FP8_E4M3 = FloatFormat(4, 3, ieee=False)
FP8_E5M2 = FloatFormat(5, 2)
# --8<-- [end:float_format]


# --8<-- [start:round_to_format]
def round_to_format(x: Array, fmt: FloatFormat, saturate: bool = False) -> Array:
    """Round x to the nearest value of fmt (ties to even), with subnormals.

    Values beyond fmt.max become +-inf (or +-fmt.max if saturate, as fp8
    casts usually do). Returns float64 values that fmt can represent exactly.
    """
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    _, e = np.frexp(ax)  # ax = f * 2^e with f in [0.5, 1), so floor(log2 ax) = e - 1
    # Below the normal range the spacing stops shrinking: that is what subnormals are.
    exponent = np.maximum(e - 1, 1 - fmt.bias)
    step = np.ldexp(1.0, exponent - fmt.man_bits)  # spacing of numbers in this binade
    q = np.round(ax / step) * step  # np.round rounds half to even
    q = np.where(q > fmt.max, fmt.max if saturate else np.inf, q)
    return np.copysign(q, x)


def to_fp16(x: Array) -> Array:
    """Round to IEEE half precision with numpy's float16 (the hardware rule).
    Beyond 65504 the result is inf, as on a GPU (no warning: it is the point)."""
    with np.errstate(over="ignore"):
        return np.asarray(x, dtype=np.float64).astype(np.float16).astype(np.float64)


def to_bf16(x: Array, rounding: str = "nearest") -> Array:
    """bf16 is the top 16 bits of a float32: keep them, rounding or truncating.

    "nearest" adds 0x7FFF plus the lowest kept bit before cutting (round half to
    even on the bit pattern); "truncate" just zeroes the low 16 bits, which
    always rounds towards zero. NaN stays NaN.
    """
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    if rounding == "nearest":
        bits = bits + 0x7FFF + ((bits >> 16) & 1)
    elif rounding != "truncate":
        raise ValueError(f"unknown rounding {rounding!r}")
    out = (bits & 0xFFFF0000).astype(np.uint32).view(np.float32).astype(np.float64)
    return np.where(np.isnan(x), np.nan, out)


# --8<-- [end:round_to_format]


# --8<-- [start:loss_scaler]
@dataclass
class DynamicLossScaler:
    """Dynamic loss scaling (the policy of PyTorch's GradScaler).

    Multiply the loss by `scale` before backward, so small gradients stay
    above fp16's underflow limit; divide the gradients by it before the step.
    If any gradient is inf/NaN the step is skipped and the scale halved; after
    `growth_interval` good steps in a row it is doubled, to probe for the
    largest scale that does not overflow.
    """

    scale: float = 2.0**16
    growth_factor: float = 2.0
    backoff_factor: float = 0.5
    growth_interval: int = 2000
    good_steps: int = 0

    def unscale(self, grads: Array) -> tuple[Array, bool]:
        """Gradients of the scaled loss -> true gradients, and whether all are finite."""
        finite = bool(np.all(np.isfinite(grads)))
        return grads / self.scale, finite

    def update(self, finite: bool) -> bool:
        """Advance the state machine after one backward; returns whether to step."""
        if not finite:
            self.scale *= self.backoff_factor
            self.good_steps = 0
            return False
        self.good_steps += 1
        if self.good_steps == self.growth_interval:
            self.scale *= self.growth_factor
            self.good_steps = 0
        return True


def fp16_gradients(true_grads: Array, scale: float) -> Array:
    """What survives of true_grads when the backward pass runs in fp16 with
    the loss multiplied by scale: round g*scale to fp16, then unscale in fp32."""
    return to_fp16(true_grads * scale) / scale


# --8<-- [end:loss_scaler]


# --8<-- [start:memory]
def mixed_precision_adam_bytes(n_params: float) -> dict[str, float]:
    """Bytes of model state for mixed-precision Adam (activations not included).

    fp16/bf16 weights and gradients (2 + 2 bytes), and the fp32 optimizer
    state: master weights, first and second moments (4 + 4 + 4 = K = 12).
    """
    per_param = {"weights": 2, "grads": 2, "master": 4, "adam_m": 4, "adam_v": 4}
    return {name: b * n_params for name, b in per_param.items()}


def zero_bytes_per_gpu(n_params: float, n_gpus: int, stage: int, k: int = 12) -> float:
    """Model-state bytes per GPU under ZeRO (Rajbhandari et al. 2019).

    stage 0: plain data parallelism, (2 + 2 + k) * psi on every GPU;
    stage 1 shards the optimizer state, 2 psi + 2 psi + k psi / N_d;
    stage 2 also the gradients, 2 psi + (2 + k) psi / N_d;
    stage 3 also the weights, (2 + 2 + k) psi / N_d.
    """
    psi, n = n_params, n_gpus
    per_stage = {
        0: (2 + 2 + k) * psi,
        1: 2 * psi + 2 * psi + k * psi / n,
        2: 2 * psi + (2 + k) * psi / n,
        3: (2 + 2 + k) * psi / n,
    }
    return per_stage[stage]


def activation_bytes_per_layer(
    s: int, b: int, h: int, a: int, t: int = 1, recompute: str = "none"
) -> float:
    """Activation memory of one transformer layer in 16-bit (Korthikanti et al. 2022).

    s: sequence length, b: micro-batch, h: hidden size, a: heads, t: tensor-
    parallel size with sequence parallelism. 34 s b h bytes are the linear
    layers, norms, GELU and dropout masks; 5 a s^2 b bytes are the attention
    scores, softmax and its dropout mask, quadratic in s.
    "selective" recomputes only the attention core (drops the 5as/h term);
    "full" keeps just the layer's input, 2 s b h bytes.
    """
    if recompute == "full":
        return 2.0 * s * b * h / t
    attention_core = 0.0 if recompute == "selective" else 5.0 * a * s / h
    return s * b * h * (34.0 + attention_core) / t


# --8<-- [end:memory]


# --8<-- [start:ring_allreduce]
def ring_allreduce(xs: list[Array]) -> tuple[list[Array], list[int]]:
    """All-reduce (sum) of one vector per worker over a ring of N workers.

    xs: N arrays of the same length n. Each is cut into N chunks. In the
    reduce-scatter phase (N - 1 steps) worker i sends one chunk to worker
    i + 1, which adds it to its own; afterwards worker i holds the full sum of
    chunk i + 1. The all-gather phase (N - 1 steps) passes the finished chunks
    round the ring. Returns (the N results, elements sent by each worker);
    the latter is 2 (N - 1) n / N when N divides n: almost independent of N.
    """
    N = len(xs)
    chunks = [np.array_split(x.astype(np.float64), N) for x in xs]
    sent = [0] * N
    for k in range(N - 1):  # reduce-scatter
        msgs = [(i, (i - k) % N, chunks[i][(i - k) % N].copy()) for i in range(N)]
        for i, c, data in msgs:  # all sends of a step happen at once
            chunks[(i + 1) % N][c] += data
            sent[i] += data.size
    for k in range(N - 1):  # all-gather
        msgs = [(i, (i + 1 - k) % N, chunks[i][(i + 1 - k) % N].copy()) for i in range(N)]
        for i, c, data in msgs:
            chunks[(i + 1) % N][c] = data
            sent[i] += data.size
    return [np.concatenate(c) for c in chunks], sent


# --8<-- [end:ring_allreduce]


# --8<-- [start:pipeline_bubble]
def pipeline_bubble_fraction(p: int, m: int) -> float:
    """Idle fraction of a GPipe or 1F1B schedule: p stages, m micro-batches.

    Each stage is busy for m slots out of m + p - 1 (the pipeline fills and
    drains once), so (p - 1) / (m + p - 1) of the time is bubble.
    """
    return (p - 1) / (m + p - 1)


# --8<-- [end:pipeline_bubble]
