"""One object owns the GL context and its framebuffers, and releases them (moderngl-window's
headless-window pattern)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import moderngl

SHADER_DIR = Path(__file__).with_name("shaders")
_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$', re.M)


def shader_source(name: str) -> str:
    """Read a shader file, expanding `#include "file"` from the same folder."""
    src = (SHADER_DIR / name).read_text()
    return _INCLUDE.sub(lambda m: (SHADER_DIR / m.group(1)).read_text(), src)


class GLContext:
    """Standalone EGL context with a multisampled target and a resolved read-back target."""

    def __init__(self, width: int, height: int, samples: int = 4):
        self.ctx = moderngl.create_standalone_context(backend="egl", require=330)
        self.size = (int(width), int(height))
        max_samples = self.ctx.max_samples
        self.samples = min(int(samples), max_samples) if samples and samples > 1 else 0
        self.color = self.ctx.renderbuffer(self.size, 4, samples=self.samples)
        self.depth = self.ctx.depth_renderbuffer(self.size, samples=self.samples)
        self.fbo = self.ctx.framebuffer([self.color], self.depth)
        if self.samples:
            self.resolve_tex = self.ctx.texture(self.size, 4)
            self.resolve = self.ctx.framebuffer([self.resolve_tex])
        else:
            self.resolve_tex = None
            self.resolve = self.fbo
        self._programs: dict[tuple[str, str], moderngl.Program] = {}

    @property
    def info(self) -> dict:
        return {"renderer": self.ctx.info["GL_RENDERER"], "version": self.ctx.info["GL_VERSION"],
                "samples": self.samples, "pid": os.getpid()}

    def program(self, vert: str, frag: str) -> moderngl.Program:
        key = (vert, frag)
        if key not in self._programs:
            self._programs[key] = self.ctx.program(vertex_shader=shader_source(vert),
                                                   fragment_shader=shader_source(frag))
        return self._programs[key]

    def resolve_msaa(self):
        if self.samples:
            self.ctx.copy_framebuffer(self.resolve, self.fbo)

    def read_rgba(self) -> bytes:
        """Bottom-up RGBA bytes (RGBA read-back is ~5x cheaper than RGB on llvmpipe)."""
        return self.resolve.read(components=4, alignment=1)

    def release(self):
        for p in self._programs.values():
            p.release()
        self._programs.clear()
        for obj in (self.fbo, self.color, self.depth, self.resolve_tex):
            if obj is not None:
                obj.release()
        if self.samples:
            self.resolve.release()
        self.ctx.release()
