"""The standard benchmark scene: 300 cells, 2,000 particles, a 50k-triangle organ mesh and
an orbiting camera (DESIGN.md's measurement scene), as a scene script."""
import numpy as np

from hepaanim import InstancedNode, Instances, Material, MeshNode
from hepaanim.scene import Geometry, uv_sphere
from hepaanim.scene.geometry import vertex_normals

SECONDS = 10.0


def organ(seed=5) -> Geometry:
    """A lumpy 49,600-triangle blob: smooth low-frequency bumps on a squashed sphere."""
    g = uv_sphere(1.0, 125, 200)
    rng = np.random.default_rng(seed)
    p = g.positions.astype(np.float64) * [1.6, 1.0, 0.8]
    bump = sum(a * np.sin(p @ rng.normal(size=3) * f + rng.uniform(0, 6.3))
               for a, f in ((0.08, 2.0), (0.04, 4.0), (0.015, 9.0)))
    p = p * (1 + bump)[:, None]
    return Geometry(p, vertex_normals(p, g.indices), g.indices)


def build(film):
    act = film.act("orbit", SECONDS)
    rng = np.random.default_rng(7)
    act.add(MeshNode("organ", geometry=organ(), material=Material("liver_maroon", roughness=0.3,
                                                                   rim=0.2)))
    d = rng.normal(size=(300, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    cells = d * rng.uniform(2.0, 3.2, (300, 1))
    colors = np.where(rng.uniform(size=(300, 1)) < 0.3, [0.08, 0.72, 0.65], [0.5, 0.34, 0.76])
    act.add(InstancedNode("cells", instances=Instances(cells, scale=rng.uniform(0.07, 0.13, 300),
                                                       color=colors),
                          material=Material("#ffffff", rim=0.5, roughness=0.4)))
    parts = rng.normal(0, 2.2, (2000, 3))
    act.add(InstancedNode("particles", instances=Instances(parts, scale=0.025),
                          material=Material("inflammation_ember", emissive=1.2)))
    act.procedural("particles.instances.position",
                   lambda t: parts + 0.15 * np.sin(t * 0.7 + parts[:, [1, 2, 0]] * 3))
    act.camera.set(position=(0.0, -8.0, 2.5), target=(0, 0, 0), fov=40)
    act.camera.orbit(360, over=(0, SECONDS), ease="linear")
