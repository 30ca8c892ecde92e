"""The scene-API fuzz at length: ``python bench/fuzz_bench.py [--cases N] [--seed S]``.

Runs the generator of ``tests/test_fuzz.py`` for N random valid scenes (default 10 000),
each built twice and evaluated at random instants, and counts the scenes that raise, give a
value that is not finite, or evaluate differently the second time.  It does not stop at the
first failure (the suite's short profile does, and shrinks it): it prints the first few
failing recipes, what they did, how many ops of each kind ran, and last
``cases=<N> failures=<M>``.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hepaanim  # noqa: E402,F401  (first: one BLAS thread, as the command line sets)
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.test_fuzz import INSTANTS, check, recipes  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=1, help="failing recipes to print")
    args = ap.parse_args(argv)

    cases, failures = 0, []
    ops = collections.Counter()

    @seed(args.seed)
    @settings(max_examples=args.cases, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(recipe=recipes(max_ops=14), times=INSTANTS)
    def run(recipe, times):
        nonlocal cases
        cases += 1
        ops.update(op[0] if op[0] != "camera" else f"camera.{op[2]}" for op in recipe[2])
        try:
            check(recipe, times)
        except Exception as e:          # counted, never raised: the run goes on
            failures.append((recipe, times, e, traceback.format_exc(limit=-3)))

    t0 = time.perf_counter()
    run()
    dt = time.perf_counter() - t0
    print(f"{cases} scenes in {dt:.1f} s ({dt / max(cases, 1) * 1000:.1f} ms each); ops: "
          + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
    kinds = collections.Counter(f"{type(e).__name__}: {str(e)[:120]}" for *_, e, _ in failures)
    for what, n in kinds.most_common():
        print(f"  {n} x {what}")
    for recipe, times, e, tb in failures[:args.show]:
        print(f"--- failing recipe (times {times}):\n{recipe!r}\n{tb}")
    print(f"cases={cases} failures={len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
