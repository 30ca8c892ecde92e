"""Model library: geometry sanity, determinism, budgets, anatomy constraints, state clamping.

No GPU: everything here checks the numpy data the renderer will get.
"""
from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from hepaanim.models import (Path, collagen, cytokines, msc_cell, hepatocyte, iv_route,
                             kupffer_cell, liver, lobule, paracrine_factors, sinusoid,
                             stellate_cell, vasculature)
from hepaanim.models._mesh import face_normals, open_edges
from hepaanim.models.catalog import BUILDERS, STATES
from hepaanim.scene.color import rgb
from hepaanim.scene.geometry import Geometry
from hepaanim.scene.nodes import InstancedNode, MeshNode
from hepaanim.timeline.timeline import Film

liver_mod = importlib.import_module("hepaanim.models.liver")


@pytest.fixture(scope="module")
def models():
    return {k: f() for k, f in BUILDERS.items()}


def _geometries(model):
    """(node name, geometry) of every mesh a model shows, after derive, at its key states."""
    out = []
    nodes = list(model.derived())
    for n in nodes:
        if isinstance(n, MeshNode) and n.geometry is not None:
            out.append((n.name, n.geometry))
        elif isinstance(n, InstancedNode) and isinstance(n.shape, Geometry):
            out.append((n.name, n.shape))
    return out


def _all_geometries(models):
    for label, m in models.items():
        for name, g in _geometries(m):
            yield label, name, g
        if label in STATES:
            key, values = STATES[label]
            for v in values:
                m.set(key, v)
                for name, g in _geometries(m):
                    yield label, f"{name}@{key}={v:.2f}", g
            m.set(key, values[0])


def _signed_volume(g: Geometry) -> float:
    p = g.positions.astype(np.float64)
    i = g.indices.astype(np.int64)
    return float(np.einsum("ij,ij->i", p[i[:, 0]], np.cross(p[i[:, 1]], p[i[:, 2]])).sum() / 6)


def test_every_mesh_is_sound(models):
    """Finite, unit normals, indices in range, closed, outward, normals agree with faces."""
    checked = 0
    for label, name, g in _all_geometries(models):
        where = f"{label}/{name}"
        assert np.isfinite(g.positions).all(), where
        assert np.isfinite(g.normals).all(), where
        assert np.allclose(np.linalg.norm(g.normals, axis=1), 1.0, atol=1e-3), where
        assert g.indices.max() < len(g.positions), where
        assert open_edges(g) == 0, f"{where}: not closed"
        assert _signed_volume(g) > 0, f"{where}: faces point inward"
        fn = face_normals(g)
        vn = g.normals[g.indices].mean(axis=1)
        agree = np.einsum("ij,ij->i", fn, vn) > 0
        area = np.linalg.norm(np.cross(
            g.positions[g.indices[:, 1]] - g.positions[g.indices[:, 0]],
            g.positions[g.indices[:, 2]] - g.positions[g.indices[:, 0]]), axis=1)
        assert area[agree].sum() / area.sum() > 0.995, f"{where}: normals disagree with faces"
        if g.param is not None:
            assert np.isfinite(g.param).all(), where
        checked += 1
    assert checked > 40


def test_instances_are_sound(models):
    for label, m in models.items():
        for n in m.derived():
            if isinstance(n, InstancedNode):
                inst = n.instances
                assert np.isfinite(inst.position).all(), n.name
                assert (inst.scale > 0).all(), f"{n.name}: zero scale breaks impostors"
                assert np.allclose(np.linalg.norm(inst.orientation, axis=1), 1, atol=1e-3)


def test_budgets(models):
    assert models["liver"].node.triangle_count <= 80_000
    assert models["liver"].node.triangle_count >= 40_000          # smooth at 1080p
    for n in models["vasculature"].nodes:
        assert n.triangle_count <= 60_000, n.name
    for label in ("hepatocyte", "stellate", "kupffer", "msc", "endothelial"):
        for name, g in _geometries(models[label]):
            assert g.triangle_count <= 12_000, name
    total = sum(getattr(n, "triangle_count", 0) for n in models["iv_route"].nodes)
    assert total <= 200_000


