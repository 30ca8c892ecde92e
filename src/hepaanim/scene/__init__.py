"""Declared scene data: geometry, materials, nodes, camera, lights (no GPU code here)."""
from .camera import Camera
from .color import PALETTE, rgb
from .geometry import (Geometry, arc_length, capped_tube, merge, surface_of_revolution, tube,
                       uv_sphere, vertex_normals)
from .lights import Light, three_point_rig
from .material import Material
from .nodes import InstancedNode, Instances, MeshNode, Node
from .scene import Caption, FrameState, Scene, Settings
from .transform import Transform

__all__ = ["Camera", "Caption", "FrameState", "Geometry", "InstancedNode", "Instances", "Light",
           "Material", "MeshNode", "Node", "PALETTE", "Scene", "Settings", "Transform", "arc_length",
           "capped_tube", "merge", "rgb", "surface_of_revolution", "three_point_rig", "tube",
           "uv_sphere", "vertex_normals"]
