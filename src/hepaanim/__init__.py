"""hepaanim: declared 3D scenes, a random-access timeline, offscreen GL frames, MP4 out."""
from .scene import (Camera, Geometry, InstancedNode, Instances, Material, MeshNode, Node,
                    PALETTE, rgb)
from .timeline import Act, Film

__version__ = "0.1.0"
__all__ = ["Act", "Camera", "Film", "Geometry", "InstancedNode", "Instances", "Material",
           "MeshNode", "Node", "PALETTE", "rgb"]
