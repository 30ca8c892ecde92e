"""The offscreen OpenGL backend (moderngl, EGL): llvmpipe on CPU machines, the GPU elsewhere."""
from .renderer import Renderer, RenderSettings

__all__ = ["Renderer", "RenderSettings"]
