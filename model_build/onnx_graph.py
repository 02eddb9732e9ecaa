"""A tiny helper for writing ONNX graphs by hand with `onnx.helper` (unique names, constants)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data

ALIGNMENT = 4096  # external blobs start on page boundaries (mmap-friendly)


class SharedWeights:
    """One external-data file for several graphs: a tensor used by two graphs (e.g. a tied
    embedding) is stored once. Tensors are keyed by name; same name must mean same data."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._blobs: dict[str, tuple[int, bytes]] = {}
        self._size = 0

    def place(self, tensor: onnx.TensorProto) -> None:
        blob = tensor.raw_data
        if tensor.name in self._blobs:
            if self._blobs[tensor.name][1] != blob:
                raise ValueError(f"two different tensors named {tensor.name}")
        else:
            offset = -(-self._size // ALIGNMENT) * ALIGNMENT
            self._blobs[tensor.name] = (offset, blob)
            self._size = offset + len(blob)
        offset = self._blobs[tensor.name][0]
        set_external_data(tensor, self.location, offset=offset, length=len(blob))
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL

    def write(self, directory: Path) -> Path:
        path = directory / self.location
        with path.open("wb") as handle:
            for offset, blob in sorted(self._blobs.values(), key=lambda item: item[0]):
                handle.write(b"\0" * (offset - handle.tell()))
                handle.write(blob)
        return path


class GraphWriter:
    def __init__(self, name: str, shared: SharedWeights | None = None) -> None:
        self.name = name
        self.shared = shared
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._counter = 0
        self._constants: dict[tuple[str, bytes, tuple[int, ...]], str] = {}

    def fresh(self, hint: str) -> str:
        self._counter += 1
        return f"{hint}_{self._counter}"

    def input(self, name: str, elem_type: int, shape: list[Any]) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def output(self, value: str, name: str, elem_type: int, shape: list[Any]) -> str:
        self.op("Identity", [value], out=name)
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def weight(self, name: str, array: np.ndarray) -> str:
        tensor = numpy_helper.from_array(np.ascontiguousarray(array), name)
        if self.shared is not None and array.size >= 1024:  # small ones stay inline
            self.shared.place(tensor)
        self.initializers.append(tensor)
        return name

    def const(self, value: Any, dtype: Any = np.float32) -> str:
        """A small constant initializer; identical constants are shared."""
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.tobytes(), array.shape)
        if key not in self._constants:
            self._constants[key] = self.weight(self.fresh("const"), array)
        return self._constants[key]

    def op(
        self,
        op_type: str,
        inputs: list[str],
        *,
        out: str | None = None,
        outputs: int = 1,
        domain: str = "",
        **attrs: Any,
    ) -> str:
        names = [out or self.fresh(op_type.lower())] + [
            self.fresh(op_type.lower()) for _ in range(outputs - 1)
        ]
        self.nodes.append(helper.make_node(op_type, inputs, names, domain=domain or None, **attrs))
        return names[0] if outputs == 1 else ",".join(names)

    def multi(self, op_type: str, inputs: list[str], outputs: int, **attrs: Any) -> list[str]:
        return self.op(op_type, inputs, outputs=outputs, **attrs).split(",")

    def model(self, opset: int, doc: str) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, self.name, self.inputs, self.outputs, self.initializers
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="model_build"
        )
        model.ir_version = 8
        model.doc_string = doc
        if self.shared is None:  # external tensors are checked once written (check_path)
            onnx.checker.check_model(model, full_check=True)
        return model


def save_checked(model: onnx.ModelProto, path: Path) -> None:
    onnx.save(model, path)
    onnx.checker.check_model(str(path), full_check=True)


FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64
