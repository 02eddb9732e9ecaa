"""Reader for Marian's binary model format (`*.bin`), including intgemm8 weights.

Layout (marian `common/binary.cpp`, format version 1), all little-endian:
  uint64 version, uint64 item count N,
  N headers of 4 x uint64 (name length, type code, shape length, data length),
  N names (NUL-terminated), N shapes (int32 each), uint64 padding length + padding,
  then every item's data, back to back (each block already padded to 256 bytes).

Type codes: low byte = element size; 0x0100 signed, 0x0400 float, 0x4000 intgemm.
An `intgemm8` item (0x4101) stores int8 values quantized as round(w * q) with
q = 127 / max|w| ("quantMult"), followed by q as a float32. Unlike the prepared variants
(intgemm8ssse3/avx2/avx512, other flags), plain intgemm8 is architecture-independent row-major,
but Marian wrote every matrix *transposed* ([out, in]) except `Wemb` (Marian's
expression_graph_packable.h); `read_intgemm8` undoes that so callers get [in, out].
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TYPE_INT8 = 0x0101
TYPE_FLOAT32 = 0x0404
TYPE_INTGEMM8 = 0x4101
MODEL_YML = "special:model.yml"


@dataclass(frozen=True)
class MarianItem:
    name: str
    type_code: int
    shape: tuple[int, ...]
    data: bytes


@dataclass(frozen=True)
class QuantizedMatrix:
    """int8 values in the logical orientation ([in, out], or [vocab, dim] for Wemb)."""

    values: np.ndarray  # int8
    quant_mult: float  # w ≈ values / quant_mult

    def dequantize(self) -> np.ndarray:
        return self.values.astype(np.float32) * np.float32(1.0 / self.quant_mult)


def read_items(path: Path) -> dict[str, MarianItem]:
    blob = path.read_bytes()
    version, count = struct.unpack_from("<QQ", blob, 0)
    if version != 1:
        raise ValueError(f"{path}: Marian binary format version {version}, expected 1")
    offset = 16
    headers = [struct.unpack_from("<QQQQ", blob, offset + 32 * i) for i in range(count)]
    offset += 32 * count
    names = []
    for name_len, _, _, _ in headers:
        names.append(blob[offset : offset + name_len].rstrip(b"\0").decode())
        offset += name_len
    shapes = []
    for _, _, shape_len, _ in headers:
        shapes.append(struct.unpack_from(f"<{shape_len}i", blob, offset))
        offset += 4 * shape_len
    (padding,) = struct.unpack_from("<Q", blob, offset)
    offset += 8 + padding
    items = {}
    for name, (_, type_code, _, data_len), shape in zip(names, headers, shapes, strict=True):
        items[name] = MarianItem(name, type_code, tuple(shape), blob[offset : offset + data_len])
        offset += data_len
    if offset != len(blob):
        raise ValueError(f"{path}: {len(blob) - offset} trailing bytes; not a Marian binary model")
    return items


def read_float32(item: MarianItem) -> np.ndarray:
    if item.type_code != TYPE_FLOAT32:
        raise ValueError(f"{item.name}: type {item.type_code:#06x}, expected float32")
    count = int(np.prod(item.shape))
    return np.frombuffer(item.data, dtype="<f4", count=count).reshape(item.shape).copy()


def read_intgemm8(item: MarianItem) -> QuantizedMatrix:
    if item.type_code != TYPE_INTGEMM8:
        raise ValueError(f"{item.name}: type {item.type_code:#06x}, expected intgemm8 (0x4101)")
    rows, cols = item.shape
    count = rows * cols
    values = np.frombuffer(item.data, dtype=np.int8, count=count)
    (quant_mult,) = struct.unpack_from("<f", item.data, count)
    # Wemb is stored as is; every other matrix transposed ([cols, rows] in memory).
    matrix = values.reshape(rows, cols) if "Wemb" in item.name else values.reshape(cols, rows).T
    return QuantizedMatrix(np.ascontiguousarray(matrix), float(quant_mult))


def read_model_yml(items: dict[str, MarianItem]) -> str:
    return items[MODEL_YML].data.rstrip(b"\0").decode()
