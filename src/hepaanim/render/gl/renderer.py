"""Draw a FrameState with OpenGL 3.3 into an offscreen framebuffer and read back RGBA.

Order of a frame: clear to transparent; opaque meshes, instanced meshes and ray-cast
impostors with depth writes; translucent layers with depth test but no depth writes, in
back-to-front order (see ``_collect``); the post chain (``post.py``: backdrop, AA, bloom,
depth of field, tone curve); fade; caption overlays.
GPU buffers are cached by geometry content key (LRU) and per node for instance data, and
everything is released by ``close()``.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import moderngl
import numpy as np

from ...scene import grade as grading
from ...scene.color import srgb_to_linear
from ...scene.geometry import Geometry
from ...scene.nodes import InstancedNode, MeshNode
from ...scene.scene import FrameState
from .context import GLContext
from .post import PostChain

_F4 = np.float32
_INSTANCE_ATTRS = ("i_pos", "i_quat", "i_scale", "i_color")
_IMPOSTORS = ("impostor", "sphere", "dot", "glow", "impostor_pt", "sphere_pt", "dot_pt")
# kind of draw -> (vertex shader, fragment shader, defines every variant of it has)
_SHADERS = {"plain": ("mesh_plain.vert", "mesh_plain.frag", ()),
            "vmesh": ("mesh_vertexlit.vert", "mesh_vertexlit.frag", ()),
            "imesh": ("mesh.vert", "mesh.frag", ()),
            "impostor": ("impostor.vert", "impostor.frag", ()),
            "sphere": ("sphere.vert", "sphere.frag", ()),
            "dot": ("sphere.vert", "sphere.frag", ("FLAT_DEPTH",)),
            # the same impostors drawn as point sprites (see sprite_vert.glsl)
            "impostor_pt": ("impostor.vert", "impostor.frag", ("POINT_SPRITE",)),
            "sphere_pt": ("sphere.vert", "sphere.frag", ("POINT_SPRITE",)),
            "dot_pt": ("sphere.vert", "sphere.frag", ("FLAT_DEPTH", "POINT_SPRITE")),
            "glow": ("glow.vert", "glow.frag", ())}
# Spheres smaller than this on screen skip writing exact depth: the quad's depth (the
# sphere's front) is within a pixel of the truth, and without gl_FragDepth the rasteriser
# can reject hidden fragments before shading them.
DOT_MAX_PIXELS = 4.0
# shading="auto" lights a mesh per vertex when its triangles are small on screen (90th-
# percentile edge at the mesh's nearest point, in pixels of the render target) and smooth
# enough that light interpolated between vertices strays from per-pixel light by at most
# AUTO_VERTEX_ERROR (see _per_vertex).  llvmpipe shades whole 4x4 blocks, so a triangle of
# a few pixels costs many times its area in fragment work: the standard scene's 50k-
# triangle organ costs 3 ms less a 720p frame, with pixels at most 8/255 apart.
AUTO_VERTEX_PIXELS = 12.0
AUTO_VERTEX_ERROR = 0.03
_IDENTITY_INSTANCE = np.array([[0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]], _F4)


def _write(prog, name: str, data: bytes):
    """Write a uniform if the compiler kept it (unused uniforms are optimised away).

    ``prog.get``, not ``name in prog``: moderngl's Program has no ``__contains__``, so
    ``in`` walks every member (a few hundred uniform writes a frame)."""
    u = prog.get(name, None)
    if u is not None:
        u.write(data)


def _value(prog, name: str, value):
    u = prog.get(name, None)
    if u is not None:
        u.value = value


def _uniform_scale(m: np.ndarray) -> float:
    """The scale a (possibly non-uniformly) scaled 3×3 or 4×4 transform gives a radius:
    the cube root of its volume change."""
    return float(np.cbrt(abs(np.linalg.det(m[:3, :3]))))


# Anti-aliasing modes.  On llvmpipe MSAA multiplies the cost of every fragment, so the
# CPU-friendly modes are screen passes: "fxaa" (Lottes' FXAA, best edges) and "edge" (a
# three-tap edge blend, about half FXAA's cost); "none" is the fastest draft.
AA_MODES = ("fxaa", "edge", "msaa2", "msaa4", "msaa8", "none")


def aa_settings(mode: str) -> tuple[int, str | None]:
    """(MSAA samples, screen-pass AA: "fxaa" | "edge" | None) for an anti-aliasing mode."""
    if mode not in AA_MODES:
        raise ValueError(f"unknown anti-aliasing {mode!r}; use one of {', '.join(AA_MODES)}")
    if mode.startswith("msaa"):
        return int(mode[4:]), None
    return 0, None if mode == "none" else mode


@dataclass(frozen=True)
class RenderSettings:
    width: int = 1280
    height: int = 720
    aa: str = "fxaa"          # see AA_MODES
    look: str = "full"        # "draft" skips bloom and DOF, "final" adds AO (see post.LOOKS)
    hdr: bool = True          # float scene target; False: tone-map per fragment (faster)
    scale: float = 1.0        # render the shot at this fraction of the size, then enlarge
    transparent: bool = False  # no backdrop: alpha is the shot's coverage (editors' mov/webm)

    @property
    def aspect(self) -> float:
        return self.width / self.height


def _display_to_scene(srgb, settings) -> np.ndarray:
    """The linear colour that the tone curve maps back to the designed backdrop colour.

    The backdrop is designed in display colours (the brief's Deep Navy); drawing it
    through the same HDR chain as the shot keeps fades and bloom consistent, so it is
    pre-inverted through the ACES fit, exposure and white balance here (returned
    linear)."""
    y = np.clip(np.asarray(srgb, float) ** 2.2, 0.0, 0.999)      # the display encoding's inverse
    a, b, c, d, e = 2.51, 0.03, 2.43, 0.59, 0.14
    qa, qb, qc = y * c - a, y * d - b, y * e           # qa x^2 + qb x + qc = 0, x >= 0
    x = (-qb - np.sqrt(np.maximum(qb * qb - 4 * qa * qc, 0.0))) / (2 * qa)
    gain = float(settings.exposure) * np.asarray(settings.white_balance, float)
    x = x / np.maximum(gain, 1e-6)
    return x


def _instance_layout(prog, buf, per_instance: bool = True):
    """The per-instance buffer layout, skipping attributes this program does not read
    (the compiler removes unused inputs, and a VAO may not name them); per vertex for
    point sprites (one point an instance)."""
    fmt, names = [], []
    for attr, size in zip(_INSTANCE_ATTRS, (3, 4, 3, 4)):
        if attr in prog:
            fmt.append(f"{size}f")
            names.append(attr)
        else:
            fmt.append(f"{size * 4}x")
    return (buf, " ".join(fmt) + (" /i" if per_instance else ""), *names)


def pack_instances(node: InstancedNode) -> np.ndarray:
    """N×14 float32: position, quaternion, scale, colour (sRGB) + opacity."""
    inst = node.instances
    n = len(inst)
    out = np.empty((n, 14), _F4)
    out[:, 0:3] = inst.position
    out[:, 3:7] = inst.orientation
    out[:, 7:10] = inst.scale
    out[:, 10:13] = node.material.color if inst.color is None else inst.color
    out[:, 13] = inst.opacity
    return out


# Opaque meshes of at least this many triangles are uploaded with their triangles in
# spatial order (see spatial_order).
SPATIAL_MIN_TRIANGLES = 4096


def spatial_order(positions: np.ndarray, indices: np.ndarray, bits: int = 10) -> np.ndarray:
    """The triangles (M×3 indices) reordered along a Morton curve through their centroids.

    llvmpipe shades vertices in batches with a small cache keyed by index, and bins and
    rasterises triangles tile by tile: neighbours drawn one after another share vertices
    and tiles.  A dense organ mesh draws ~0.4 ms a 720p frame faster than in the row order
    its generator left.  For opaque meshes only: the picture is the same whatever the order
    (a translucent layer's overlaps blend in draw order)."""
    c = positions[indices].mean(axis=1)
    lo, span = c.min(axis=0), np.ptp(c, axis=0)
    q = ((c - lo) / np.maximum(span, 1e-12) * (2 ** bits - 1)).astype(np.uint64)
    code = np.zeros(len(c), np.uint64)
    for b in range(bits):
        for axis in range(3):
            code |= ((q[:, axis] >> np.uint64(b)) & np.uint64(1)) << np.uint64(3 * b + axis)
    return indices[np.argsort(code, kind="stable")]


class _GeometryCache:
    """Vertex/index buffers per geometry content key (and triangle order), least-recently-
    used eviction."""

    def __init__(self, ctx: moderngl.Context, capacity: int = 128, on_evict=None):
        self.ctx = ctx
        self.on_evict = on_evict
        self.capacity = capacity
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.uploads = 0

    def get(self, g: Geometry, spatial: bool = False):
        """(vertex buffer, index buffer); ``spatial``: triangles in spatial order (opaque
        draws of big meshes)."""
        spatial = spatial and g.triangle_count >= SPATIAL_MIN_TRIANGLES
        k = (g.key, spatial)
        e = self.entries.get(k)
        if e is not None:
            self.entries.move_to_end(k)
            return e
        param = g.param if g.param is not None else np.zeros(len(g.positions), _F4)
        data = np.concatenate([g.positions, g.normals, param[:, None]], axis=1).astype(_F4)
        indices = spatial_order(g.positions, g.indices) if spatial else g.indices
        e = (self.ctx.buffer(data.tobytes()), self.ctx.buffer(indices.tobytes()))
        self.uploads += 1
        self.entries[k] = e
        while len(self.entries) > self.capacity:
            old, (vb, ib) = self.entries.popitem(last=False)
            if self.on_evict is not None:
                self.on_evict(old[0])
            vb.release()
            ib.release()
        return e

    def release(self):
        for vb, ib in self.entries.values():
            vb.release()
            ib.release()
        self.entries.clear()


class Renderer:
    """Owns one GL context; ``render(state)`` returns RGBA bytes, top row first."""

    def __init__(self, settings: RenderSettings = RenderSettings()):
        self.settings = settings
        samples, aa_shader = aa_settings(settings.aa)
        self.gl = GLContext(settings.width, settings.height)
        ctx = self.ctx = self.gl.ctx
        self._defines = () if settings.hdr else ("DISPLAY_REFERRED",)
        self._ready: set = set()        # programs holding this frame's uniforms
        self._frame_uniforms: tuple = ((), ())
        self.backdrop_prog = self.gl.program("background.vert", "backdrop.frag")
        self.ov_prog = self.gl.program("overlay.vert", "overlay.frag")
        # Impostors may be point sprites sized by their vertex shader (sprite_vert.glsl),
        # up to the driver's largest point (255 px on llvmpipe).
        ctx.enable(moderngl.PROGRAM_POINT_SIZE)
        self._max_point = float(ctx.info.get("GL_POINT_SIZE_RANGE", (1.0, 64.0))[1])
        self.post = PostChain(self.gl, samples, aa_shader, settings.look, settings.hdr,
                              settings.scale, transparent=settings.transparent)
        self.geometry = _GeometryCache(ctx, on_evict=self._drop_geometry_vaos)
        self.quad = ctx.buffer(np.array([[-1, -1], [1, -1], [-1, 1], [1, 1]], _F4).tobytes())
        self.unit_quad = ctx.buffer(np.array([[0, 0], [1, 0], [0, 1], [1, 1]], _F4).tobytes())
        self.ov_vao = ctx.vertex_array(self.ov_prog, [(self.unit_quad, "2f", "in_corner")])
        self.backdrop_vao = ctx.vertex_array(self.backdrop_prog, [])
        self._inst: dict[str, tuple[moderngl.Buffer, int]] = {}
        self._vaos: dict[tuple, moderngl.VertexArray] = {}
        self._textures: OrderedDict[object, moderngl.Texture] = OrderedDict()
        self.overlay_source = None    # set by the compositor: state -> [(key, rgba, rect, alpha)]
        self.lang = "en"              # the language the overlays are drawn in (render())
        self._stash = None            # the frame before its overlays (render_versions)

    # --- resources ---------------------------------------------------------------------
    def _instance_buffer(self, name: str, data: np.ndarray) -> moderngl.Buffer:
        nbytes = max(data.nbytes, 56)
        buf, cap = self._inst.get(name, (None, 0))
        if buf is None or cap < nbytes:
            if buf is not None:
                buf.release()
                for k in [k for k in self._vaos if k[0] == name]:
                    self._vaos.pop(k).release()
            cap = max(nbytes, cap * 2)
            buf = self.ctx.buffer(reserve=cap)
            self._inst[name] = (buf, cap)
        buf.write(data.tobytes())
        return buf

    def _drop_geometry_vaos(self, geom_key: str):
        for k in [k for k in self._vaos if k[2] == geom_key]:
            self._vaos.pop(k).release()

    def _program(self, kind: str, variant: tuple[str, ...]) -> moderngl.Program:
        """The compiled variant of a kind's shaders, holding this frame's uniforms.

        Optional features are ``#define``s, not uniform branches: llvmpipe runs both sides
        of a branch (and a ``discard`` anywhere in a shader costs early depth testing), so
        a cell without ruffles or a mesh without a reveal must not pay for them."""
        vert, frag, base = _SHADERS[kind]
        prog = self.gl.program(vert, frag, self._defines + base + variant)
        if prog not in self._ready:
            self._ready.add(prog)
            matrices, values = self._frame_uniforms
            for name, data in matrices:
                _write(prog, name, data)
            for name, v in values:
                _value(prog, name, v)
        return prog

    def _vao(self, name: str, kind: str, prog, inst_buf, geom: Geometry | None,
             spatial: bool = False):
        key = (name, prog, geom.key if geom is not None else None, spatial)
        vao = self._vaos.get(key)
        if vao is None:
            inst = ([_instance_layout(prog, inst_buf, not kind.endswith("_pt"))]
                    if inst_buf is not None else [])
            if kind.endswith("_pt"):
                vao = self.ctx.vertex_array(prog, inst)
            elif kind in _IMPOSTORS:
                vao = self.ctx.vertex_array(prog, [(self.quad, "2f", "in_corner"), *inst])
            else:
                vb, ib = self.geometry.get(geom, spatial)
                # Attributes a variant does not read (in_param without REVEAL) are
                # compiled out, so their bytes are skipped.
                fmt, names = [], []
                for f, pad, nm in (("3f", "12x", "in_pos"), ("3f", "12x", "in_normal"),
                                   ("1f", "4x", "in_param")):
                    fmt.append(f if nm in prog else pad)
                    names += [nm] if nm in prog else []
                vao = self.ctx.vertex_array(
                    prog, [(vb, " ".join(fmt), *names), *inst],
                    index_buffer=ib, index_element_size=4)
            # Drop VAOs of this node built for other geometries (a morphing model).
            for k in [k for k in self._vaos if k[0] == name and k[2] != key[2]]:
                self._vaos.pop(k).release()
            self._vaos[key] = vao
        elif geom is not None:
            self.geometry.get(geom, spatial)     # keep it most recently used
        return vao

    def texture(self, key, rgba: np.ndarray) -> moderngl.Texture:
        """A cached overlay texture (premultiplied RGBA, top row first)."""
        tex = self._textures.get(key)
        if tex is None:
            h, w = rgba.shape[:2]
            tex = self.ctx.texture((w, h), 4, np.ascontiguousarray(rgba).tobytes())
            tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self._textures[key] = tex
            while len(self._textures) > 64:
                self._textures.popitem(last=False)[1].release()
        else:
            self._textures.move_to_end(key)
        return tex

    # --- per-frame uniforms -------------------------------------------------------------
    def _set_frame_uniforms(self, state: FrameState, view: np.ndarray, proj: np.ndarray):
        grade = self._grade = grading.tint(state.settings)
        fog_density = float(state.settings.fog)
        fog_color = self.post.fog_color(state.settings)
        dirs, cols, amb = [], [], np.zeros(3)
        for light in state.lights.values():
            c = srgb_to_linear(light.color) * light.intensity
            if light.kind == "ambient":
                amb = amb + c
            elif len(dirs) < 3:
                dirs.append(light.direction)
                cols.append(c)
        while len(dirs) < 3:
            dirs.append(np.array([0, 0, 1.0]))
            cols.append(np.zeros(3))
        self._fog = fog_density > 0
        self._ready = set()
        self._frame_uniforms = (
            (("u_view", view.T.astype(_F4).tobytes()),
             ("u_proj", proj.T.astype(_F4).tobytes()),
             ("u_view_to_world", view[:3, :3].astype(_F4).tobytes()),
             ("u_light_dir", np.array(dirs, _F4).tobytes()),
             ("u_light_col", np.array(cols, _F4).tobytes())),
            (("u_ambient", tuple(float(x) for x in amb)),
             ("u_target", tuple(float(x) for x in self.post.size)),
             ("u_fog", fog_density),
             ("u_exposure", float(state.settings.exposure)),
             ("u_balance", tuple(float(x) for x in
                                 np.asarray(state.settings.white_balance) * grade)),
             ("u_fog_color", fog_color)))

    @staticmethod
    def _set_material(prog, mat, model: np.ndarray):
        _write(prog, "u_model", model.T.astype(_F4).tobytes())
        lin = srgb_to_linear(mat.color)
        _value(prog, "u_color", (*lin, float(mat.opacity)))
        _value(prog, "u_base", tuple(lin))
        _value(prog, "u_emissive", float(mat.emissive))
        _value(prog, "u_roughness", float(np.clip(mat.roughness, 0, 1)))
        _value(prog, "u_rim", float(mat.rim))
        rim = mat.rim_color if mat.rim_color is not None else np.array([0.75, 0.88, 1.0])
        _value(prog, "u_rim_color", tuple(srgb_to_linear(rim)))
        _value(prog, "u_wrap", float(mat.wrap))

    # --- drawing ------------------------------------------------------------------------
    def render(self, state: FrameState, out: bytearray | None = None):
        """Draw one frame: RGBA bytes, top row first (written into ``out`` when given, a
        buffer of width*height*4 bytes).  The context is made current for the call (several
        renderers may live in one process, e.g. tests beside a preview)."""
        with self.ctx:
            return self._render(state, out)

    def _render(self, state: FrameState, out: bytearray | None = None):
        self._shot(state)
        self._captions(state, self.lang)
        return self._read(out)

    def _read(self, out):
        """Read back; a transparent frame comes back with straight (unpremultiplied) alpha,
        as encoders of alpha video (ProRes 4444, VP9) take it."""
        got = self.gl.read_top_down(self.post.out, out)
        if not self.settings.transparent:
            return got
        buf = got if isinstance(got, (bytearray, memoryview)) else bytearray(got)
        a = np.frombuffer(buf, np.uint8).reshape(-1, 4)
        alpha = a[:, 3:4].astype(np.uint16)
        part = (alpha[:, 0] > 0) & (alpha[:, 0] < 255)
        a[part, :3] = np.minimum(255, (a[part, :3].astype(np.uint16) * 255 + alpha[part] // 2)
                                 // np.maximum(alpha[part], 1))
        return buf

    def _shot(self, state: FrameState) -> None:
        """Everything but the captions (the shot, post chain, fade), left bound in post.out."""
        ctx, s = self.ctx, self.settings
        self.post.begin()
        ctx.viewport = (0, 0, *self.post.size)
        ctx.disable(moderngl.BLEND)
        fbo = self.post.scene
        fbo.depth_mask = True
        # Transparent black: the shot is kept as premultiplied colour plus coverage and the
        # backdrop is composited under it in the display pass (no full-screen backdrop draw).
        fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)
        st = state.settings
        top, bottom = grading.background(st)
        if s.hdr:
            top, bottom = _display_to_scene(top, st), _display_to_scene(bottom, st)
        self.post.backdrop = (tuple(float(x) for x in top), tuple(float(x) for x in bottom))
        if self.post.direct and not s.transparent:   # no display pass: backdrop first
            self._direct_backdrop(float(st.vignette))

        cam = state.camera
        view = cam.view_matrix()
        proj = cam.projection_matrix(self.post.size[0] / self.post.size[1])
        self._set_frame_uniforms(state, view, proj)

        self._fov, self._near, self._far, self._proj = cam.fov, cam.near, cam.far, proj
        self._focal = self.post.size[1] / 2 / np.tan(np.radians(cam.fov) / 2)
        opaque, translucent = self._collect(state, view)
        ctx.enable(moderngl.DEPTH_TEST)
        ctx.depth_func = "<"
        for item in opaque:
            self._draw(item, view, cull="back")
        if translucent:
            ctx.enable(moderngl.BLEND)
            ctx.blend_func = (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA,
                              moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA)
            fbo.depth_mask = False          # translucent layers test depth but never write it
            for _, item, cull in translucent:
                self._draw(item, view, cull=cull)
            fbo.depth_mask = True
        ctx.disable(moderngl.CULL_FACE)
        ctx.disable(moderngl.DEPTH_TEST)

        self.post.finish(state.settings, self._grade, cam)
        self._overlays(state, None)

    def render_versions(self, state: FrameState, langs, outs=None) -> list:
        """One frame in several languages from one 3D pass: the shot, post chain and fade
        are drawn once and kept; each language's captions are composited on a copy of it
        and read back (``outs``: one buffer per language, or None).  Each result equals
        ``render(state)`` with ``self.lang`` set to that language."""
        langs = list(langs)
        outs = list(outs) if outs is not None else [None] * len(langs)
        with self.ctx:
            self._shot(state)
            if len(langs) > 1:
                if self._stash is None:
                    self._stash = self.ctx.framebuffer(
                        [self.ctx.renderbuffer(self.post.out_size, 4)])
                self.ctx.copy_framebuffer(self._stash, self.post.out)
            res = []
            for k, (lang, buf) in enumerate(zip(langs, outs)):
                if k:
                    self.ctx.copy_framebuffer(self.post.out, self._stash)
                    self.post.out.use()
                self._captions(state, lang)
                res.append(self._read(buf))
            return res

    def _direct_backdrop(self, vignette: float):
        """Copy the backdrop (gradient and vignette) under the direct path's shot, drawing
        it into ``post.backdrop_image`` first when it has changed."""
        post = self.post
        key = (post.backdrop, vignette)
        if post.backdrop_key != key:
            post.backdrop_image.use()
            self.ctx.disable(moderngl.DEPTH_TEST)
            _value(self.backdrop_prog, "u_top", post.backdrop[0])
            _value(self.backdrop_prog, "u_bottom", post.backdrop[1])
            _value(self.backdrop_prog, "u_vignette", vignette)
            _value(self.backdrop_prog, "u_aspect", (self.settings.aspect, 1.0))
            self.backdrop_vao.render(moderngl.TRIANGLES, vertices=3)
            post.backdrop_key = key
            post.scene.use()
        self.ctx.copy_framebuffer(post.scene, post.backdrop_image)

    def render_array(self, state: FrameState) -> np.ndarray:
        """H×W×4 uint8, top row first (for stills and tests)."""
        s = self.settings
        return np.frombuffer(self.render(state), np.uint8).reshape(s.height, s.width, 4).copy()

    def _collect(self, state: FrameState, view: np.ndarray):
        """Split visible nodes into opaque draws and back-to-front translucent layers."""
        opaque, translucent = [], []
        for name, node in state.nodes.items():
            mat = node.material
            if not node.visible or mat.opacity <= 0.0 or mat.reveal <= 0.0:
                continue
            model = state.world_matrix(name) if node.parent else node.transform.matrix()
            if isinstance(node, MeshNode):
                if node.geometry is None or not len(node.geometry.indices):
                    continue
                # Dense translucent shells (an organ faded to see inside) are lit per vertex:
                # drawn twice over much of the frame, per-pixel light costs the most there,
                # and at 20k+ triangles Gouraud shading looks the same through the veil.
                dense_veil = mat.translucent and node.geometry.triangle_count >= 20000
                per_vertex = dense_veil or self._per_vertex(node.geometry, mat, view @ model)
                kind = "vmesh" if per_vertex else "plain"
                item = (kind, node, model, node.geometry, None)
                if mat.translucent:
                    c, r = node.geometry.bounding_sphere_cached()
                    d = -(view @ model @ np.append(c, 1.0))[2]
                    r *= float(np.abs(model[:3, :3]).max())
                    # Back faces lie behind what the wall encloses, front faces before it.
                    translucent.append((d + r, item, "front"))
                    translucent.append((d - r, item, "back"))
                else:
                    opaque.append(item)
            elif isinstance(node, InstancedNode) and node.count:
                data = pack_instances(node)
                vm = view @ model
                if isinstance(node.shape, str):          # sprites: cull to the frame
                    data = data[self._in_view(data, vm, 2.6 if node.shape == "glow" else 1.05)]
                    if not len(data):
                        continue
                if not isinstance(node.shape, str):
                    kind = "imesh"
                elif node.shape == "glow":
                    translucent.append((-1e30, ("glow", node, model, None, data), "none"))
                    continue
                elif node.shape == "sphere" and np.all(data[:, 7:10] == data[:, 7:8]):
                    kind = "dot" if self._tiny(data, vm) else "sphere"
                else:
                    kind = "impostor"
                geom = None if kind in _IMPOSTORS else node.shape
                is_translucent = mat.translucent or bool((node.instances.opacity < 0.999).any())
                if is_translucent:
                    depth = -(data[:, :3] @ vm[2, :3].astype(_F4) + vm[2, 3])
                    # Key on each body's nearest point, so a nucleus inside a membrane
                    # (same centre, smaller) is drawn before the membrane around it.
                    near = depth - data[:, 7:10].max(axis=1) * _uniform_scale(vm)
                    data = data[np.argsort(-near, kind="stable")]
                    for item in self._footprints(kind, node, model, geom, data, vm, True):
                        translucent.append((float(np.median(depth)), item,
                                            "none" if kind in _IMPOSTORS else "back"))
                else:
                    if kind in _IMPOSTORS and len(data) > 1:
                        # Front to back, so that depth_greater lets hidden ones be skipped.
                        depth = -(data[:, :3] @ vm[2, :3].astype(_F4) + vm[2, 3])
                        data = data[np.argsort(depth, kind="stable")]
                    opaque.extend(self._footprints(kind, node, model, geom, data, vm, False))
        translucent.sort(key=lambda e: -e[0])
        return opaque, translucent

    def _footprints(self, kind, node, model, geom, data, vm: np.ndarray, whole: bool):
        """The draws of an instanced group: impostors that can be point sprites as points,
        the rest as quads, each keeping the group's order; ``whole`` (a translucent group,
        which must blend in its order): points only if every body can be one."""
        if kind not in ("sphere", "dot", "impostor"):
            return [(kind, node, model, geom, data)]
        pts = self._point_mask(data, vm)
        if pts.all():
            return [(kind + "_pt", node, model, geom, data)]
        if whole or not pts.any():
            return [(kind, node, model, geom, data)]
        return [(kind + "_pt", node, model, geom, data[pts]),
                (kind, node, model, geom, data[~pts])]

    def _bodies_in_view(self, data: np.ndarray, vm: np.ndarray):
        """The bodies' bounding spheres in view space, (centres, radii), and how far each
        centre lies inside the frustum's side planes ((x, y) distances, negative outside):
        a sphere of radius r touches the view when r exceeds minus that distance, and
        lies wholly inside it when r is smaller than it."""
        c = data[:, :3] @ vm[:3, :3].T.astype(_F4) + vm[:3, 3].astype(_F4)
        r = data[:, 7:10].max(axis=1) * _uniform_scale(vm)
        d = -c[:, 2]
        tw, th = 1.0 / self._proj[0, 0], 1.0 / self._proj[1, 1]
        inward = np.stack([(d * tw - np.abs(c[:, 0])) / np.sqrt(1 + tw * tw),
                           (d * th - np.abs(c[:, 1])) / np.sqrt(1 + th * th)], axis=1)
        return c, r, inward

    def _point_mask(self, data: np.ndarray, vm: np.ndarray) -> np.ndarray:
        """Which bodies may be drawn as point sprites: wholly inside the view (GL clips a
        point by its centre) and between the clip planes, with screen bounds (the same as
        sprite_vert.glsl's, of the bounding sphere) under the driver's largest point."""
        c, r, inward = self._bodies_in_view(data, vm)
        c = c.astype(np.float64)
        d = -c[:, 2]
        p = self._proj
        inside = ((d - r > 2.0 * self._near) & (d + r < self._far)
                  & (inward.min(axis=1) > r))
        side = np.zeros(len(data))
        for axis, focal in ((0, p[0, 0] * self.post.size[0] / 2),
                            (1, p[1, 1] * self.post.size[1] / 2)):
            x = c[:, axis]
            t = x / np.maximum(d, 1e-9)
            a = r / np.sqrt(np.maximum(x * x + d * d - r * r, 1e-12))
            hi = (t + a) / np.maximum(1.0 - t * a, 1e-6)
            lo = (t - a) / (1.0 + t * a)
            side = np.maximum(side, (hi - lo) * focal)
        return inside & (side + 1.0 < self._max_point)

    def _per_vertex(self, geom: Geometry, mat, vm: np.ndarray) -> bool:
        """Whether a mesh is lit per vertex: as its material says, or under "auto" when its
        triangles are small on screen and its normals turn little between vertices.

        Light interpolated linearly across an edge whose normals turn by an angle d errs by
        about d²/8 times the light's second derivative in angle: 1 for the diffuse term, n
        for shade()'s Blinn-Phong lobe of exponent n (times its strength), ~6 for the
        cubic Fresnel rim (times its strength)."""
        if mat.shading != "auto":
            return mat.shading == "vertex"
        edge, turn = geom.fineness()
        rough = float(np.clip(mat.roughness, 0.0, 1.0))
        curvature = 1.0 + (90.0 - 84.0 * rough) * (1.0 - rough) * 0.55 + 6.0 * float(mat.rim)
        if turn * turn / 8.0 * curvature > AUTO_VERTEX_ERROR:
            return False
        c, r = geom.bounding_sphere_cached()
        s = _uniform_scale(vm)
        near = -(vm[2, :3] @ c + vm[2, 3]) - r * float(np.abs(vm[:3, :3]).max())
        if near <= self._near:
            return False
        return edge * s * self._focal / near <= AUTO_VERTEX_PIXELS

    def _in_view(self, data: np.ndarray, vm: np.ndarray, reach: float) -> np.ndarray:
        """Which sprites can touch the frame (their bounding sphere, ``reach`` times the
        body's largest radius, against the view frustum).  A third of the film's sprites
        lie outside it at any moment; llvmpipe would run their vertex work and set up their
        triangles before clipping them (1-5 ms a 1080p frame in the lobule shots)."""
        c, r, inward = self._bodies_in_view(data, vm)
        r = r * reach
        return (r - c[:, 2] > self._near) & (inward.min(axis=1) > -r)

    def _tiny(self, data: np.ndarray, vm: np.ndarray) -> bool:
        """True when every body of the group is under DOT_MAX_PIXELS in radius."""
        depth = -(data[:, :3] @ vm[2, :3].astype(_F4) + vm[2, 3])
        if depth.min() <= 0:
            return False
        scale = _uniform_scale(vm)
        r = data[:, 7:10].max(axis=1) * (scale * self._focal)
        return float((r / depth).max()) < DOT_MAX_PIXELS

    def _draw(self, item, view: np.ndarray, cull: str):
        kind, node, model, geom, data = item
        ctx = self.ctx
        mat = node.material
        variant = ("FOG",) if self._fog else ()
        if kind in _IMPOSTORS:
            if node.params.get("nucleus", 0.0) > 0:
                variant += ("NUCLEUS",)
            if node.params.get("ruffle", 0.0) > 0:
                variant += ("RUFFLE",)
            if node.shape == "biconcave" and kind in ("impostor", "impostor_pt"):
                variant += ("BICONCAVE",)
        else:
            if mat.reveal < 1.0:
                variant += ("REVEAL",)
            if mat.translucent:
                variant += ("ALPHA_FRESNEL",)
            if kind == "vmesh" and cull == "back" and not mat.double_sided:
                variant += ("ONE_SIDED",)       # back faces culled: light the outside only
        prog = self._program(kind, variant)
        self._set_material(prog, mat, model)
        buf, n = None, 1
        if kind == "vmesh":
            data = _IDENTITY_INSTANCE.copy()
            data[0, 10:13] = mat.color
        points = kind.endswith("_pt")
        name = node.name + "#points" if points else node.name
        if data is not None:
            buf = self._instance_buffer(name, data)
            n = len(data)
        if kind == "glow":
            ctx.blend_func = moderngl.ONE, moderngl.ONE
            _value(prog, "u_pixel", 2.0 * np.tan(np.radians(self._fov) / 2) / self.post.size[1])
        if kind in _IMPOSTORS:
            _value(prog, "u_model_scale", _uniform_scale(model))
            _value(prog, "u_nucleus", float(node.params.get("nucleus", 0.0)))
            _value(prog, "u_ruffle", float(node.params.get("ruffle", 0.0)))
            ctx.disable(moderngl.CULL_FACE)
            if points:
                self._vao(name, kind, prog, buf, None).render(moderngl.POINTS, vertices=n)
            else:
                self._vao(name, kind, prog, buf, None).render(moderngl.TRIANGLE_STRIP,
                                                              vertices=4, instances=n)
            if kind == "glow":
                ctx.blend_func = (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA,
                                  moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA)
            return
        nv = np.linalg.inv((view @ model)[:3, :3]).T
        _write(prog, "u_normal_view", nv.T.astype(_F4).tobytes())
        _value(prog, "u_reveal", float(mat.reveal))
        if mat.double_sided or cull == "none":
            ctx.disable(moderngl.CULL_FACE)
        else:
            ctx.enable(moderngl.CULL_FACE)
            ctx.cull_face = cull
        self._vao(node.name, kind, prog, buf, geom, spatial=not mat.translucent).render(
            moderngl.TRIANGLES, instances=n)

    def _overlays(self, state: FrameState, lang: str | None = "en"):
        """Fade to the background colour, then captions and cards (never faded) in
        ``lang`` (None: none, for ``render_versions``)."""
        ctx, s = self.ctx, self.settings
        fade = float(state.settings.fade)
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = (moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA,
                          moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA)
        _value(self.ov_prog, "u_screen", (float(s.width), float(s.height)))
        if fade > 0:
            bg = state.settings.background_bottom
            _value(self.ov_prog, "u_use_tex", 0)
            _value(self.ov_prog, "u_fill", (*bg, 1.0))
            _value(self.ov_prog, "u_alpha", min(fade, 1.0))
            _value(self.ov_prog, "u_rect", (0.0, 0.0, float(s.width), float(s.height)))
            self.ov_vao.render(moderngl.TRIANGLE_STRIP)
        ctx.disable(moderngl.BLEND)
        if lang is not None:
            self._captions(state, lang)

    def _captions(self, state: FrameState, lang: str = "en"):
        """Captions and cards in ``lang`` (None: none, the shot alone, as the accessibility
        gate measures behind the text), over whatever the bound target holds."""
        ctx, s = self.ctx, self.settings
        if lang is None:
            return
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = (moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA,
                          moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA)
        _value(self.ov_prog, "u_screen", (float(s.width), float(s.height)))
        if self.overlay_source is not None:
            _value(self.ov_prog, "u_use_tex", 1)
            items = (self.overlay_source(state, s.width, s.height) if lang == "en" else
                     self.overlay_source(state, s.width, s.height, lang=lang))
            for key, rgba_fn, rect, alpha in items:
                tex = self._textures.get(key)
                if tex is None:
                    tex = self.texture(key, rgba_fn())
                else:
                    self._textures.move_to_end(key)
                tex.use(0)
                _value(self.ov_prog, "u_tex", 0)
                _value(self.ov_prog, "u_alpha", float(alpha))
                _value(self.ov_prog, "u_rect", tuple(float(x) for x in rect))
                self.ov_vao.render(moderngl.TRIANGLE_STRIP)
        ctx.disable(moderngl.BLEND)

    def close(self):
        with self.ctx:
            self._release()
        self.gl.release()

    def _release(self):
        for vao in self._vaos.values():
            vao.release()
        self._vaos.clear()
        for buf, _ in self._inst.values():
            buf.release()
        self._inst.clear()
        for tex in self._textures.values():
            tex.release()
        self._textures.clear()
        self.geometry.release()
        for obj in (self.ov_vao, self.backdrop_vao, self.quad, self.unit_quad):
            obj.release()
        if self._stash is not None:
            for a in self._stash.color_attachments:
                a.release()
            self._stash.release()
        self.post.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
