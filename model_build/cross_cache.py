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

STATIC_INPUT = "encoder_hidden_states"


@dataclass(frozen=True)
class CrossCacheSplit:
    decoder: Path  # step graph: input_ids, past_key_values.*, boundary tensors -> logits, present.*
    cross_kv: Path  # encoder_hidden_states -> boundary tensors
    boundary: tuple[str, ...]  # tensor names passed from cross_kv to the decoder
    moved_nodes: int


def split_cross_attention(
    decoder_with_past: Path, out_dir: Path, *, static_input: str = STATIC_INPUT
) -> CrossCacheSplit:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import helper

    model = onnx.load(str(decoder_with_past))
    graph = model.graph
    for node in graph.node:
        if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
               for a in node.attribute):  # fmt: skip
            raise SystemExit(f"{decoder_with_past}: control flow ({node.op_type}); cannot split")
    if static_input not in {i.name for i in graph.input}:
        raise SystemExit(f"{decoder_with_past}: no input '{static_input}'")

    constant = {init.name for init in graph.initializer}
    static = {static_input}
    static_nodes = []
    for node in graph.node:  # ONNX graphs are topologically sorted
        inputs = [name for name in node.input if name]
        if all(name in constant for name in inputs):
            constant.update(node.output)
        elif all(name in constant or name in static for name in inputs):
            static.update(node.output)
            static_nodes.append(node)
    moved = {id(node) for node in static_nodes}
    kept_nodes = [node for node in graph.node if id(node) not in moved]
    graph_outputs = {o.name for o in graph.output}
    consumed = {name for node in kept_nodes for name in node.input if name}
    boundary = sorted(name for name in static if name in consumed or name in graph_outputs)
    if not static_nodes or boundary == [static_input]:
        raise SystemExit(f"{decoder_with_past}: nothing depends only on '{static_input}'")

    out_dir.mkdir(parents=True, exist_ok=True)
    cross_path = out_dir / "decoder_cross_kv.onnx"
    decoder_path = out_dir / "decoder_step.onnx"

    # The once-per-input model: everything upstream of the boundary tensors.
    # (shape inference first: the extractor needs a value_info for every boundary tensor)
    inferred = onnx.shape_inference.infer_shapes(model)
    cross = onnx.utils.Extractor(inferred).extract_model([static_input], boundary)
    del inferred
    onnx.save(cross, str(cross_path))
    # Boundary tensor types from a real run (shape inference may not know all of them).
    hidden = next(i for i in graph.input if i.name == static_input)
    width = hidden.type.tensor_type.shape.dim[2].dim_value or 8
    session = ort.InferenceSession(str(cross_path), providers=["CPUExecutionProvider"])
    sample = session.run(boundary, {static_input: np.zeros((1, 3, width), dtype=np.float32)})
    del session

    # The step model: the rest, with the boundary tensors as inputs.
    new_inputs = [i for i in graph.input if i.name in consumed and i.name != static_input]
    new_inputs += [
        helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(value.dtype), [None] * value.ndim
        )
        for name, value in zip(boundary, sample, strict=True)
        if name != static_input or name in consumed
    ]
    # Drop constant-only nodes that fed nothing but the moved part.
    needed = set(graph_outputs)
    step_nodes = []
    for node in reversed(kept_nodes):
        if any(name in needed for name in node.output):
            step_nodes.append(node)
            needed.update(name for name in node.input if name)
    step_nodes.reverse()
    used = needed
    step_graph = helper.make_graph(
        step_nodes,
        graph.name,
        new_inputs,
        list(graph.output),
        initializer=[init for init in graph.initializer if init.name in used],
    )
    step = helper.make_model(
        step_graph, opset_imports=list(model.opset_import), producer_name="cross_cache"
    )
    step.ir_version = model.ir_version
    onnx.checker.check_model(step)
    onnx.save(step, str(decoder_path))
    print(
        f"split       {decoder_with_past.name}: {len(static_nodes)} nodes run once per input, "
        f"{len(boundary)} boundary tensors"
    )
    return CrossCacheSplit(decoder_path, cross_path, tuple(boundary), len(static_nodes))
