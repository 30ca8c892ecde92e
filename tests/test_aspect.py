"""Aspect ratios (issue 16): the camera reframed for 1:1 and 9:16 keeps the act's subject in
frame (checked through the camera's own view and projection matrices), and captions and cards
are laid out in each format's safe area without covering one another."""
import sys
from pathlib import Path

import numpy as np
import pytest

from hepaanim.compose import cards as toolkit
from hepaanim.compose import captions
from hepaanim.compose.layout import aspect_name, frame_size, layout
from hepaanim.loader import load
from hepaanim.scene.camera import Camera
from hepaanim.scene.reframe import (Box, Sphere, ndc_window, node_box, reframe, reframe_arrays,
                                    spheres, subject_ndc)
from hepaanim.scene.scene import Caption, FrameState

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "scenes"))
from hepastem import cards  # noqa: E402  (the film's package lives under scenes/)

ASPECTS = ("16:9", "1:1", "9:16")
SIZES = [frame_size(a, s) for s in (1080, 480) for a in ASPECTS]
MARGIN = 0.05


# --- reframing -----------------------------------------------------------------------------
def _sphere_points(sph: Sphere, n: int = 600) -> np.ndarray:
    """Fibonacci points on the sphere's surface (the test's own, independent sampling)."""
    k = np.arange(n) + 0.5
    z = 1 - 2 * k / n
    a = np.pi * (1 + 5 ** 0.5) * k
    rr = np.sqrt(1 - z * z)
    return np.asarray(sph.center) + sph.radius * np.c_[rr * np.cos(a), rr * np.sin(a), z]


def _surface(subject) -> np.ndarray:
    pts = [(_sphere_points(s) if isinstance(s, Sphere) else s.corners()) for s in subject]
    return np.concatenate(pts)


def _project(cam: Camera, pts: np.ndarray, aspect: float):
    """(ndc x, ndc y, clip w) through Camera.view_matrix / projection_matrix."""
    h = np.c_[pts, np.ones(len(pts))] @ (cam.projection_matrix(aspect) @ cam.view_matrix()).T
    return h[:, 0] / h[:, 3], h[:, 1] / h[:, 3], h[:, 3]


def _ratio(a: str) -> float:
    w, h = a.split(":")
    return float(w) / float(h)


def _random_shot(rng):
    """A subject (one to three spheres and boxes near the origin) and a 16:9 camera looking
    roughly at it from outside, with a random lens, up vector and aim off the subject."""
    subject = []
    for _ in range(rng.integers(1, 4)):
        c = rng.normal(0, 1.5, 3)
        if rng.random() < 0.5:
            subject.append(Sphere(tuple(c), float(rng.uniform(0.2, 1.5))))
        else:
            half = rng.uniform(0.1, 1.2, 3)
            subject.append(Box(tuple(c - half), tuple(c + half)))
    d = rng.normal(size=3)
    d /= np.linalg.norm(d)
    pos = d * rng.uniform(9, 25)
    target = rng.normal(0, 1.0, 3)
    up = np.array([0.0, 0.0, 1.0]) + rng.normal(0, 0.3, 3)
    return subject, Camera(position=pos, target=target, up=up, fov=float(rng.uniform(25, 60)))


@pytest.mark.parametrize("mode", ["auto", "keep", "subject"])
@pytest.mark.parametrize("aspect", ASPECTS)
def test_reframed_subject_stays_in_frame(aspect, mode):
    rng = np.random.default_rng(16)
    A = _ratio(aspect)
    edge = 1 - 2 * MARGIN
    for _ in range(100):
        subject, cam = _random_shot(rng)
        new = reframe(cam, subject, aspect, mode=mode, margin=MARGIN)
        x, y, w = _project(new, _surface(subject), A)
        assert np.all(w > new.near), "subject behind the near plane"
        assert np.all(np.abs(x) <= edge + 1e-9) and np.all(np.abs(y) <= edge + 1e-9), \
            (aspect, mode, np.abs(x).max(), np.abs(y).max())
        # the same look direction, never tighter than the design vertically
        assert np.allclose(new.basis()[2], cam.basis()[2], atol=1e-12)
        assert new.fov >= cam.fov - 1e-9 and new.fov < 150 + 1e-9


