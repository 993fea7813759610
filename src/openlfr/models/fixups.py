"""One-time ONNX fix-ups applied at install time.

Files exported by old converters list their weights as graph inputs (ONNX
Runtime then cannot fold constants or fuse layers), declare inputs no node
reads, or fix the batch or image size at export. This rewrites such a graph so
that every runtime sees constant weights and a free batch (and, for detectors,
a free height and width). The arithmetic of the graph is not touched.
"""

from __future__ import annotations

from pathlib import Path

import onnx


def make_portable(model: onnx.ModelProto, spatial_dynamic: bool) -> onnx.ModelProto:
    """Return ``model`` with weights as constants and free batch (and H, W) dims."""
    graph = model.graph
    read = {name for node in graph.node for name in node.input}
    weights = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights and i.name in read]
    del graph.input[:]
    graph.input.extend(inputs)

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


def fix_file(source: Path, target: Path, spatial_dynamic: bool) -> None:
    """Write the fixed copy of ``source`` to ``target``."""
    model = make_portable(onnx.load(str(source)), spatial_dynamic)
    onnx.save(model, str(target))
