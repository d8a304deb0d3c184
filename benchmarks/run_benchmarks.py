"""vcsim benchmarks: every figure measured side by side in one run, same scenario and seed.

Run with ``make bench`` (or ``python benchmarks/run_benchmarks.py [--quick]``). Prints a table
and writes ``benchmarks/results.json`` with the headline ratios, the raw timings and a machine
description, so runs can be compared over time.

Figures:
1. cell-steps per second, engine="vector" vs engine="agents", 100 x 100 lattice;
2. full model step at 100^2, 300^2, 1000^2 beside one copy of all the model's state arrays
   (the memory-bandwidth floor for touching the state);
3. the transport step beside a bare forward+inverse spectral transform (rfft/irfft along the
   periodic axis) of the same fields;
4. peak traced memory per lattice site while building and stepping a 1000 x 1000 model;
5. sweep throughput with 1 and 2 workers on the same small spec.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from vcsim import __version__
from vcsim.model import VascularModel

HERE = Path(__file__).resolve().parent
SEED = 20261123
SCENARIO = {"serum_phosphate_mM": 2.4, "tnf_alpha_pg_per_mL": 15.0, "fetuin_a_g_per_L": 0.4}


def make_model(n: int, engine: str = "vector") -> VascularModel:
    return VascularModel(seed=SEED, engine=engine, lattice_rows=n, lattice_cols=n, **SCENARIO)


def best_of(fn, repeats: int) -> float:
    """Minimum wall time of ``repeats`` calls (the least-disturbed measurement)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def warm(model: VascularModel, steps: int) -> None:
    for _ in range(steps):
        model.step()


def state_arrays(model: VascularModel) -> list[np.ndarray]:
    arrays = [np.asarray(a) for a in model.cells.arrays().values()]
    arrays += list(model.lattice.fields.values())
    return arrays


def copy_state(arrays: list[np.ndarray], out: list[np.ndarray]) -> None:
    for a, b in zip(arrays, out, strict=True):
        np.copyto(b, a)


def bench_engines(quick: bool) -> dict:
    n = 100
    vec = make_model(n, "vector")
    agents = make_model(n, "agents")
    warm(vec, 24)
    warm(agents, 1)
    n_cells_v = int((vec.cells.phenotype != 0).sum())
    t_vec = best_of(vec.step, 3 if quick else 10)
    n_cells_a = int((agents.cells.phenotype != 0).sum())
    t_agents = best_of(agents.step, 1 if quick else 2)
    return {
        "vector_cell_steps_per_s": n_cells_v / t_vec,
        "agents_cell_steps_per_s": n_cells_a / t_agents,
        "vector_step_s_100": t_vec,
        "agents_step_s_100": t_agents,
    }


def bench_step_sizes(quick: bool) -> dict:
    out = {}
    for n in (100, 300) if quick else (100, 300, 1000):
        m = make_model(n)
        warm(m, 2)
        arrays = state_arrays(m)
        buf = [np.empty_like(a) for a in arrays]
        t_copy = best_of(lambda arrays=arrays, buf=buf: copy_state(arrays, buf), 5)
        t_step = best_of(m.step, 3 if n == 1000 else 5)
        out[f"step_s_{n}"] = t_step
        out[f"state_copy_s_{n}"] = t_copy
        out[f"state_bytes_per_site_{n}"] = sum(a.nbytes for a in arrays) / (n * n)
        out[f"step_vs_state_copy_ratio_{n}"] = t_step / t_copy
        del m, arrays, buf
    return out


def bench_transport(quick: bool) -> dict:
    n = 300 if quick else 1000
    m = make_model(n)
    fields = m.lattice.fields
    names = list(m.transport.diffusivity) if hasattr(m.transport, "diffusivity") else [
        "calcium_mM", "phosphate_mM", "pyrophosphate_uM", "magnesium_mM"]
    boundary = m.boundary_values(m.systemic_now())
    t_transport = best_of(lambda: m.transport.step(fields, boundary), 5)
    stack = np.stack([fields[k] for k in names])

    def spectral_pair():
        np.fft.irfft(np.fft.rfft(stack, axis=-1), n=stack.shape[-1], axis=-1)

    t_fft = best_of(spectral_pair, 5)
    return {"transport_s": t_transport, "spectral_pair_s": t_fft, "transport_lattice": n}


