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
    """Standalone EGL context, the scene target and the read-back target.

    Anti-aliasing: ``samples`` > 1 renders into multisampled buffers resolved by a blit;
    otherwise ``fxaa`` runs one edge-smoothing pass from a texture (much cheaper on
    llvmpipe, where MSAA multiplies the cost of every fragment).
    """

    def __init__(self, width: int, height: int, samples: int = 0, fxaa: bool = True):
        self.ctx = moderngl.create_standalone_context(backend="egl", require=330)
        self.size = (int(width), int(height))
        self.samples = min(int(samples), self.ctx.max_samples) if samples and samples > 1 else 0
        self.fxaa = bool(fxaa) and not self.samples
        ctx = self.ctx
        self._owned = []
        self.depth = ctx.depth_renderbuffer(self.size, samples=self.samples)
        if self.samples:
            self.color = ctx.renderbuffer(self.size, 4, samples=self.samples)
        else:
            self.color = ctx.texture(self.size, 4)
            self.color.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self.color.repeat_x = self.color.repeat_y = False
        self.fbo = ctx.framebuffer([self.color], self.depth)
        self._owned += [self.depth, self.color, self.fbo]
        if self.samples or self.fxaa:
            self.out_color = ctx.renderbuffer(self.size, 4)
            self.out = ctx.framebuffer([self.out_color])
            self._owned += [self.out_color, self.out]
        else:
            self.out = self.fbo
        self._programs: dict[tuple[str, str], moderngl.Program] = {}
        if self.fxaa:
            prog = self.program("background.vert", "fxaa.frag")
            prog["u_inv"].value = (1.0 / self.size[0], 1.0 / self.size[1])
            self._fxaa_vao = ctx.vertex_array(prog, [])
            self._owned.append(self._fxaa_vao)

    @property
    def info(self) -> dict:
        return {"renderer": self.ctx.info["GL_RENDERER"], "version": self.ctx.info["GL_VERSION"],
                "samples": self.samples, "fxaa": self.fxaa, "pid": os.getpid()}

    def program(self, vert: str, frag: str) -> moderngl.Program:
        key = (vert, frag)
        if key not in self._programs:
            self._programs[key] = self.ctx.program(vertex_shader=shader_source(vert),
                                                   fragment_shader=shader_source(frag))
        return self._programs[key]

    def finish_scene(self):
        """Resolve MSAA or run FXAA into the read-back target, which is left bound."""
        if self.samples:
            self.ctx.copy_framebuffer(self.out, self.fbo)
        elif self.fxaa:
            self.out.use()
            self.color.use(0)
            self._fxaa_vao.render(moderngl.TRIANGLES, vertices=3)
        self.out.use()

    def read_rgba(self) -> bytes:
        """Bottom-up RGBA bytes (RGBA read-back is ~5x cheaper than RGB on llvmpipe)."""
        return self.out.read(components=4, alignment=1)

    def release(self):
        for p in self._programs.values():
            p.release()
        self._programs.clear()
        for obj in reversed(self._owned):
            obj.release()
        self._owned.clear()
        self.ctx.release()