@pytest.mark.parametrize("aspect", ["1:1", "9:16"])
def test_keep_shows_everything_the_16_9_frame_showed(aspect):
    """mode="keep": no shift, and the horizontal field is at least the design's, so every
    point the 16:9 frame showed is still on screen."""
    rng = np.random.default_rng(3)
    for _ in range(60):
        subject, cam = _random_shot(rng)
        new = reframe(cam, subject, aspect, mode="keep")
        assert np.array_equal(new.position, cam.position)
        assert np.array_equal(new.target, cam.target)
        seen = rng.uniform(-1, 1, (200, 2))               # points the 16:9 frame showed
        depth = rng.uniform(1, 30, 200)
        r, u, f = cam.basis()
        t0 = np.tan(np.radians(cam.fov) / 2)
        pts = cam.position + depth[:, None] * (f + seen[:, :1] * t0 * 16 / 9 * r
                                               + seen[:, 1:] * t0 * u)
        x, y, _ = _project(new, pts, _ratio(aspect))
        assert np.all(np.abs(x) <= 1 + 1e-9) and np.all(np.abs(y) <= 1 + 1e-9)


def test_subject_mode_is_tight_and_centred():
    """mode="subject": the subject touches the margin (or the design's vertical fov holds),
    and its projection is centred where it is not limited."""
    rng = np.random.default_rng(5)
    for _ in range(60):
        subject, cam = _random_shot(rng)
        new = reframe(cam, subject, "9:16", mode="subject", margin=MARGIN)
        x, y, _ = _project(new, _surface(subject), 9 / 16)
        touches = max(np.abs(x).max(), np.abs(y).max()) > (1 - 2 * MARGIN) * 0.98
        assert touches or new.fov == pytest.approx(cam.fov)
        assert abs(x.max() + x.min()) < 0.02 and abs(y.max() + y.min()) < 0.02


@pytest.mark.parametrize("mode", ["auto", "keep"])
def test_a_16_9_camera_is_returned_unchanged(mode):
    rng = np.random.default_rng(7)
    cam = Camera(position=[0.0, -12.0, 3.0], target=[0.2, 0.0, 0.1], fov=40.0)
    subject = [Sphere((1.0, 0.0, 0.0), 0.8), Box((-2.0, -0.5, -0.5), (-1.0, 0.5, 0.6))]
    assert reframe(cam, subject, "16:9", mode=mode) is cam
    for _ in range(40):                        # random shots whose subject fits the design
        subject, cam = _random_shot(rng)
        cam = reframe(cam, subject, "16:9", mode="subject")   # a designer's framing
        cam = cam.copy(fov=cam.fov * 1.05)
        assert reframe(cam, subject, "16:9", mode=mode) is cam


def test_a_camera_track_reframes_in_one_call_and_moves_smoothly():
    """Per-frame reframing of an orbit around a moving subject: the array call equals the
    per-camera one, and the lens and position change by small steps (no jump when the
    rule hands over from keep-width to the subject)."""
    n = 400
    ang = np.linspace(0, 2 * np.pi, n)
    pos = np.c_[14 * np.cos(ang), 14 * np.sin(ang), 2 + 3 * np.sin(2 * ang)]
    centres = np.stack([np.c_[3 * np.sin(ang), np.zeros(n), np.zeros(n)],
                        np.c_[-2 * np.ones(n), np.cos(ang), 0.5 * np.ones(n)]], axis=1)
    radii = np.array([1.0, 0.6])
    up = np.array([0.0, 0.0, 1.0])
    target = np.zeros(3)
    p, t, fov, fits = reframe_arrays(pos, target, up, np.full(n, 35.0), centres, radii, "9:16")
    assert fits.all()
    for k in range(0, n, 37):
        one = reframe(Camera(position=pos[k], target=target, up=up, fov=35.0),
                      [Sphere(tuple(centres[k, j]), radii[j]) for j in range(2)], "9:16")
        assert np.allclose(one.position, p[k]) and np.allclose(one.target, t[k])
        assert one.fov == pytest.approx(fov[k])
    assert np.abs(np.diff(fov)).max() < 1.0                       # degrees per frame
    shift = np.linalg.norm((p - pos), axis=1)
    assert np.abs(np.diff(shift)).max() < 0.25                    # world units per frame
    assert fov.min() >= 35.0 and fov.max() > 40.0                 # it does reframe


def test_reframe_keeps_the_subject_in_the_picture_a_stacked_card_leaves():
    """With a card up at 9:16, the window is the picture between the card and the caption
    band (layout.picture): the subject's pixels land inside it."""
    w, h = 1080, 1920
    rect = layout(w, h).picture(card=True)
    rng = np.random.default_rng(11)
    for _ in range(40):
        subject, cam = _random_shot(rng)
        new = reframe(cam, subject, "9:16", window=ndc_window(rect, w, h), margin=0.0)
        x, y, _ = _project(new, _surface(subject), w / h)
        px, py = (x + 1) / 2 * w, (1 - y) / 2 * h
        assert px.min() >= rect[0] - 1e-6 and px.max() <= rect[2] + 1e-6
        assert py.min() >= rect[1] - 1e-6 and py.max() <= rect[3] + 1e-6


