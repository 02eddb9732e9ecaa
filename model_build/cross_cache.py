"""Split a decoder step into "once per input" and "every step" graphs (cross-attention cache).

optimum's ViT-GPT2 decoder recomputes GPT-2's cross-attention keys/values from the encoder
output at every generated token (12 layers x 2 projections of 197x768 per step: most of the
decoding time). Everything in the decoder graph that depends only on `encoder_hidden_states`
(and constants) is the same at every step, so this moves it into a separate model that runs
once per image: `cross_kv` (encoder_hidden_states -> the boundary tensors) and a decoder that
takes those boundary tensors as inputs instead. Generic: it finds the static part by data flow,
not by node names, so it works for any decoder-with-past graph without control flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATIC_INPUT = "encoder_hidden_states"


@dataclass(frozen=True)
class CrossCacheSplit:
    decoder: Path  # step graph: input_ids, past_key_values.*, boundary tensors -> logits, present.*
    cross_kv: Path  # encoder_hidden_states -> boundary tensors
    boundary: tuple[str, ...]  # tensor names passed from cross_kv to the decoder
    moved_nodes: int


@dataclass(frozen=True)
class _Partition:
    """Where each decoder node runs, found by data flow from the static input."""

    static_nodes: list[Any]  # depend only on the static input and constants: run once per input
    kept_nodes: list[Any]  # everything else: run at every step
    consumed: set[str]  # tensors the kept nodes read
    boundary: list[str]  # static tensors the step still needs (sorted)


def split_cross_attention(
    decoder_with_past: Path, out_dir: Path, *, static_input: str = STATIC_INPUT
) -> CrossCacheSplit:
    import onnx

    model = onnx.load(str(decoder_with_past))
    _check_splittable(model.graph, decoder_with_past, static_input)
    part = _partition(model.graph, static_input)
    if not part.static_nodes or part.boundary == [static_input]:
        raise SystemExit(f"{decoder_with_past}: nothing depends only on '{static_input}'")

    out_dir.mkdir(parents=True, exist_ok=True)
    cross_path = out_dir / "decoder_cross_kv.onnx"
    decoder_path = out_dir / "decoder_step.onnx"
    _save_cross_kv_model(model, static_input, part.boundary, cross_path)
    sample = _run_cross_kv_model(cross_path, model.graph, static_input, part.boundary)
    step = _step_model(model, part, sample, static_input)
    onnx.checker.check_model(step)
    onnx.save(step, str(decoder_path))
    print(
        f"split       {decoder_with_past.name}: {len(part.static_nodes)} nodes run once per input, "
        f"{len(part.boundary)} boundary tensors"
    )
    return CrossCacheSplit(decoder_path, cross_path, tuple(part.boundary), len(part.static_nodes))


def _has_subgraph(node: Any) -> bool:
    import onnx

    graph_types = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
    return any(attribute.type in graph_types for attribute in node.attribute)


def _check_splittable(graph: Any, source: Path, static_input: str) -> None:
    for node in graph.node:
        if _has_subgraph(node):
            raise SystemExit(f"{source}: control flow ({node.op_type}); cannot split")
    if static_input not in {i.name for i in graph.input}:
        raise SystemExit(f"{source}: no input '{static_input}'")


def _node_inputs(node: Any) -> list[str]:
    return [name for name in node.input if name]  # "" marks an omitted optional input


def _static_nodes(graph: Any, static_input: str) -> tuple[list[Any], set[str]]:
    """The nodes that depend on the static input and constants only, and every static tensor."""
    constant = {init.name for init in graph.initializer}
    static = {static_input}
    static_nodes = []
    for node in graph.node:  # ONNX graphs are topologically sorted
        inputs = _node_inputs(node)
        if all(name in constant for name in inputs):
            constant.update(node.output)
        elif all(name in constant or name in static for name in inputs):
            static.update(node.output)
            static_nodes.append(node)
    return static_nodes, static


def _partition(graph: Any, static_input: str) -> _Partition:
    static_nodes, static = _static_nodes(graph, static_input)
    moved = {id(node) for node in static_nodes}
    kept_nodes = [node for node in graph.node if id(node) not in moved]
    graph_outputs = {o.name for o in graph.output}
    consumed = {name for node in kept_nodes for name in _node_inputs(node)}
    boundary = sorted(name for name in static if name in consumed or name in graph_outputs)
    return _Partition(static_nodes, kept_nodes, consumed, boundary)


def _save_cross_kv_model(model: Any, static_input: str, boundary: list[str], path: Path) -> None:
    """The once-per-input model: everything upstream of the boundary tensors."""
    import onnx

    # shape inference first: the extractor needs a value_info for every boundary tensor
    inferred = onnx.shape_inference.infer_shapes(model)
    cross = onnx.utils.Extractor(inferred).extract_model([static_input], boundary)
    onnx.save(cross, str(path))


def _run_cross_kv_model(
    path: Path, graph: Any, static_input: str, boundary: list[str]
) -> list[Any]:
    """Boundary tensor values from a real run (shape inference may not know all their types)."""
    import numpy as np
    import onnxruntime as ort

    hidden = next(i for i in graph.input if i.name == static_input)
    width = hidden.type.tensor_type.shape.dim[2].dim_value or 8
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return list(session.run(boundary, {static_input: np.zeros((1, 3, width), dtype=np.float32)}))


def _step_inputs(graph: Any, part: _Partition, sample: list[Any], static_input: str) -> list[Any]:
    """The step model's inputs: the graph's remaining inputs, then the boundary tensors."""
    from onnx import helper

    inputs = [i for i in graph.input if i.name in part.consumed and i.name != static_input]
    inputs += [
        helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(value.dtype), [None] * value.ndim
        )
        for name, value in zip(part.boundary, sample, strict=True)
        if name != static_input or name in part.consumed
    ]
    return inputs


def _needed_nodes(nodes: list[Any], outputs: set[str]) -> tuple[list[Any], set[str]]:
    """The nodes that feed `outputs` (in graph order) and every tensor they read.

    This drops constant-only nodes that fed nothing but the moved part.
    """
    needed = set(outputs)
    kept = []
    for node in reversed(nodes):
        if any(name in needed for name in node.output):
            kept.append(node)
            needed.update(_node_inputs(node))
    kept.reverse()
    return kept, needed


def _step_model(model: Any, part: _Partition, sample: list[Any], static_input: str) -> Any:
    """The every-step model: the rest of the graph, with the boundary tensors as inputs."""
    from onnx import helper

    graph = model.graph
    step_nodes, used = _needed_nodes(part.kept_nodes, {o.name for o in graph.output})
    step_graph = helper.make_graph(
        step_nodes,
        graph.name,
        _step_inputs(graph, part, sample, static_input),
        list(graph.output),
        initializer=[init for init in graph.initializer if init.name in used],
    )
    step = helper.make_model(
        step_graph, opset_imports=list(model.opset_import), producer_name="cross_cache"
    )
    step.ir_version = model.ir_version
    return step
