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
    """A standalone EGL context, its size, and compiled programs (one per shader variant).

    The render targets live in :class:`hepaanim.render.gl.post.PostChain`.
    """

    def __init__(self, width: int, height: int):
        self.ctx = moderngl.create_standalone_context(backend="egl", require=330)
        self.size = (int(width), int(height))
        self._programs: dict[tuple, moderngl.Program] = {}

    @property
    def info(self) -> dict:
        return {"renderer": self.ctx.info["GL_RENDERER"], "version": self.ctx.info["GL_VERSION"],
                "pid": os.getpid()}

    def program(self, vert: str, frag: str, defines: tuple[str, ...] = ()) -> moderngl.Program:
        key = (vert, frag, defines)
        if key not in self._programs:
            self._programs[key] = self.ctx.program(
                vertex_shader=shader_source(vert, defines),
                fragment_shader=shader_source(frag, defines))
        return self._programs[key]

    def release(self):
        for p in self._programs.values():
            p.release()
        self._programs.clear()
        self.ctx.release()
