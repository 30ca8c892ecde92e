"""The one settings object a render carries: what decides its pixels and its timing.

A ``Settings`` is frozen and travels whole, from the command line (a quality preset with
the flags' overrides) to the frame loop, the local workers and the Dask workers.  Because
it is immutable and hashable, it is also the key wherever something is cached by
settings: a chunk's cache key is built from all of its fields, and a cluster worker keeps
its GL renderer only while the settings it was built for are the job's (a worker that drew
a 0.65-scale job and then gets a 1.0 job builds a new renderer).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    width: int
    height: int
    fps: float
    aa: str = "fxaa"        # see render.gl.renderer.AA_MODES
    look: str = "full"      # "draft": no bloom, no depth of field; "final": + occlusion
    hdr: bool = False       # float scene target (≈ +35-45 % per frame on llvmpipe)
    scale: float = 1.0      # render scale (the shot at a fraction of the size, enlarged)
    motion_blur: int = 1    # sub-frame instants averaged per frame (180° shutter)
    lang: str = "en"        # the language of captions and cards (issue 16)
    transparent: bool = False   # no backdrop: alpha from the shot (mov/webm for editors)

    def __post_init__(self):
        # Normalise types, so equal settings are equal keys (30 and 30.0, 1 and True).
        for name, kind in (("width", int), ("height", int), ("fps", float), ("hdr", bool),
                           ("scale", float), ("motion_blur", int)):
            object.__setattr__(self, name, kind(getattr(self, name)))

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def renderer(self):
        """A GL renderer for these settings (with the compositor's overlays)."""
        from ..compose import overlay_items
        from .gl.renderer import Renderer, RenderSettings
        r = Renderer(RenderSettings(self.width, self.height, self.aa, self.look, self.hdr,
                                    self.scale, self.transparent))
        r.overlay_source = overlay_items
        r.lang = self.lang
        return r


# low is a fast draft; medium and high are the full look on the fast 8-bit path; high
# renders the shot at 0.65 scale (1248x702, enlarged; captions at full 1080p) with the
# cheaper edge AA, which keeps the film at 12 fps on a 2-core CPU whose speed drifts by
# ~8 % with the host's load (at 0.75 it measured 11.8-12.1 fps, at 0.7 11.9-12.9; side by
# side at 1:1, 0.65 is slightly softer than 0.75); --render-scale 1 gives the sharpest
# master.  4k renders full-size in float HDR with FXAA and the "final" look (+ ambient
# occlusion in the shots that ask for it).  --aa, --look, --hdr and --render-scale override.
QUALITY = {
    "low": Settings(854, 480, 15, "fxaa", "draft", False),
    "medium": Settings(1280, 720, 30),
    "high": Settings(1920, 1080, 30, aa="edge", scale=0.65),
    "4k": Settings(3840, 2160, 30, look="final", hdr=True),
}
