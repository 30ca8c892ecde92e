"""One object owns the GL context and its framebuffers, and releases them (moderngl-window's
headless-window pattern)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import moderngl

SHADER_DIR = Path(__file__).with_name("shaders")
_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$', re.M)


def shader_source(name: str, defines: tuple[str, ...] = ()) -> str:
    """Read a shader file, expanding `#include "file"` from the same folder and adding
    `#define`s after the #version line (one file, several compiled variants)."""
    src = (SHADER_DIR / name).read_text()
    src = _INCLUDE.sub(lambda m: (SHADER_DIR / m.group(1)).read_text(), src)
    if defines:
        head, _, rest = src.partition("\n")
        src = head + "\n" + "".join(f"#define {d}\n" for d in defines) + rest
    return src


class GLContext:
    """Standalone EGL context, the scene target and the read-back target.

    Anti-aliasing: ``samples`` > 1 renders into multisampled buffers resolved by a blit;
    otherwise ``post_shader`` (FXAA or the cheaper edge blend) runs one screen pass from a
    texture (much cheaper on llvmpipe, where MSAA multiplies the cost of every fragment).
    """

    def __init__(self, width: int, height: int, samples: int = 0,
                 post_shader: str | None = "fxaa.frag"):
        self.ctx = moderngl.create_standalone_context(backend="egl", require=330)
        self.size = (int(width), int(height))
        self.samples = min(int(samples), self.ctx.max_samples) if samples and samples > 1 else 0
        self.post_shader = None if self.samples else post_shader
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
        if self.samples or self.post_shader:
            self.out_color = ctx.renderbuffer(self.size, 4)
            self.out = ctx.framebuffer([self.out_color])
            self._owned += [self.out_color, self.out]
        else:
            self.out = self.fbo
        self._programs: dict[tuple[str, str], moderngl.Program] = {}
        if self.post_shader:
            prog = self.program("background.vert", self.post_shader)
            prog["u_inv"].value = (1.0 / self.size[0], 1.0 / self.size[1])
            self._fxaa_vao = ctx.vertex_array(prog, [])
            self._owned.append(self._fxaa_vao)

    @property
    def info(self) -> dict:
        return {"renderer": self.ctx.info["GL_RENDERER"], "version": self.ctx.info["GL_VERSION"],
                "samples": self.samples, "post": self.post_shader, "pid": os.getpid()}

    def program(self, vert: str, frag: str, defines: tuple[str, ...] = ()) -> moderngl.Program:
        key = (vert, frag, defines)
        if key not in self._programs:
            self._programs[key] = self.ctx.program(
                vertex_shader=shader_source(vert, defines),
                fragment_shader=shader_source(frag, defines))
        return self._programs[key]

    def finish_scene(self):
        """Resolve MSAA or run FXAA into the read-back target, which is left bound."""
        if self.samples:
            self.ctx.copy_framebuffer(self.out, self.fbo)
        elif self.post_shader:
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