def test_node_box_holds_meshes_and_instances_through_their_parents():
    from hepaanim.scene.geometry import uv_sphere
    from hepaanim.scene.nodes import Instances, InstancedNode, MeshNode
    from hepaanim.scene.scene import FrameState, Settings
    from hepaanim.scene.transform import Transform
    nodes = {
        "rig": MeshNode("rig", transform=Transform(position=(10.0, 0, 0), scale=2.0)),
        "ball": MeshNode("ball", geometry=uv_sphere(0.5), parent="rig",
                         transform=Transform(position=(0, 1.0, 0))),
        "cells": InstancedNode("cells", instances=Instances([[0.0, 0, 0], [0, 0, 3]],
                                                            scale=[0.25, 0.5])),
    }
    state = FrameState(1.5, nodes, Camera(), {}, Settings())
    box = node_box(state, ["ball", "cells"])
    assert np.allclose(box.lo, (-0.5, -0.5, -1.0), atol=1e-6)
    assert np.allclose(box.hi, (11.0, 3.0, 3.5), atol=1e-6)
    assert np.allclose(node_box(state, "ball").lo, (9.0, 1.0, -1.0), atol=1e-6)
    with pytest.raises(KeyError, match="subject node 'liver' is not in the scene at t=1.50"):
        node_box(state, ["liver"])


def test_subject_forms_and_mistakes():
    c, r = spheres([Sphere((0, 0, 0), 1.0), Box((0, 0, 0), (1, 2, 3))])
    assert c.shape == (9, 3) and r.tolist() == [1.0] + [0.0] * 8
    assert spheres(np.zeros((5, 3)))[0].shape == (5, 3)
    cam = Camera()
    assert subject_ndc(cam, [(0.0, 0.0, 0.0)], "16:9").tolist() == [[0.0, 0.0]]
    with pytest.raises(ValueError, match="write it as W:H"):
        reframe(cam, Sphere((0, 0, 0), 1), "tall")
    with pytest.raises(ValueError, match="reframe mode 'wide'"):
        reframe(cam, Sphere((0, 0, 0), 1), "9:16", mode="wide")
    with pytest.raises(ValueError, match="subject"):
        reframe(cam, np.zeros((2, 2)), "9:16")


def test_a_subject_that_cannot_be_framed_is_reported():
    """A sphere around the eye cannot be framed: fits is False rather than a wrong camera."""
    *_, fits = reframe_arrays([[0.0, 0, 0]], [[0.0, 1, 0]], [[0.0, 0, 1]], [40.0],
                              [[0.0, 0.5, 0]], [1.0], "9:16")
    assert not fits[0]


# --- layout --------------------------------------------------------------------------------
# the longest lower third the script allows: two lines at 16:9 (test_l10n), three stacked
LONG = ("Blood seeps past plates of liver cells toward the central vein, watched by the "
        "resident immune cells of the liver.")
TITLE = "HepaStem\nHow an investigational liver cell therapy may work"
LABEL = "Cells and capillaries enlarged, time compressed"
POSITIONS = ("top_left", "top_right", "bottom_left", "bottom_right", "bottom")


def _content(img: np.ndarray, x: int, y: int):
    """The drawn pixels' box (x0, y0, x1, y1) in frame pixels."""
    ys, xs = np.nonzero(img[..., 3])
    return x + xs.min(), y + ys.min(), x + xs.max() + 1, y + ys.max() + 1


def _inside(box, safe) -> bool:
    return safe[0] <= box[0] and safe[1] <= box[1] and box[2] <= safe[2] and box[3] <= safe[3]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("w,h", SIZES)
def test_the_long_caption_is_as_long_as_a_caption_may_be(w, h):
    lay = layout(w, h)
    lines = captions.wrap(LONG, captions.font(lay.lower_third_size()), lay.lower_third_wrap())
    assert len(lines) == (3 if lay.stacked else 2)


def test_formats_and_their_safe_areas():
    assert SIZES == [(1920, 1080), (1080, 1080), (1080, 1920), (854, 480), (480, 480),
                     (480, 854)]
    assert [aspect_name(*s) for s in SIZES] == list(ASPECTS) * 2
    assert aspect_name(1280, 720) == "16:9" and aspect_name(1440, 1080) == "16:9"
    tall = layout(1080, 1920)
    assert tall.safe[1] >= 0.10 * 1920 and tall.safe[3] <= 0.80 * 1920   # phone app UI
    square = layout(1080, 1080)
    assert 0 < 1080 - square.safe[3] < 0.20 * 1080                       # a smaller band
    with pytest.raises(ValueError, match="aspect '4:5'"):
        frame_size("4:5", 1080)


