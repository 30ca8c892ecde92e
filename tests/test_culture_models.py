"""The prologue's models (issue 18): the culture flask, cultured stromal cells, the donor
tissue piece and the ACLF organ body — determinism, clamping, growth, sizes, pictures."""
from __future__ import annotations

import math

import numpy as np
import pytest

from hepaanim.models._mesh import face_normals, open_edges
from hepaanim.models.body import ORGANS, organ_body
from hepaanim.models.culture import culture_cells, footprint_mask
from hepaanim.models.flask import cell_vial, culture_flask, liver_sample
from hepaanim.models.stromal import stromal_cell
from hepaanim.scene.geometry import Geometry
from hepaanim.scene.nodes import InstancedNode, MeshNode

# (label, build, param, values): every state worth showing.
STATES = [
    ("stromal", lambda: stromal_cell("st"), "spread", (0.0, 0.5, 1.0)),
    ("stromal_divide", lambda: stromal_cell("sd"), "divide",
     (0.15, 0.35, 0.55, 0.7, 0.8, 1.0)),
    ("stromal_lifted", lambda: stromal_cell("sl"), "lifted", (0.5, 1.0)),
    ("culture_spread", lambda: culture_cells("cs"), "spread", (0.0, 1.0)),
    ("culture", lambda: culture_cells("cc"), "confluence", (0.3, 0.6, 1.0)),
    ("culture_lifted", lambda: culture_cells("cl", confluence=1.0), "lifted", (0.5, 1.0)),
    ("flask", lambda: culture_flask("fl"), "confluence", (0.0, 1.0)),
    ("liver_sample", lambda: liver_sample("ls"), "freed", (0.0, 1.0)),
    ("cell_vial", lambda: cell_vial("cv"), "cells", (0.0, 0.5, 1.0)),
    *[(f"aclf_{o}", lambda: organ_body("ab"), o, (1.0,)) for o in ORGANS],
]


def _arrays(model):
    out = []
    for n in model.derived():
        if isinstance(n, MeshNode) and n.geometry is not None:
            out += [n.geometry.positions, n.geometry.indices]
        elif isinstance(n, InstancedNode):
            out += [n.instances.position, n.instances.scale, n.instances.orientation]
            if isinstance(n.shape, Geometry):
                out.append(n.shape.positions)
    return out


def _state_arrays(build, key, value):
    m = build()
    m.set(key, value)
    return _arrays(m)


@pytest.mark.parametrize("label,build,key,values", STATES[:9], ids=[s[0] for s in STATES[:9]])
def test_same_seed_same_arrays(label, build, key, values):
    for v in values:
        a, b = _state_arrays(build, key, v), _state_arrays(build, key, v)
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b)), label


def test_other_seed_other_layout():
    a, b = culture_cells("a", seed=1), culture_cells("b", seed=2)
    assert a.positions.shape == b.positions.shape == (140, 3)
    assert not np.allclose(a.positions, b.positions)
    assert len(a.seeded_positions) == 6
    x, y = liver_sample("x", freed=1.0, seed=1), liver_sample("y", freed=1.0, seed=2)
    assert not np.allclose(x["cells"].instances.position, y["cells"].instances.position)


@pytest.mark.parametrize("label,build,key,values", STATES, ids=[s[0] for s in STATES])
def test_states_clamp(label, build, key, values):
    """Overshoot clamps to the end states; NaN and non-numbers name the parameter."""
    for bad, edge in ((-0.4, 0.0), (1.6, 1.0)):
        over, at = build(), build()
        over.set(key, bad)
        at.set(key, edge)
        for x, y in zip(_arrays(over), _arrays(at)):
            assert np.array_equal(x, y), (label, bad)
    m = build()
    m.set(key, float("nan"))
    with pytest.raises(ValueError, match=key):
        m.derived()


def test_confluence_grows_by_division_and_covers_the_surface():
    """Covered plastic only grows with confluence, from the seeded few to a covered floor,
    and the count rises by division (cells are born in pairs from a mitotic mother)."""
    cells = culture_cells("c")
    steps = np.linspace(0.0, 1.0, 26)
    cover = np.array([cells.covered_fraction(c, resolution=6.0) for c in steps])
    px = 1.0 / footprint_mask(cells.layer(confluence=0.0), cells.size, 6.0).size
    assert (np.diff(cover) >= -px).all(), np.round(cover, 3)   # within one raster cell
    assert cover[0] < 0.15 and cover[-1] > 0.85
    counts = [len(cells.layer(confluence=c).pos) for c in (0.0, 1.0)]
    assert counts == [6, 140]
    mitotic = [len(cells.layer(confluence=c).pairs) for c in np.linspace(0, 1, 60)]
    assert sum(m > 0 for m in mitotic) >= 5                  # divisions are on screen


