"""hepaanim: declared 3D scenes, a random-access timeline, offscreen GL frames, MP4 out."""
import os

# One BLAS thread (unless the caller chose): numpy's OpenBLAS otherwise starts a thread per
# core whose idle spinning between the renderer's small-matrix calls takes CPU from
# llvmpipe and the encoder (on two cores: 1-3 ms a 720p frame).  Effective when hepaanim
# is imported before numpy, as the command line and the benchmarks do.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .scene import (Camera, Geometry, InstancedNode, Instances, Material, MeshNode, Node,
                    PALETTE, rgb)
from .timeline import Act, Film

__version__ = "0.1.0"
__all__ = ["Act", "Camera", "Film", "Geometry", "InstancedNode", "Instances", "Material",
           "MeshNode", "Node", "PALETTE", "preview", "rgb"]


def __getattr__(name):
    """hepaanim.preview, the preview package (callable: hepaanim.preview(SCENE)), is imported
    on first use, so the render path never loads it."""
    if name == "preview":
        import importlib
        return importlib.import_module(".preview", __name__)
    raise AttributeError(f"module 'hepaanim' has no attribute {name!r}")
