"""The frame's render targets and post-processing chain (HDR to display).

    scene (RGBA16F, linear light; MSAA resolved if on)
      ├─ bloom: bright pass at 1/4 → blur → 1/8 → blur → merged at 1/4  (when bloom > 0)
      ├─ depth of field: 1/4 copy → blur, mixed by circle of confusion (only when set)
      └─ display (one pass): FXAA / edge AA on HDR, depth of field, bloom, exposure ·
           white balance · grade, ACES, gamma, vignette → out (RGBA8; overlays, read-back)

On llvmpipe every full-resolution pass costs about one texture fetch per pixel per tap,
so the chain keeps full-resolution work to one display pass and does its blurs
at a quarter or an eighth of the resolution.  ``look="draft"`` (the low preset) skips
bloom and depth of field; ``look="final"`` (the 4k preset) adds screen-space ambient
occlusion where a shot asks for it (``scene.ao``): on llvmpipe it costs 15-20 ms a 1080p
frame, which the high preset's 12 fps budget does not have.
"""
from __future__ import annotations

import moderngl
import numpy as np

from ...scene.color import srgb_to_linear

LOOKS = ("full", "draft", "final")
SCALES = (0.25, 1.0)          # render scale limits (below a quarter the shot is mush)


def display_value(x: float) -> float:
    """Scene light -> display value through the ACES fit and gamma (as the shaders do)."""
    y = (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14)
    return float(min(max(y, 0.0), 1.0) ** (1 / 2.2))


def _tex(ctx, size, components=4, dtype="f2"):
    t = ctx.texture(size, components, dtype=dtype)
    t.filter = (moderngl.LINEAR, moderngl.LINEAR)
    t.repeat_x = t.repeat_y = False
    return t


