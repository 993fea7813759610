"""One-time ONNX fix-ups applied at install time.

Files exported by old converters list their weights as graph inputs (ONNX
Runtime then cannot fold constants or fuse layers), declare inputs no node
reads, or fix the batch or image size at export, in the declared shapes or in
a Reshape to a constant (1, ...). This rewrites such a graph so that every
runtime sees constant weights and a free batch (and, for detectors, a free
height and width). The arithmetic of the graph is not touched.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import numpy_helper

# Raise when make_portable or the int8 build changes, so installed files are made again.
FIXUPS_VERSION = 4


def make_portable(model: onnx.ModelProto, spatial_dynamic: bool) -> onnx.ModelProto:
    """Return ``model`` with weights as constants and free batch (and H, W) dims."""
    graph = model.graph
    read = {name for node in graph.node for name in node.input}
    weights = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights and i.name in read]
    del graph.input[:]
    graph.input.extend(inputs)
    free_reshaped_batch(model)

    read = {name for node in graph.node for name in node.input}
    used_weights = [init for init in graph.initializer if init.name in read]
    del graph.initializer[:]
    graph.initializer.extend(used_weights)

    for tensor, first_spatial in [(t, 2) for t in graph.input] + [(t, 1) for t in graph.output]:
        dims = tensor.type.tensor_type.shape.dim
        dims[0].dim_param = "batch"
        if spatial_dynamic:
            for k in range(first_spatial, len(dims)):
                dims[k].dim_param = f"{tensor.name}_d{k}"
    # Intermediate shapes recorded at export would contradict the freed dims.
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model


def free_reshaped_batch(model: onnx.ModelProto) -> None:
    """Make each Reshape of a batch-1 tensor to a constant (1, ...) keep the batch (0, ...).

    In ONNX a 0 in a Reshape's target copies that dimension of the input, so
    at batch 1 the result is the same; at batch N the images stay apart
    instead of being run together into one.
    """
    graph = model.graph
    inferred = onnx.shape_inference.infer_shapes(model).graph
    first_dim = {
        v.name: v.type.tensor_type.shape.dim[0].dim_value
        for v in [*inferred.input, *inferred.value_info]
        if v.type.tensor_type.shape.dim
    }
    constants = {init.name: init for init in graph.initializer} | {
        node.output[0]: node.attribute[0].t
        for node in graph.node
        if node.op_type == "Constant" and node.attribute[0].name == "value"
    }
    freed: dict[str, str] = {}  # target (1, ...) -> its (0, ...) twin
    for node in graph.node:
        allowzero = any(a.name == "allowzero" and a.i for a in node.attribute)
        if node.op_type != "Reshape" or allowzero or node.input[1] not in constants:
            continue
        target = numpy_helper.to_array(constants[node.input[1]])
        if target.ndim != 1 or not target.size or target[0] != 1:
            continue
        if first_dim.get(node.input[0]) != 1:
            continue
        if node.input[1] not in freed:
            batch_kept = target.copy()
            batch_kept[0] = 0
            name = f"{node.input[1]}_batch"
            graph.initializer.append(numpy_helper.from_array(batch_kept, name))
            freed[node.input[1]] = name
        node.input[1] = freed[node.input[1]]


def fix_file(source: Path, target: Path, spatial_dynamic: bool) -> None:
    """Write the fixed copy of ``source`` to ``target``."""
    model = make_portable(onnx.load(str(source)), spatial_dynamic)
    onnx.save(model, str(target))
