"""One object owns the GL context and its framebuffers, and releases them (moderngl-window's
headless-window pattern)."""
from __future__ import annotations

import ctypes
import os
import re
from pathlib import Path

import moderngl
import numpy as np

SHADER_DIR = Path(__file__).with_name("shaders")
_PACK_INVERT_MESA = 0x8758
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
        self._pixel_store = self._pack_invert()

    def _pack_invert(self):
        """glPixelStorei when the driver can read rows top first (Mesa's
        GL_MESA_pack_invert: llvmpipe here, and Mesa's GPU drivers), else None.

        GL reads the bottom row first; flipping the copy afterwards costs a pass over every
        frame (ffmpeg's ``vflip`` makes its colour conversion take a slow path: 1.8 ms of
        CPU a 720p frame here, 4 ms at 1080p), while an inverted read costs nothing."""
        if "GL_MESA_pack_invert" not in self.ctx.extensions:
            return None
        try:
            egl = ctypes.CDLL("libEGL.so.1")
            egl.eglGetProcAddress.restype = ctypes.c_void_p
            egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
            addr = egl.eglGetProcAddress(b"glPixelStorei")
        except (OSError, AttributeError):
            return None
        return ctypes.CFUNCTYPE(None, ctypes.c_uint, ctypes.c_int)(addr) if addr else None

    def read_top_down(self, fbo: moderngl.Framebuffer, out: bytearray | None = None):
        """The framebuffer's RGBA8 pixels, top row first (as images and encoders want):
        new bytes, or written into ``out`` (a buffer of exactly that size) and returned."""
        if self._pixel_store is None:
            w, h = fbo.size
            a = np.frombuffer(fbo.read(components=4, alignment=1), np.uint8)
            a = a.reshape(h, w * 4)[::-1]
            if out is None:
                return a.tobytes()
            np.frombuffer(out, np.uint8).reshape(h, w * 4)[:] = a
            return out
        self._pixel_store(_PACK_INVERT_MESA, 1)
        try:
            if out is None:
                return fbo.read(components=4, alignment=1)
            fbo.read_into(out, components=4, alignment=1)
            return out
        finally:
            self._pixel_store(_PACK_INVERT_MESA, 0)

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