class PostChain:
    def __init__(self, gl, samples: int, aa: str | None, look: str = "full", hdr: bool = True,
                 scale: float = 1.0, transparent: bool = False):
        if look not in LOOKS:
            raise ValueError(f"unknown look {look!r}; use one of {', '.join(LOOKS)}")
        if not SCALES[0] <= scale <= SCALES[1]:
            raise ValueError(f"render scale {scale} outside {SCALES[0]} .. {SCALES[1]:g}")
        self.gl = gl
        ctx = self.ctx = gl.ctx
        self.out_size = gl.size
        # The shot renders at `scale` of the output size and is enlarged in a last pass;
        # pixel-bound work (all of it, on llvmpipe) shrinks with the square of the scale.
        w, h = self.size = (max(16, round(gl.size[0] * scale)), max(16, round(gl.size[1] * scale)))
        self.scaled = self.size != self.out_size
        self.look = look
        self.float_target = hdr
        self.backdrop = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))     # (top, bottom), set per frame
        self.samples = min(int(samples), ctx.max_samples) if samples and samples > 1 else 0
        self._owned = []

        def own(o):
            self._owned.append(o)
            return o

        # The direct path (draft look, no AA, full scale, 8-bit): the shot is drawn over
        # the backdrop straight into the read-back target, with no display pass.
        self.direct = (look == "draft" and not aa and not self.scaled and not self.samples
                       and not hdr)
        if self.direct:
            self.out_color = own(ctx.renderbuffer(self.out_size, 4))
            self.direct_depth = own(ctx.depth_renderbuffer(self.out_size))
            self.scene = self.resolved = self.out = own(
                ctx.framebuffer([self.out_color], self.direct_depth))
            self.hdr = self.depth = None
            # The backdrop drawn once into its own image and copied under each frame: on
            # llvmpipe a same-size copy runs at memcpy speed (0.4 ms a 720p frame) while
            # shading the gradient and vignette costs 2.9 ms.  Redrawn when its colours or
            # vignette change (a graded shot changes them per frame).
            self.backdrop_image = own(ctx.framebuffer([own(ctx.renderbuffer(self.out_size, 4))]))
            self.backdrop_key = None
        else:
            self._targets(own, hdr)
        # Quarter and eighth resolution chains (bloom, defocus).
        q = (max(1, w // 4), max(1, h // 4))
        e = (max(1, w // 8), max(1, h // 8))
        self.q_size, self.e_size = q, e
        self.qa, self.qb, self.ea, self.eb, self.da, self.db = (
            own(_tex(ctx, s, dtype=("f2" if hdr else "f1"))) for s in (q, q, e, e, q, q))
        self.fbos = {t: own(ctx.framebuffer([t])) for t in
                     (self.qa, self.qb, self.ea, self.eb, self.da, self.db)}

        # transparent: no backdrop under the shot; its coverage is the output's alpha
        # (premultiplied colour, as the overlays blend), for editors' mov/webm versions.
        d = (() if hdr else ("DISPLAY_REFERRED",)) + (("TRANSPARENT",) if transparent else ())

        def prog(v, f, defines=()):
            return gl.program(v, f, d + tuple(defines))
        self.p_bright = prog("background.vert", "bright.frag")
        self.p_blur = prog("background.vert", "blur.frag")
        self.p_down = prog("background.vert", "downsample.frag")
        self.p_down_karis = prog("background.vert", "downsample.frag", ("KARIS",))
        self._aa_define = {"fxaa": ("AA_FXAA",), "edge": ("AA_EDGE",)}.get(aa, ())
        self._prog = prog
        self.p_upscale = prog("background.vert", "upscale.frag")
        self.p_merge = prog("background.vert", "bloom_merge.frag")
        self._vaos = {p: own(ctx.vertex_array(p, [])) for p in
                      (self.p_bright, self.p_blur, self.p_down, self.p_down_karis,
                       self.p_upscale, self.p_merge)}
        # Ambient occlusion at a quarter of the size: programs and targets made on first use
        # (only the "final" look with a shot that asks for it).
        self.ao_a = self.ao_b = None

    def _targets(self, own, hdr: bool):
        ctx = self.ctx
        # Scene target: linear HDR colour (or tone-mapped 8-bit on the fast path) and a
        # depth texture (read by depth of field).
        fmt = "f2" if hdr else "f1"
        self.hdr = own(_tex(ctx, self.size, dtype=fmt))
        if self.samples:
            self.msaa_color = own(ctx.renderbuffer(self.size, 4, samples=self.samples,
                                                   dtype=fmt))
            self.msaa_depth = own(ctx.depth_renderbuffer(self.size, samples=self.samples))
            self.scene = own(ctx.framebuffer([self.msaa_color], self.msaa_depth))
            self.depth = own(ctx.depth_texture(self.size))
            self.resolved = own(ctx.framebuffer([self.hdr], self.depth))
        else:
            self.depth = own(ctx.depth_texture(self.size))
            self.scene = self.resolved = own(ctx.framebuffer([self.hdr], self.depth))
        self.depth.compare_func = ""
        self.depth.filter = (moderngl.NEAREST, moderngl.NEAREST)

        # Display targets.
        self.out_color = own(ctx.renderbuffer(self.out_size, 4))
        self.out = own(ctx.framebuffer([self.out_color]))
        if self.scaled:
            self.ldr = own(_tex(ctx, self.size, dtype="f1"))
            self.ldr_fbo = own(ctx.framebuffer([self.ldr]))

    def _display(self, dof: bool, bloom: bool, ao: bool = False):
        """The display pass variant for this frame (compiled on first use)."""
        defines = (self._aa_define + (("DOF",) if dof else ()) + (("BLOOM",) if bloom else ())
                   + (("AO",) if ao else ()))
        p = self._prog("background.vert", "display.frag", defines)
        if p not in self._vaos:
            self._vaos[p] = self.ctx.vertex_array(p, [])
            self._owned.append(self._vaos[p])
        return p

    def _pass(self, prog, target, *textures, **uniforms):
        (self.fbos[target] if target in self.fbos else target).use()
        for unit, (name, tex) in enumerate(textures):
            tex.use(unit)
            u = prog.get(name, None)       # not `in prog`: that walks every member
            if u is not None:
                u.value = unit
        for k, v in uniforms.items():
            u = prog.get(k, None)
            if u is not None:
                u.value = v
        self._vaos[prog].render(moderngl.TRIANGLES, vertices=3)

    def _blur(self, a, b, size):
        self._pass(self.p_blur, b, ("u_tex", a), u_step=(1.0 / size[0], 0.0))
        self._pass(self.p_blur, a, ("u_tex", b), u_step=(0.0, 1.0 / size[1]))

    def begin(self):
        """Bind the scene target for drawing."""
        self.scene.use()

    def finish(self, settings, grade: np.ndarray, camera) -> None:
        """Run the chain; leaves ``self.out`` bound for overlays and read-back."""
        ctx = self.ctx
        ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        if self.direct:
            self.out.use()
            return
        if self.samples:
            ctx.copy_framebuffer(self.resolved, self.scene)
        w, h = self.size
        full = self.look in ("full", "final")
        bloom = float(settings.bloom) if full else 0.0
        if bloom > 0:
            th = float(settings.bloom_threshold)
            if not self.float_target:      # the threshold is in scene light: map to display
                th = display_value(th * float(settings.exposure))
            self._pass(self.p_bright, self.qa, ("u_tex", self.hdr),
                       u_src_inv=(1.0 / w, 1.0 / h), u_threshold=th,
                       u_exposure=float(settings.exposure))
            self._blur(self.qa, self.qb, self.q_size)
            self._pass(self.p_down, self.ea, ("u_tex", self.qa),
                       u_src_inv=(1.0 / self.q_size[0], 1.0 / self.q_size[1]))
            self._blur(self.ea, self.eb, self.e_size)
            self._pass(self.p_merge, self.qb, ("u_q", self.qa), ("u_e", self.ea))
        dof = full and settings.focus_distance > 0 and settings.aperture > 0
        if dof:
            self._pass(self.p_down_karis, self.da, ("u_tex", self.hdr),   # taps at ±1 px:
                       u_src_inv=(2.0 / w, 2.0 / h))                       # a 4x4 box
            self._blur(self.da, self.db, self.q_size)
        ao = float(settings.ao) if self.look == "final" and settings.ao_radius > 0 else 0.0
        if ao > 0:
            self._occlusion(settings, camera)
        display = self._display(dof, bloom > 0, ao > 0)
        balance = np.asarray(settings.white_balance, float) * grade
        tex = [("u_hdr", self.hdr)] + ([("u_bloom1", self.qb)] if bloom > 0 else [])
        extra = {}
        if ao > 0:
            tex.append(("u_ao_tex", self.ao_a))
            extra["u_ao"] = ao
        if dof:
            tex += [("u_dof", self.da), ("u_depth", self.depth)]
            extra["u_dof_params"] = (float(settings.focus_distance), float(settings.aperture),
                                     float(camera.near), float(camera.far))
        self._pass(display, self.ldr_fbo if self.scaled else self.out, *tex, u_bloom=bloom,
                   u_exposure=float(settings.exposure),
                   u_balance=tuple(float(x) for x in balance), u_inv=(1.0 / w, 1.0 / h),
                   u_vignette=float(settings.vignette), u_aspect=(w / h, 1.0),
                   u_bg_top=self.backdrop[0], u_bg_bottom=self.backdrop[1], **extra)
        if self.scaled:
            self._pass(self.p_upscale, self.out, ("u_tex", self.ldr))

    def _occlusion(self, settings, camera) -> None:
        """Screen-space ambient occlusion into ``ao_a`` (quarter size, blurred)."""
        if self.ao_a is None:
            ctx, own = self.ctx, self._owned.append
            self.p_ao = self.gl.program("background.vert", "ao.frag")
            self.p_ao_blur = self.gl.program("background.vert", "ao_blur.frag")
            for p in (self.p_ao, self.p_ao_blur):
                self._vaos[p] = ctx.vertex_array(p, [])
                own(self._vaos[p])
            for name in ("ao_a", "ao_b"):
                t = _tex(ctx, self.q_size, components=2)
                own(t)
                setattr(self, name, t)
                self.fbos[t] = ctx.framebuffer([t])
                own(self.fbos[t])
        w, h = self.size
        self._pass(self.p_ao, self.ao_a, ("u_depth", self.depth), u_size=(float(w), float(h)),
                   u_cam=(float(camera.near), float(camera.far),
                          float(np.tan(np.radians(camera.fov) / 2)), w / h),
                   u_radius=float(settings.ao_radius), u_intensity=6.0)
        # The blur reads whole texels (texelFetch); the display pass reads ao_a filtered.
        self._pass(self.p_ao_blur, self.ao_b, ("u_tex", self.ao_a), u_step=(1.0, 0.0))
        self._pass(self.p_ao_blur, self.ao_a, ("u_tex", self.ao_b), u_step=(0.0, 1.0))

    def fog_color(self, settings) -> tuple:
        """Fog fades toward the backdrop's lower colour (in the lit shaders' linear light)."""
        c = settings.fog_color if settings.fog_color is not None else settings.background_bottom
        return tuple(float(x) for x in srgb_to_linear(c))

    def release(self):
        for o in reversed(self._owned):
            o.release()
        self._owned.clear()