def test_same_seed_same_model_and_other_seed_differs():
    from hepaanim.models import vessels
    a = vessels.portal_tree.__wrapped__(3)
    b = vessels.portal_tree.__wrapped__(3)
    c = vessels.portal_tree.__wrapped__(4)
    assert len(a.branches) == len(b.branches)
    for x, y in zip(a.branches, b.branches):
        assert np.array_equal(x.centerline, y.centerline)
    assert not all(np.array_equal(x.centerline, y.centerline)
                   for x, y in zip(a.branches, c.branches))
    h1, h2 = hepatocyte("h1", state=0.9, seed=5), hepatocyte("h2", state=0.9, seed=5)
    assert h1.node.geometry.key == h2.node.geometry.key
    assert np.array_equal(h1.nodes[1].instances.position, h2.nodes[1].instances.position)
    s1, s2 = sinusoid("s1", seed=2), sinusoid("s2", seed=2)
    assert np.array_equal(s1["fenestrae"].instances.position, s2["fenestrae"].instances.position)


def test_node_names_unique_and_prefixed(models):
    film = Film("t")
    act = film.act("all", 1.0)
    for label, m in models.items():
        for n in m.nodes:
            assert n.name == m.name or n.name.startswith(m.name + "_") or \
                n.name.startswith(m.name.split("_")[0]), (label, n.name)
        act.add(m)
    assert len(film.scene.nodes) == sum(len(m.nodes) for m in models.values())


def test_palette(models):
    assert np.allclose(models["liver"].node.material.color, rgb("liver_maroon"))
    assert models["liver_translucent"].node.material.translucent
    v = models["vasculature"]
    assert np.allclose(v["artery"].material.color, rgb("arterial_red"))
    for part in ("portal", "hepatic_veins", "ivc"):
        assert np.allclose(v[part].material.color, rgb("venous_indigo"))
    assert np.allclose(models["collagen"].node.material.color, rgb("scar_ivory"))
    assert np.allclose(models["kupffer"].node.material.color, rgb("kupffer_violet"))
    assert np.allclose(kupffer_cell("k", state=0.5).node.material.color,
                       rgb("inflammation_ember"))
    assert np.allclose(stellate_cell("s", state=1.0).node.material.color,
                       rgb("myofibroblast_rust"))
    teal = rgb("therapy_teal")
    for label, m in models.items():             # the hero colour is HepaStem's alone
        if label == "msc":
            assert np.allclose(m.node.material.color, teal)
            continue
        for n in m.derived():
            assert not np.allclose(n.material.color, teal, atol=0.05), n.name
    for label in ("cytokines", "paracrine_factors"):
        n = models[label].node
        assert n.material.emissive > 0.5 and "enlarged" in n.tags
    assert "enlarged" in models["iv_route"]["capillaries"].tags


def test_scale_card(models):
    def extent(m):
        g = m.node.geometry
        lo, hi = g.bounds()
        return hi - lo
    assert 20 <= extent(models["hepatocyte"]).max() <= 30
    assert 18 <= extent(models["msc"]).max() <= 22
    assert 10 <= extent(models["kupffer"]).max() <= 16
    rbc = models["rbc"].node.shape
    lo, hi = rbc.bounds()
    assert hi[0] - lo[0] == pytest.approx(7.5, abs=0.1)
    assert hi[2] - lo[2] == pytest.approx(2.0, abs=0.1)
    # Biconcave: thinner at the centre than at the rim.
    p = rbc.positions
    centre = np.abs(p[np.hypot(p[:, 0], p[:, 1]) < 0.5, 2]).max()
    assert centre < 0.6
    ballooned = hepatocyte("b", state=2 / 3).node.geometry
    lo, hi = ballooned.bounds()
    assert 1.5 <= (hi - lo).max() / extent(models["hepatocyte"]).max() <= 2.0
    lo, hi = models["liver"].node.geometry.bounds()
    assert 190 <= hi[0] - lo[0] <= 230                          # ~20 cm wide
    cv = models["lobule"].central_vein_radius
    assert cv * 2 == pytest.approx(50)


