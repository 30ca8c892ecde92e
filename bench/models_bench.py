"""Build every model of the library once, as a scene script would, and time it.

The last line is ``seconds=<number>`` (wall time of the builds, imports excluded; must stay
under 2 s on the 2-core CI machine).  Models cache what they reuse (cube-spheres, morph
meshes, trees), so this measures a cold first build in a fresh process.
"""
from __future__ import annotations

import time

from hepaanim.models.catalog import BUILDERS, STATES


def main() -> float:
    total = 0.0
    for label, build in BUILDERS.items():
        t0 = time.perf_counter()
        model = build()
        if label in STATES:                      # every key state derived once too
            key, values = STATES[label]
            for v in values:
                model.set(key, v)
                model.derived()
        dt = time.perf_counter() - t0
        total += dt
        tris = sum(getattr(n, "triangle_count", 0) for n in model.derived())
        print(f"{label:20s} {dt * 1000:8.1f} ms  {len(model.nodes):3d} nodes  {tris:7d} tris")
    print(f"seconds={total:.3f}")
    return total


if __name__ == "__main__":
    main()