def bench_memory(quick: bool) -> dict:
    n = 300 if quick else 1000
    tracemalloc.start()
    m = make_model(n)
    m.step()
    m.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_bytes_per_site": peak / (n * n), "memory_lattice": n}


def bench_sweep(quick: bool) -> dict:
    try:
        from vcsim.sweep import load_spec, run_sweep  # noqa: F401
    except ImportError as exc:
        return {"sweep_error": f"sweep module unavailable: {exc}"}
    spec_text = (
        'scenario = "ckd"\ndays = 3\nreplicates = 2\ndesign = "grid"\n'
        "[set]\nlattice_rows = 24\nlattice_cols = 40\n"
        "[parameters]\nserum_phosphate_mM = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]\n"
    )
    out = {}
    tmp = Path(tempfile.mkdtemp(prefix="vcsim-bench-"))
    try:
        spec_path = tmp / "spec.toml"
        spec_path.write_text(spec_text)
        for workers in (1, 2):
            target = tmp / f"w{workers}"
            t0 = time.perf_counter()
            run_sweep(load_spec(spec_path), target, workers=workers, progress=False)
            dt = time.perf_counter() - t0
            out[f"sweep_runs_per_s_{workers}"] = 12 / dt
            out[f"sweep_wall_s_{workers}"] = dt
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["sweep_2_vs_1_speedup"] = out["sweep_runs_per_s_2"] / out["sweep_runs_per_s_1"]
    return out


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "vcsim": __version__,
    }
    try:
        with open("/proc/meminfo") as fh:
            info["mem_total"] = fh.readline().split(":")[1].strip()
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller lattices (smoke test)")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args(argv)

    raw: dict = {}
    for name, fn in (("engines", bench_engines), ("steps", bench_step_sizes),
                     ("transport", bench_transport), ("memory", bench_memory),
                     ("sweep", bench_sweep)):
        t0 = time.perf_counter()
        raw.update(fn(args.quick))
        print(f"  measured {name} in {time.perf_counter() - t0:.1f} s", flush=True)

    big = 300 if args.quick else 1000
    results = {
        "vector_vs_agents_speedup": raw["vector_cell_steps_per_s"] / raw["agents_cell_steps_per_s"],
        f"step_{big}_vs_state_copy_ratio": raw[f"step_vs_state_copy_ratio_{big}"],
        "transport_vs_spectral_ratio": raw["transport_s"] / raw["spectral_pair_s"],
        f"bytes_per_site_{big}": raw["peak_bytes_per_site"],
        "sweep_2_vs_1_speedup": raw.get("sweep_2_vs_1_speedup"),
        "quick": args.quick,
        "raw": raw,
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    targets = [
        ("vector vs agents speedup (cell-steps/s)", results["vector_vs_agents_speedup"], ">= 100"),
        (f"{big}^2 step / state copy", results[f"step_{big}_vs_state_copy_ratio"], "<= 20"),
        (f"{big}^2 step (s)", raw[f"step_s_{big}"], "~1"),
        ("transport / spectral pair", results["transport_vs_spectral_ratio"], "<= 3"),
        (f"peak bytes per site ({big}^2)", results[f"bytes_per_site_{big}"], "< 1024"),
        ("sweep 2 workers / 1 worker", results["sweep_2_vs_1_speedup"], ">= 1.7"),
    ]
    print(f"\n{'figure':45s} {'measured':>12s}  target")
    for label, value, target in targets:
        shown = "n/a" if value is None else f"{value:12.3g}"
        print(f"{label:45s} {shown:>12s}  {target}")
    print("\nraw timings:")
    for k, v in raw.items():
        print(f"  {k:40s} {v:.4g}" if isinstance(v, float) else f"  {k:40s} {v}")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