def test_vessel_trees_follow_murray_and_stay_inside(models):
    trees = models["vasculature"].trees
    all_trees = [trees["portal"], trees["artery"], *trees["hepatic_veins"]]
    for t in all_trees:
        assert t.murray_residual() < 1e-9, t.kind
        assert len(t.branches) >= 15
        for b in t.branches:
            assert b.centerline.shape[1] == 3 and len(b.centerline) >= 2
            if b.generation >= 1:
                f = liver_mod.field(b.centerline[1:])
                assert (f < 0).all(), f"{b.name} leaves the organ"
                assert (f < -0.5 * b.radius[1:]).mean() > 0.97, b.name
    assert trees["portal"].branches[0].r == pytest.approx(6.0)        # 12 mm diameter
    assert trees["artery"].branches[0].r == pytest.approx(2.0)        # 4 mm
    assert trees["ivc"].branches[0].r == pytest.approx(10.0)          # 20 mm
    assert len(trees["hepatic_veins"]) == 3
    leaf = trees["portal"].leaves[0]
    p = trees["portal"].flow_path(leaf)
    assert np.allclose(p[0], trees["portal"].branches[0].centerline[0])
    hv = trees["hepatic_veins"][0]
    assert np.allclose(hv.flow_path(hv.leaves[0])[-1], hv.branches[0].centerline[0])


def test_iv_route_path(models):
    m = models["iv_route"]
    path: Path = m.path
    order = ["iv_site", "arm_vein", "vena_cava", "right_heart", "pulmonary_artery", "lungs",
             "pulmonary_vein", "left_heart", "aorta", "coeliac_trunk", "hepatic_artery",
             "liver", "sinusoids"]
    s = [path.s_of(k) for k in order]
    assert s == sorted(s) and s[0] == 0.0 and s[-1] == 1.0
    assert np.linalg.norm(np.diff(path.points, axis=0), axis=1).max() < 40.0   # continuous
    assert np.linalg.norm(path.at("lungs") - m.capillary_center) < 30.0
    end = path.point(1.0) - m.liver_transform.position
    assert liver_mod.field(end[None])[0] < 0                       # ends inside the liver
    pts = path.point(np.linspace(0, 1, 7))
    assert pts.shape == (7, 3) and path.point(0.5).shape == (3,)
    pause = m.pause_points(50, seed=1)
    assert pause.shape == (50, 3)
    assert np.linalg.norm(pause - m.capillary_center, axis=1).max() < 60.0
    with pytest.raises(KeyError):
        path.s_of("spleen")


@pytest.mark.parametrize("factory,key", [
    (hepatocyte, "state"), (stellate_cell, "state"), (kupffer_cell, "state"),
    (msc_cell, "state"), (msc_cell, "secretion"),
])
def test_state_is_clamped(factory, key):
    m = factory("c", **{key: 1.7})
    assert m.node.params[key] == 1.0
    lo = factory("d", **{key: -0.4})
    assert lo.node.params[key] == 0.0
    ref = factory("e", **{key: 0.0})
    n = ref.node.copy(params={**ref.node.params, key: -3.0})
    a, b = n.derive(n), ref.node.derive(ref.node)
    assert a.geometry.key == b.geometry.key
    n = ref.node.copy(params={**ref.node.params, key: float("nan")})
    with pytest.raises(ValueError, match=key):
        n.derive(n)
    with pytest.raises(ValueError):
        factory("f", **{key: "lots"})