@pytest.mark.parametrize("w,h", SIZES)
def test_every_caption_style_lies_in_the_safe_area(w, h):
    safe = layout(w, h).safe
    drawn = {"lower third": captions.lower_third(LONG, w, h),
             "short lower third": captions.lower_third("Cells divide.", w, h),
             "title": captions.title_card(TITLE, w, h)}
    for p in POSITIONS:
        drawn[f"label {p}"] = captions.corner_label(LABEL, w, h, p)
    for name, (img, (x, y)) in drawn.items():
        box = _content(img, x, y)
        assert _inside(box, safe), f"{name} at {w}x{h}: {box} outside {safe}"


@pytest.mark.parametrize("w,h", SIZES)
def test_every_film_card_lies_in_the_safe_area(w, h):
    safe = layout(w, h).safe
    for name, card in {**cards.CARDS, "stat": lambda w_, h_: toolkit.stat_card(
            "stat", w_, h_, "> 2 million", "adults counted", "Source: a cohort study")}.items():
        img, (x, y) = card(w, h)
        box = _content(img, x, y)
        assert _inside(box, safe), f"card {name} at {w}x{h}: {box} outside {safe}"


@pytest.mark.parametrize("w,h", SIZES)
def test_a_card_a_lower_third_and_a_label_never_overlap(w, h):
    """The overlays that can be up together, through the compositor's own overlay_items:
    each card with a long lower third and a label in every corner."""
    lay = layout(w, h)
    for name, card in cards.CARDS.items():
        for p in POSITIONS:
            state = FrameState(0.5, {}, None, {}, None, captions=[
                (Caption(LONG, 0, 1), 1.0),
                (Caption("alt", 0, 1, style="card", image=card), 1.0),
                (Caption(LABEL, 0, 1, style="label", position=p), 1.0)])
            items = captions.overlay_items(state, w, h)
            boxes = [_content(fn(), x, y) for _, fn, (x, y, _, _), _ in items]
            for i in range(len(boxes)):
                assert _inside(boxes[i], lay.safe), (name, p, boxes[i])
                for j in range(i):
                    assert not _overlap(boxes[i], boxes[j]), (w, h, name, p, boxes[j], boxes[i])
            # a label is only left out where a stacked card hides the picture (1:1)
            assert len(items) == 3 or (lay.aspect == "1:1" and len(items) == 2), (name, p)


@pytest.fixture(scope="module")
def film():
    return load(ROOT / "scenes/hepastem_moa.py")


@pytest.mark.parametrize("w,h", SIZES)
def test_the_films_overlays_fit_and_never_overlap_in_every_format(film, w, h):
    """Every set of the film's captions that is on screen at once, in every format."""
    caps = film.timeline.captions
    edges = sorted({c.start for c in caps} | {c.end for c in caps})
    lay = layout(w, h)
    for a, b in zip(edges, edges[1:]):
        t = (a + b) / 2
        state = FrameState(t, {}, None, {}, None,
                           captions=[(c, 1.0) for c in caps if c.start <= t < c.end])
        boxes = [(key[0], _content(fn(), x, y))
                 for key, fn, (x, y, _, _), _ in captions.overlay_items(state, w, h)]
        assert len(boxes) == len(state.captions), f"t={t:.2f}: an overlay left out"
        for i, (ki, bi) in enumerate(boxes):
            assert _inside(bi, lay.safe), f"t={t:.2f} {ki} {bi} outside {lay.safe}"
            for kj, bj in boxes[:i]:
                assert not _overlap(bi, bj), f"t={t:.2f} {w}x{h}: {kj} {bj} and {ki} {bi}"


def test_text_follows_the_short_side():
    """A caption on a 1080×1920 phone frame is drawn at the size of a 1080-line 16:9 one."""
    wide, _ = captions.lower_third("Cells divide.", 1920, 1080)
    tall, _ = captions.lower_third("Cells divide.", 1080, 1920)
    assert wide.shape == tall.shape


@pytest.mark.parametrize("w,h", [(1920, 1080), (854, 480), (1280, 720), (640, 360)])
def test_16_9_places_are_the_designed_ones(w, h):
    """16:9: the lower third where the film was designed with it; cards and corner labels
    at the edge of EBU R 95's graphics-safe area (5 % of the width and of the height)."""
    img, (x, y) = captions.lower_third(LONG, w, h)
    assert (x, y + img.shape[0]) == (round(w * 0.06), round(h * 0.93))
    img, (x, y) = cards.aclf(w, h)
    assert (x, y) == (w - img.shape[1] - round(0.05 * w), round(0.07 * h))
    img, (x, y) = captions.corner_label(LABEL, w, h, "top_right")
    assert (x + img.shape[1], y) == (w - round(w * 0.05), round(h * 0.05))