def test_meshes_closed_and_outward():
    for label, build, key, values in STATES:
        for v in values:
            m = build()
            m.set(key, v)
            for n in m.derived():
                g = n.geometry if isinstance(n, MeshNode) else \
                    n.shape if isinstance(n, InstancedNode) and isinstance(n.shape, Geometry) \
                    else None
                if g is None:
                    continue
                assert open_edges(g) == 0, (label, n.name)
                p, i = g.positions.astype(np.float64), g.indices.astype(np.int64)
                vol = np.einsum("ij,ij->i", p[i[:, 0]], np.cross(p[i[:, 1]], p[i[:, 2]])).sum()
                assert vol > 0, (label, n.name)
                agree = (face_normals(g) * g.normals[g.indices].mean(1)).sum(1) > 0
                area = np.linalg.norm(np.cross(p[i[:, 1]] - p[i[:, 0]], p[i[:, 2]] - p[i[:, 0]]),
                                      axis=1)
                assert area[agree].sum() / area.sum() > 0.995, (label, n.name)


def _extent(g):
    lo, hi = g.bounds()
    return hi - lo


def test_sizes_follow_the_scale_card():
    # MSC ~15-30 µm in suspension (brief §1): the seeded, lifted and mitotic cells.
    for kw in ({"spread": 0.0}, {"lifted": 1.0}, {"divide": 0.4}):
        e = _extent(stromal_cell("s", **kw).node.geometry)
        assert 15.0 <= e[:2].max() <= 30.0, kw
    spread = _extent(stromal_cell("s").node.geometry)
    assert 100.0 <= spread[0] <= 200.0 and spread[2] <= 8.0        # a flat spindle
    lifted = culture_cells("c", confluence=1.0, lifted=1.0).derived()
    lvl0 = next(n for n in lifted if n.name == "c_shape0")
    assert lvl0.count == 140 and 15.0 <= _extent(lvl0.shape)[:2].max() <= 30.0
    fl = culture_flask("f")
    e = _extent(fl.node.geometry)
    assert 140 <= e[0] <= 160 and 70 <= e[1] <= 90 and fl.floor_z < fl.medium_top < 6
    s = liver_sample("s")
    assert 8.0 <= _extent(s.node.geometry).max() <= 12.0
    veins = s["veins"].instances.position[:, :2]
    d = np.linalg.norm(veins[:, None] - veins[None], axis=2)
    np.fill_diagonal(d, np.inf)
    assert 1.0 <= np.median(d.min(axis=1)) <= 2.0                   # lobules 1-2 mm


def test_vial_is_act_6s_vial():
    """The prologue's vial is infusion_set's own glass, cap and fluid (the shots rhyme)."""
    from hepaanim.models.infusion import infusion_set
    from hepaanim.scene.color import rgb
    act6 = infusion_set("iv6")
    v = cell_vial("v", hero=True)
    for part in ("", "cap", "fluid"):
        a, b = (act6[part] if part else act6.node), (v[part] if part else v.node)
        assert a.geometry.key == b.geometry.key
        assert np.allclose(a.material.color, b.material.color)
    assert np.allclose(v["cells"].material.color, rgb("therapy_teal"))
    assert not np.allclose(cell_vial("p")["cells"].material.color, rgb("therapy_teal"),
                           atol=0.05)


def test_bad_options_say_what_is_allowed():
    with pytest.raises(ValueError, match="seeded"):
        culture_cells("c", count=4, seeded=6)
    with pytest.raises(ValueError, match="spleen"):
        organ_body("b", spleen=1.0)


def test_organs_glow_ember_one_at_a_time():
    from hepaanim.scene.color import rgb
    for organ in ORGANS:
        b = organ_body("b", **{organ: 1.0})
        lit = [n.name for n in b.derived() if n.material.emissive > 0.5]
        assert lit == [b.organs[organ]]
        assert np.allclose(b[organ].material.color, rgb("inflammation_ember"))


@pytest.fixture(scope="module")
def renderer():
    from hepaanim.render.gl.renderer import Renderer, RenderSettings
    r = Renderer(RenderSettings(width=160, height=90))
    yield r
    r.close()


def test_every_state_renders(renderer):
    """Each state draws visibly at 160x90 (pixels differ from the empty backdrop)."""
    from hepaanim.models.gallery import _frame_state
    empty = None
    for label, build, key, values in STATES:
        for v in values:
            m = build()
            m.set(key, v)
            state = _frame_state(m.derived(), (0.3, -1.0, 0.7), 1.0, 160 / 90)
            if empty is None:
                bare = _frame_state(m.derived(), (0.3, -1.0, 0.7), 1.0, 160 / 90)
                bare.nodes = {}
                empty = renderer.render_array(bare)[..., :3].astype(int)
            img = renderer.render_array(state)[..., :3].astype(int)
            drawn = (np.abs(img - empty).max(axis=2) > 12).mean()
            assert drawn > 0.02, f"{label} {key}={v}: {drawn:.3f} of the frame drawn"
            assert math.isfinite(drawn)