def test_matter_amount_clamped_and_reveals():
    c = collagen("c", amount=2.0)
    assert c.node.params["amount"] == 1.0
    n = c.node.copy(params={"amount": 0.4})
    assert n.derive(n).material.reveal == pytest.approx(0.4)
    assert c.node.geometry.param is not None
    assert c.node.geometry.param.min() == 0.0 and c.node.geometry.param.max() == 1.0
    cy = cytokines("cy", count=200, amount=0.5)
    assert 90 <= cy.node.count <= 110
    n = cy.node.copy(params={"amount": 1.0, "t": 3.0})
    moved = n.derive(n).instances.position
    n0 = cy.node.copy(params={"amount": 1.0, "t": 0.0})
    assert not np.allclose(moved, n0.derive(n0).instances.position)
    again = n.derive(n).instances.position                       # pure function of t
    assert np.array_equal(moved, again)
    f = paracrine_factors("pf", count=100, amount=1.0, radius=30.0)
    near = f.node.copy(params={"amount": 1.0, "t": 0.0, "spread": 0.0})
    far = f.node.copy(params={"amount": 1.0, "t": 0.0, "spread": 1.0})
    r = lambda n: np.linalg.norm(n.derive(n).instances.position, axis=1).mean()  # noqa: E731
    assert r(far) > 2 * r(near)


def test_hepatocyte_course():
    from hepaanim.models.hepatocyte import stages
    assert stages(0.0) == (0.0, 0.0, 0.0)
    assert stages(1 / 3)[0] == pytest.approx(1.0)
    healthy = hepatocyte("a", state=0.0).nodes[1].instances
    steat = hepatocyte("b", state=1 / 3).nodes[1].instances
    gold = rgb("lipid_gold")
    n_gold = lambda i: int(np.all(np.isclose(i.color, gold, atol=1e-3), axis=1).sum())  # noqa
    assert n_gold(healthy) == 0
    assert n_gold(steat) >= 1
    # The nucleus is pushed aside by the large droplet.
    assert np.linalg.norm(steat.position[0]) > 4.0 > np.linalg.norm(healthy.position[0])
    dead = hepatocyte("c", state=1.0)
    assert dead.nodes[0].material.opacity == 0.0                 # membrane gone
    assert dead.nodes[1].count >= 5                               # apoptotic bodies
    assert dead.nodes[1].instances.scale.max() <= 2.5             # 1–5 µm across


def test_stellate_sheds_droplets_and_flattens():
    q = stellate_cell("q", state=0.0)
    a = stellate_cell("a", state=1.0)
    assert q.nodes[1].count >= 8 and a.nodes[1].count == 0
    lo, hi = q.node.geometry.bounds()
    lo2, hi2 = a.node.geometry.bounds()
    assert (hi - lo)[0] > (hi2 - lo2)[0]                         # processes retract


def test_model_animate_drives_every_node():
    film = Film("t")
    act = film.act("a", 10.0)
    h = act.add(hepatocyte("hep", seed=1))
    act.animate(h, "state", 0.0, 1.0, over=(0, 10))
    st = film.evaluate(5.0)
    assert st.nodes["hep"].params["state"] == pytest.approx(st.nodes["hep_contents"].params["state"])
    assert 0.2 < st.nodes["hep"].params["state"] < 0.8
    assert h.paths("state") == ["hep.params.state", "hep_contents.params.state"]


def test_lobule_structure(models):
    lob = models["lobule"]
    assert lob.node.count > 5000
    corners = lob.corners
    assert corners.shape == (6, 3)
    r = np.linalg.norm(corners[:, :2], axis=1)
    assert np.allclose(r, r[0]) and 500 <= r[0] <= 1000          # 1–2 mm across
    for p in lob.flow_paths:
        assert np.linalg.norm(p[0, :2]) > np.linalg.norm(p[-1, :2])   # blood flows inward
    for part in ("central_vein", "portal_venules", "arterioles", "bile_ductules"):
        assert lob[part].geometry.triangle_count > 0


def test_sinusoid_structure(models):
    s = models["sinusoid"]
    pores = s["fenestrae"]
    n = pores.count // 2
    r = pores.instances.scale[:n, 0]
    assert 0.05 <= r.min() and r.max() <= 0.0875 + 1e-6          # 100–175 nm
    area = 2 * np.pi * (s.lumen_radius + 0.15) * 120.0
    frac = (np.pi * r ** 2).sum() / area
    assert 0.06 <= frac <= 0.08
    closed = pores.copy(params={"fenestration": 0.25})
    assert closed.derive(closed).count == pytest.approx(pores.count * 0.25, rel=0.02)
    assert len(s.hepatocytes) >= 12 and len(s.kupffer) >= 1
    assert s.stellate.wrap_radius > s.lumen_radius
    assert len(s.disse_paths) > 5


