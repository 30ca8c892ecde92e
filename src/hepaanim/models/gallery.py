"""A labelled contact sheet of every model and its key states (a picture to check by eye).

``render_gallery(path, cell=(320, 240))`` renders each entry of ``catalog.CATALOG`` (and
each of its key states) with the GL renderer, framed on its own bounds, labels it with
Pillow (Lato Regular) and writes one PNG.  A tile is labelled with the factory's own name
(``msc_cell  state=1.00``, ``red_blood_cells``): the name a reader types to use it.
The CLI hook is a thin wrapper: ``hepaanim gallery -o renders/gallery.png``.
"""
from __future__ import annotations

import os
from pathlib import Path as FilePath

import numpy as np

from ..scene.camera import Camera
from ..scene.lights import three_point_rig
from ..scene.nodes import InstancedNode, MeshNode
from ..scene.scene import FrameState, Settings
from .catalog import CATALOG

FONT = FilePath(__file__).resolve().parents[3] / "assets" / "fonts" / "Lato-Regular.ttf"

# View direction (from target toward camera) per model; default: front, above, a bit right.
VIEWS = {
    "liver": (-0.25, -1.0, 0.25), "liver_translucent": (-0.25, -1.0, 0.25),
    "vasculature": (-0.2, -1.0, 0.2), "iv_route": (0.0, -1.0, 0.05),
    "lobule": (0.15, -0.55, 1.0), "sinusoid": (0.2, -0.3, 1.0),
    "stellate": (0.3, -1.0, 0.6), "collagen": (0.3, -1.0, 0.5),
    "stromal": (0.3, -1.0, 0.9), "stromal_divide": (0.3, -1.0, 0.9),
    "culture_cells": (0.1, -0.6, 1.0), "culture_lifted": (0.2, -1.0, 0.4),
    "culture_flask": (-0.5, -1.0, 0.8), "liver_sample": (0.5, -1.0, 1.0),
    "cell_vial": (0.3, -1.0, 0.3),
    "organ_body": (0.0, -1.0, 0.05), "organ_body_failing": (0.0, -1.0, 0.05),
}
ZOOM = {"iv_route": 0.8, "sinusoid": 0.7, "lobule": 0.8, "organ_body": 0.8,
        "organ_body_failing": 0.8}


def _frame_state(nodes, view, zoom, aspect) -> FrameState:
    pts = []
    nodes = {n.name: n for n in nodes}
    state = FrameState(0.0, nodes, Camera(), three_point_rig(), Settings())
    for name, n in nodes.items():
        m = state.world_matrix(name)
        if isinstance(n, MeshNode) and n.geometry is not None and len(n.geometry.positions):
            lo, hi = n.geometry.bounds()
            corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                                for z in (lo[2], hi[2])])
            pts.append(corners @ m[:3, :3].T + m[:3, 3])
        elif isinstance(n, InstancedNode) and n.count:
            r = np.abs(n.instances.scale).max(axis=1, keepdims=True)
            if not isinstance(n.shape, str):              # instanced mesh: its own extent
                lo, hi = n.shape.bounds()
                r = r * float(np.abs(np.concatenate([lo, hi])).max())
            p = n.instances.position
            pts.append(np.concatenate([p - r, p + r]) @ m[:3, :3].T + m[:3, 3])
    allp = np.concatenate(pts) if pts else np.zeros((1, 3))
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    center = (lo + hi) / 2
    radius = max(float(np.linalg.norm(hi - lo)) / 2, 1e-3)
    fov = 35.0
    half = np.radians(fov) / 2
    dist = radius * zoom / np.sin(min(half, np.arctan(np.tan(half) * aspect))) * 1.05
    d = np.asarray(view, dtype=np.float64)
    d /= np.linalg.norm(d)
    state.camera = Camera(position=center + d * dist, target=center, fov=fov,
                          near=max(dist - radius * 1.5, dist * 0.01), far=dist + radius * 2)
    return state


def entries():
    """(title, catalog key, nodes) for every model and key state, in catalog order."""
    for entry in CATALOG:
        model = entry.build()
        if entry.states:
            param, values = entry.states
            for v in values:
                model.set(param, v)
                yield f"{entry.title}  {param}={v:.2f}", entry.key, model.derived()
        else:
            yield entry.title, entry.key, model.derived()


def _font(size: int):
    from PIL import ImageFont
    try:
        return ImageFont.truetype(str(FONT), size)
    except OSError:
        return ImageFont.load_default()


def render_gallery(path, cell=(320, 240), columns: int = 6, aa: str | None = None) -> str:
    """Render the contact sheet to ``path`` (PNG, written atomically); returns the path."""
    from PIL import Image, ImageDraw

    from ..render.gl.renderer import Renderer, RenderSettings

    w, h = int(cell[0]), int(cell[1])
    items = list(entries())
    rows = (len(items) + columns - 1) // columns
    label_h = max(14, h // 12)
    sheet = Image.new("RGB", (columns * w, rows * (h + label_h)), (11, 26, 46))
    draw = ImageDraw.Draw(sheet)
    font = _font(int(label_h * 0.75))
    settings = RenderSettings(width=w, height=h) if aa is None else \
        RenderSettings(width=w, height=h, aa=aa)
    renderer = Renderer(settings)
    try:
        for k, (title, label, nodes) in enumerate(items):
            state = _frame_state(nodes, VIEWS.get(label, (0.35, -1.0, 0.45)),
                                 ZOOM.get(label, 1.0), w / h)
            img = Image.fromarray(renderer.render_array(state)).convert("RGB")
            x, y = (k % columns) * w, (k // columns) * (h + label_h)
            sheet.paste(img, (x, y))
            draw.text((x + 6, y + h + 1), title, fill=(236, 240, 245), font=font)
    finally:
        renderer.close()
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".part"
    sheet.save(tmp, format="PNG")
    os.replace(tmp, path)
    return path