def test_liver_landmarks():
    g = liver("lv").node.geometry
    f = liver_mod.field
    assert f(liver_mod.PORTA[None] + [0, 0, 12.0])[0] < 0           # porta under the organ
    # The right lobe is larger than the left: more surface to the patient's right (−x).
    x = g.positions[:, 0]
    assert (x < liver_mod.FALCIFORM_X).mean() > 0.6
    assert math.isclose(np.linalg.norm(g.normals, axis=1).mean(), 1.0, rel_tol=1e-3)


def test_gallery_renders(tmp_path):
    """The contact sheet renders (needs an EGL context: llvmpipe or a GPU)."""
    pytest.importorskip("moderngl")
    try:
        import moderngl
        moderngl.create_standalone_context(backend="egl", require=330).release()
    except Exception as exc:                      # no EGL here: nothing to render with
        pytest.skip(f"no EGL context: {exc}")
    from PIL import Image

    from hepaanim.models.gallery import entries, render_gallery
    out = render_gallery(tmp_path / "gallery.png", cell=(96, 72), columns=8)
    img = np.asarray(Image.open(out).convert("RGB"), dtype=np.float64)
    n = len(list(entries()))
    assert img.shape[1] == 8 * 96 and img.shape[0] >= ((n + 7) // 8) * 72
    # Every cell drew something besides the background gradient.
    for k in range(n):
        x, y = (k % 8) * 96, (k // 8) * (72 + 14)
        tile = img[y:y + 72, x:x + 96]
        assert tile.std(axis=(0, 1)).max() > 4.0, k


def test_gallery_golden(tmp_path, golden):
    """The contact sheet at small size, compared with a reviewed golden."""
    from PIL import Image

    from hepaanim.models.gallery import render_gallery
    out = render_gallery(tmp_path / "gallery.png", cell=(160, 120))
    golden("gallery", np.asarray(Image.open(out).convert("RGB")))


# --- the model API a film uses (issue 14) --------------------------------------------------
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_instances_select_keeps_every_per_instance_array():
    from hepaanim.scene.nodes import Instances
    inst = Instances(np.arange(12.0).reshape(4, 3), scale=np.arange(4.0) + 1,
                     color=np.eye(4)[:, :3], opacity=[0.1, 0.2, 0.3, 0.4])
    got = inst.select(np.array([True, False, True, False]))
    assert len(got) == 2
    assert np.allclose(got.position, inst.position[[0, 2]])
    assert np.allclose(got.orientation, inst.orientation[[0, 2]])
    assert np.allclose(got.scale, inst.scale[[0, 2]])
    assert got.color is not None and np.allclose(got.color, inst.color[[0, 2]])
    assert np.allclose(got.opacity, [0.1, 0.3])
    assert inst.select([3]).opacity.tolist() == pytest.approx([0.4])


def test_sinusoid_shot_choices_are_build_options_and_new_models():
    s = sinusoid("s", seed=3, length=110.0)
    far = sinusoid("f", seed=3, length=110.0, pores="far", wall="single", wall_opacity=0.26)
    n_all = s["fenestrae"].instances.count if hasattr(s["fenestrae"].instances, "count") \
        else len(s["fenestrae"].instances)
    n_far = len(far.derived()[1].instances)
    assert 0 < n_far < n_all / 3
    assert (far.derived()[1].instances.position[:, 1] > -2.0).all()
    assert far.node.material.opacity == pytest.approx(0.26)
    assert far.node.triangle_count < s.node.triangle_count          # one surface
    cut = s.cutaway(keep=lambda h: h.center[1] > 0, skip=("microvilli",))
    assert cut is not s and len(cut.hepatocytes) == len(s.hepatocytes) // 2
    assert not any(n.name.endswith("_microvilli") for n in cut.nodes)
    assert any(n.name.endswith("_microvilli") for n in s.nodes)     # the original is whole
    top = s.open_top(2.0)
    assert top.node.triangle_count < s.node.triangle_count
    assert top.node.material.double_sided and not s.node.material.double_sided
    with pytest.raises(ValueError, match="pores='near'"):
        sinusoid("x", pores="near")


def test_models_expose_typed_attributes_not_a_data_dict():
    s = sinusoid("s")
    assert len(s.hepatocytes) >= 12 and s.stellate.wrap_radius > s.lumen_radius
    assert not hasattr(s, "data")


def test_engine_names_no_film():
    """The engine is generic (DESIGN 6): no file under src/hepaanim names the film, its
    disease or its maker; the film lives under scenes/."""
    import re
    words = re.compile(r"hepastem|aclf|nash|nafld|promethera|cellaion", re.I)
    hits = [f"{p.relative_to(ROOT)}:{k}" for p in (ROOT / "src" / "hepaanim").rglob("*")
            if p.is_file() and p.suffix in (".py", ".glsl", ".vert", ".frag", ".toml", ".txt",
                                           ".json", ".md", ".html", ".js", ".css")
            for k, line in enumerate(p.read_text(errors="replace").splitlines(), 1)
            if words.search(line)]
    assert hits == []


def test_scenes_import_nothing_private():
    import re
    private = re.compile(r"^\s*(from|import)\s+hepaanim\S*\._|^\s*from\s+hepaanim\S*\s+import\s+.*\b_\w",
                         re.M)
    hits = [str(p.relative_to(ROOT)) for p in (ROOT / "scenes").rglob("*.py")
            if private.search(p.read_text())]
    assert hits == []


def test_camera_glide_never_overshoots_a_key():
    film = Film("t")
    act = film.act("a", 4.0)
    act.camera.glide({0.0: ((0, -100, 0), (0, 0, 0)), 2.0: ((0, -10, 0), (0, 0, 0)),
                      4.0: ((0, -9, 0), (0, 0, 0))}, near_fraction=0.1)
    ys = [film.evaluate(t).camera.position[1] for t in np.linspace(0, 4, 41)]
    assert max(ys) <= -9.0 + 1e-9 and np.all(np.diff(ys) >= -1e-9)
    assert film.evaluate(3.0).camera.near == pytest.approx(
        0.1 * np.linalg.norm(film.evaluate(3.0).camera.position))


def test_restyled_returns_a_new_model_and_its_cells_follow():
    s = sinusoid("s")
    kc = s.kupffer[0]
    t = s.restyled(kc.name, emissive=0.2).restyled("fenestrae", roughness=0.7)
    assert t.kupffer[0].node.material.emissive == pytest.approx(0.2)
    assert t.kupffer[0].node is t[kc.name]                       # one node, not two copies
    assert t["fenestrae"].material.roughness == pytest.approx(0.7)
    assert kc.node.material.emissive != pytest.approx(0.2)      # the original is untouched
    assert s["fenestrae"].material.roughness != pytest.approx(0.7)
    front = iv_route("r", skin="front")
    assert front.node.triangle_count < iv_route("q").node.triangle_count
    with pytest.raises(ValueError, match="skin='back'"):
        iv_route("x", skin="back")


def test_scenes_do_not_edit_models_after_building_them():
    """Shot choices are build options or methods returning a new model; an assignment into
    a built model's nodes (``pores.derive = ...``, ``node.material = ...``) is the old way."""
    import re
    edit = re.compile(r"\.(derive|material|geometry|transform|scale|params|instances|visible"
                      r"|parent)(\.[a-z_]+)?\s*=[^=]")
    hits = [f"{p.relative_to(ROOT)}:{k}" for p in (ROOT / "scenes").rglob("*.py")
            for k, line in enumerate(p.read_text().splitlines(), 1) if edit.search(line)]
    assert hits == []
