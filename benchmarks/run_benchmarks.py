"""vcsim benchmarks: every figure measured side by side in one run, same scenario and seed.

Run with ``make bench`` (or ``python benchmarks/run_benchmarks.py [--quick]``). Prints a table
and writes ``benchmarks/results.json`` with the headline ratios, the raw timings and a machine
description (with the load average before and after), so runs can be compared over time.

Figures:
1. cell-steps per second, engine="vector" vs engine="agents", 100 x 100 lattice, both engines
   from the same state (same scenario, seed and number of warm-up steps);
2. full model step at 100^2, 300^2, 1000^2 beside one copy of all the model's state arrays
   (cell state + lattice fields: the memory-bandwidth floor for touching the state);
3. the transport step beside a bare forward+inverse spectral transform (rfft/irfft along the
   periodic axis) of the same dissolved fields;
4. peak traced memory (tracemalloc) per lattice site while building and stepping a
   1000 x 1000 model, in a fresh process (its peak RSS is reported beside it);
5. sweep throughput with 1 and 2 worker processes on the same small spec;
6. the shipped 5-year CKD progression with the patient coupled (``patient_ckd_progression``,
   2-h steps) on a 30 x 100 wall: simulated years per wall-clock hour, the minutes the 5 years
   take at that rate, and the share of the step spent in the patient's mineral metabolism
   (measured over ``patient_days`` days after a warm-up day; the rate of a run does not
   change with its length: the work per step is the same every step);
7. the browser page (``benchmarks/page_timing.py``): Step-to-redraw, Play rate and Reset on the
   default scenario and lattice in headless Chromium (``page_error`` says why when it cannot run).

Timings are the minimum of several repeats (the least-disturbed measurement): the machine may
be shared, so note the load average recorded in ``machine``. Every ``bench_*`` function takes
its sizes as arguments, so ``tests/test_benchmarks_smoke.py`` runs them on tiny lattices.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from vcsim import __version__
from vcsim.cells import Phenotype
from vcsim.model import VascularModel

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from page_timing import bench_page  # noqa: E402  (beside this script, not a package)

SEED = 20261123
SCENARIO = {"serum_phosphate_mM": 2.4, "tnf_alpha_pg_per_mL": 15.0, "fetuin_a_g_per_L": 0.4}

#: the lattice sizes of the full run and of ``--quick``
FULL = {"engines": 100, "steps": (100, 300, 1000), "transport": 1000, "memory": 1000,
        "sweep_rows": 24, "sweep_cols": 40, "sweep_days": 3,
        "patient_rows": 30, "patient_cols": 100, "patient_days": 20}
QUICK = {"engines": 40, "steps": (100, 300), "transport": 300, "memory": 300,
         "sweep_rows": 12, "sweep_cols": 20, "sweep_days": 1,
         "patient_rows": 30, "patient_cols": 100, "patient_days": 3}


def make_model(n: int, engine: str = "vector", threads: int | None = None) -> VascularModel:
    """The benchmark scenario on an n x n lattice (threads: the model default when None)."""
    return VascularModel(seed=SEED, engine=engine, lattice_rows=n, lattice_cols=n, threads=threads,
                         **SCENARIO)


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


def cell_steps_per_s(model: VascularModel, repeats: int) -> tuple[float, float]:
    """Best rate over ``repeats`` steps: cells stepped (occupied sites) / wall time of the step."""
    best, best_t = 0.0, float("inf")
    for _ in range(repeats):
        n_cells = int(np.count_nonzero(model.cells.phenotype != Phenotype.EMPTY))
        t0 = time.perf_counter()
        model.step()
        dt = time.perf_counter() - t0
        if n_cells / dt > best:
            best, best_t = n_cells / dt, dt
    return best, best_t


def state_arrays(model: VascularModel) -> list[np.ndarray]:
    """Every array of the model's state: cell state (phenotype codes and the float32 state
    records, as stored: contiguous) and the fields."""
    arrays = []
    for pop in model.populations.values():
        arrays += [pop.phenotype, pop.state]
    arrays += list(model.lattice.fields.values())
    return arrays


def copy_state(arrays: list[np.ndarray], out: list[np.ndarray]) -> None:
    # as bytes: numpy copies a structured (record) array field by field, far slower than memory
    for a, b in zip(arrays, out, strict=True):
        np.copyto(b.reshape(-1).view(np.uint8), a.reshape(-1).view(np.uint8))


# ------------------------------------------------------------------------------- the figures
def bench_engines(n: int = 100, warm_steps: int = 2, repeats_vector: int = 10,
                  repeats_agents: int = 2) -> dict:
    """Cell-steps per second of both engines on the same n x n scenario, from the same state."""
    vec = make_model(n, "vector")
    agents = make_model(n, "agents")
    warm(vec, warm_steps)
    warm(agents, warm_steps)
    rate_v, t_vec = cell_steps_per_s(vec, repeats_vector)
    rate_a, t_agents = cell_steps_per_s(agents, repeats_agents)
    return {
        "engines_lattice": n,
        "vector_cell_steps_per_s": rate_v,
        "agents_cell_steps_per_s": rate_a,
        f"vector_step_s_{n}": t_vec,
        f"agents_step_s_{n}": t_agents,
        "vector_vs_agents_speedup": rate_v / rate_a,
    }


def bench_step_sizes(sizes=(100, 300, 1000), warm_steps: int = 2) -> dict:
    """Full model step beside one copy of all the state arrays, for each lattice size.

    With the model's default thread count (``threads`` in the result); the largest lattice is
    also timed on one thread (``step_s_<n>_one_thread``), from the same state.
    """
    out = {}
    for n in sizes:
        m = make_model(n)
        out["threads"] = m.threads
        warm(m, warm_steps)
        arrays = state_arrays(m)
        buf = [np.empty_like(a) for a in arrays]
        copy_state(arrays, buf)  # touch the destination pages once
        t_copy = best_of(lambda arrays=arrays, buf=buf: copy_state(arrays, buf), 5)
        t_step = best_of(m.step, 3 if n >= 1000 else 5)
        out[f"step_s_{n}"] = t_step
        out[f"state_copy_s_{n}"] = t_copy
        out[f"state_bytes_per_site_{n}"] = sum(a.nbytes for a in arrays) / (n * n)
        out[f"step_vs_state_copy_ratio_{n}"] = t_step / t_copy
        if n == max(sizes):
            default_threads, m.threads = m.threads, 1
            out[f"step_s_{n}_one_thread"] = best_of(m.step, 3 if n >= 1000 else 5)
            out[f"step_vs_state_copy_ratio_{n}_one_thread"] = out[f"step_s_{n}_one_thread"] / t_copy
            m.threads = default_threads
        del m, arrays, buf
    return out


def bench_transport(n: int = 1000, repeats: int = 5) -> dict:
    """One transport solve (the Ca, Pi and PPi of the reaction-transport process, no reaction
    sources) beside a bare rfft + irfft of the same fields."""
    m = make_model(n)
    fields = m.lattice.fields
    transport = m.processes["reaction_transport"].reactive
    names = list(transport.names)
    boundary = m.boundary
    transport.step(fields, boundary)  # factorise once (cached): the per-step cost is wanted
    t_transport = best_of(lambda: transport.step(fields, boundary), repeats)
    stack = np.stack([fields[k] for k in names])

    def spectral_pair():
        np.fft.irfft(np.fft.rfft(stack, axis=-1), n=stack.shape[-1], axis=-1)

    t_fft = best_of(spectral_pair, repeats)
    return {"transport_s": t_transport, "spectral_pair_s": t_fft, "transport_lattice": n,
            "transport_vs_spectral_ratio": t_transport / t_fft}


def _memory_in_process(n: int, steps: int) -> dict:
    tracemalloc.start()
    m = make_model(n)
    for _ in range(steps):
        m.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"peak_bytes_per_site": peak / (n * n), "memory_lattice": n, "memory_steps": steps}
    rss_kib = peak_rss_kib()
    if rss_kib is not None:
        out["peak_rss_bytes_per_site"] = rss_kib * 1024.0 / (n * n)
    return out


def peak_rss_kib() -> float | None:
    """This process's peak resident set (KiB): VmHWM of /proc/self/status where there is one.

    Not ``getrusage(...).ru_maxrss``: on Linux a child started by fork + exec inherits the
    parent's maximum, so a fresh interpreter launched from a process that had built big models
    would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    try:
        import resource

        return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except ImportError:  # pragma: no cover (not on Windows)
        return None


def bench_memory(n: int = 1000, steps: int = 2, fresh_process: bool = True) -> dict:
    """Peak traced memory per site while building and stepping an n x n model.

    In a fresh interpreter by default, so the peak RSS beside it is this model's alone.
    """
    if not fresh_process:
        return _memory_in_process(n, steps)
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import run_benchmarks as b; "
            f"print(json.dumps(b._memory_in_process({int(n)}, {int(steps)})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_sweep(rows: int = 24, cols: int = 40, days: float = 3, levels: int = 6,
                replicates: int = 2, workers=(1, 2)) -> dict:
    """Runs per second of the same small sweep with 1 and 2 worker processes."""
    try:
        from vcsim.sweep import load_spec, run_sweep
        from vcsim.sweep.executors import LocalPoolExecutor
    except ImportError as exc:
        return {"sweep_error": f"sweep module unavailable: {exc}"}

    def spec_text(days: float, replicates: int, values: list[float]) -> str:
        return (
            f'scenario = "ckd"\ndays = {days}\nreplicates = {replicates}\ndesign = "grid"\n'
            f"[set]\nlattice_rows = {rows}\nlattice_cols = {cols}\n"
            f"[parameters]\nserum_phosphate_mM = [{', '.join(f'{v:g}' for v in values)}]\n"
        )

    n_runs = levels * replicates
    out: dict = {"sweep_runs": n_runs, "sweep_lattice": f"{rows}x{cols}", "sweep_days": days}
    tmp = Path(tempfile.mkdtemp(prefix="vcsim-bench-"))
    try:
        spec_path = tmp / "spec.toml"
        spec_path.write_text(spec_text(days, replicates, [1.0 + 0.5 * i for i in range(levels)]))
        spec = load_spec(spec_path)
        # start the pool's forkserver (imports, kernels) once, untimed: both worker counts are
        # then measured on runs alone
        warmup = tmp / "warmup.toml"
        warmup.write_text(spec_text(0.1, 1, [1.0]))
        executor = LocalPoolExecutor(workers=1)
        try:
            run_sweep(load_spec(warmup), tmp / "warmup", executor=executor, progress=False,
                      warn=lambda msg: None)
        finally:
            executor.close()
        for w in workers:
            executor = LocalPoolExecutor(workers=w)
            try:
                t0 = time.perf_counter()
                summary = run_sweep(spec, tmp / f"w{w}", executor=executor, progress=False,
                                    warn=lambda msg: None)
                dt = time.perf_counter() - t0
            finally:
                executor.close()
            if summary.failed:
                return {**out, "sweep_error": f"{summary.failed} of {n_runs} runs failed with {w} workers"}
            out[f"sweep_runs_per_s_{w}"] = n_runs / dt
            out[f"sweep_wall_s_{w}"] = dt
    except Exception as exc:  # the sweep module is young: report, do not lose the other figures
        return {**out, "sweep_error": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if "sweep_runs_per_s_1" in out and "sweep_runs_per_s_2" in out:
        out["sweep_2_vs_1_speedup"] = out["sweep_runs_per_s_2"] / out["sweep_runs_per_s_1"]
    return out


def bench_patient(rows: int = 30, cols: int = 100, days: float = 20) -> dict:
    """Simulated years per wall-clock hour of the coupled 5-year CKD progression scenario."""
    from vcsim.model import run
    from vcsim.scenario import load_scenario

    sc = load_scenario("patient_ckd_progression", [f"lattice_rows={rows}", f"lattice_cols={cols}"])
    model = sc.make_model(seed=SEED)
    proc = model.processes["mineral_metabolism"]
    spent = [0.0]
    inner = proc.step

    def timed(m):  # the patient's share of the step
        t0 = time.perf_counter()
        inner(m)
        spent[0] += time.perf_counter() - t0

    proc.step = timed
    run(model, 1.0)  # warm-up day: compiled kernels, caches
    spent[0] = 0.0
    t0 = time.perf_counter()
    run(model, days)
    wall = time.perf_counter() - t0
    years_per_hour = (days / 365.25) / (wall / 3600.0)
    return {"patient_lattice": f"{rows}x{cols}", "patient_days": days, "patient_dt_h": float(model.dt_h),
            "patient_wall_s": wall, "patient_years_per_hour": years_per_hour,
            f"years_per_hour_{rows}x{cols}": years_per_hour,
            "patient_5_years_min": 5.0 / years_per_hour * 60.0,
            "patient_share_of_step": spent[0] / wall}


def machine() -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "vcsim": __version__,
        "numba": importlib.metadata.version("numba"),
    }
    try:
        info["cores_available"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        pass
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


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # pragma: no cover
        return None


# ------------------------------------------------------------------------------- the report
def run_all(sizes: dict, out_path: Path | None = None, echo=print) -> dict:
    """Measure every figure with the lattice sizes in ``sizes`` (:data:`FULL` or
    :data:`QUICK` or smaller), write ``out_path`` (JSON) and return the results."""
    load_before = load_average()
    raw: dict = {}
    steps = tuple(sizes["steps"])
    plan = (
        ("engines", lambda: bench_engines(sizes["engines"])),
        ("steps", lambda: bench_step_sizes(steps)),
        ("transport", lambda: bench_transport(sizes["transport"])),
        ("memory", lambda: bench_memory(sizes["memory"])),
        ("sweep", lambda: bench_sweep(sizes["sweep_rows"], sizes["sweep_cols"], sizes["sweep_days"])),
        ("patient", lambda: bench_patient(sizes["patient_rows"], sizes["patient_cols"], sizes["patient_days"])),
        ("page", bench_page),
    )
    for name, fn in plan:
        t0 = time.perf_counter()
        raw.update(fn())
        echo(f"  measured {name} in {time.perf_counter() - t0:.1f} s")
    big = max(steps)
    mem_n = raw["memory_lattice"]
    results = {
        "vector_vs_agents_speedup": raw["vector_vs_agents_speedup"],
        f"step_{big}_vs_state_copy_ratio": raw[f"step_vs_state_copy_ratio_{big}"],
        "transport_vs_spectral_ratio": raw["transport_vs_spectral_ratio"],
        f"bytes_per_site_{mem_n}": raw["peak_bytes_per_site"],
        "sweep_2_vs_1_speedup": raw.get("sweep_2_vs_1_speedup"),
        f"years_per_hour_{raw['patient_lattice']}": raw["patient_years_per_hour"],
        "page_step_s": raw.get("page_step_s"),
        "page_play_steps_per_s": raw.get("page_play_steps_per_s"),
        "page_reset_s": raw.get("page_reset_s"),
        "sizes": {k: list(v) if isinstance(v, tuple) else v for k, v in sizes.items()},
        "raw": raw,
        "machine": {**machine(), "load_average_before": load_before,
                    "load_average_after": load_average()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    if out_path is not None:
        Path(out_path).write_text(json.dumps(results, indent=2) + "\n")
    return results


def table(results: dict) -> str:
    """The benchmark table (markdown), every figure beside its reference and target."""
    raw = results["raw"]
    steps = results["sizes"]["steps"]
    big = max(steps)
    n_eng = raw["engines_lattice"]
    lines = ["| figure | measured | beside | ratio | target |", "|---|---|---|---|---|"]
    lines.append(
        f"| cell-steps/s, vector vs agents ({n_eng}x{n_eng}) | {raw['vector_cell_steps_per_s']:,.0f} "
        f"| {raw['agents_cell_steps_per_s']:,.0f} | {raw['vector_vs_agents_speedup']:.0f}x | >= 100x |")
    threads = raw.get("threads", 1)
    for n in steps:
        target = "<= 20x, ~1 s" if n == big and n >= 1000 else ""
        lines.append(
            f"| model step {n}x{n} (s, {threads} thread{'s' if threads > 1 else ''}) vs state copy (s) "
            f"| {raw[f'step_s_{n}']:.4f} | {raw[f'state_copy_s_{n}']:.4f} "
            f"| {raw[f'step_vs_state_copy_ratio_{n}']:.1f}x | {target} |")
        if f"step_s_{n}_one_thread" in raw and threads > 1:
            lines.append(
                f"| model step {n}x{n} (s, 1 thread) vs state copy (s) | {raw[f'step_s_{n}_one_thread']:.4f} "
                f"| {raw[f'state_copy_s_{n}']:.4f} | {raw[f'step_vs_state_copy_ratio_{n}_one_thread']:.1f}x | |")
    n_t = raw["transport_lattice"]
    lines.append(
        f"| transport step {n_t}x{n_t} (s) vs rfft+irfft (s) | {raw['transport_s']:.4f} "
        f"| {raw['spectral_pair_s']:.4f} | {raw['transport_vs_spectral_ratio']:.2f}x | <= 3x |")
    n_m = raw["memory_lattice"]
    rss = raw.get("peak_rss_bytes_per_site")
    lines.append(
        f"| peak traced memory per site, {n_m}x{n_m} (bytes) | {raw['peak_bytes_per_site']:.0f} "
        f"| state {raw.get(f'state_bytes_per_site_{big}', float('nan')):.0f}"
        + (f", peak RSS {rss:.0f}" if rss is not None else "") + " | | < 1024 |")
    if "sweep_2_vs_1_speedup" in raw:
        lines.append(
            f"| sweep runs/s, 2 vs 1 workers ({raw['sweep_runs']} runs, {raw['sweep_lattice']}, "
            f"{raw['sweep_days']} d) | {raw['sweep_runs_per_s_2']:.2f} | {raw['sweep_runs_per_s_1']:.2f} "
            f"| {raw['sweep_2_vs_1_speedup']:.2f}x | >= 1.7x |")
    else:
        lines.append(f"| sweep 2 vs 1 workers | n/a | {raw.get('sweep_error', 'not measured')} | | >= 1.7x |")
    lines.append(
        f"| CKD progression with the patient, {raw['patient_lattice']}, dt {raw['patient_dt_h']:g} h: "
        f"simulated years per hour | {raw['patient_years_per_hour']:.1f} "
        f"| 5 years in {raw['patient_5_years_min']:.1f} min; patient {100 * raw['patient_share_of_step']:.0f} % "
        "of the step | | 5 years in minutes |")
    if "page_step_s" in raw:
        lines.append(
            f"| browser page, default lattice: Step to redraw (s, median of {raw['page_step_clicks']}) "
            f"| {raw['page_step_s']:.3f} | slowest {raw['page_step_max_s']:.3f} | | <= 0.25 |")
        lines.append(f"| browser page: Play (steps/s) | {raw['page_play_steps_per_s']:.1f} | | | >= 4 |")
        lines.append(f"| browser page: Reset (s) | {raw['page_reset_s']:.3f} | | | < 1 |")
    else:
        lines.append(f"| browser page | n/a | {raw.get('page_error', 'not measured')} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller lattices (smoke test)")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    results = run_all(sizes, Path(args.out), echo=lambda s: print(s, flush=True))
    print()
    print(table(results))
    print("\nraw timings:")
    for k, v in results["raw"].items():
        print(f"  {k:40s} {v:.4g}" if isinstance(v, float) else f"  {k:40s} {v}")
    m = results["machine"]
    print(f"\nmachine: {m.get('cpu_model', m['processor'])}, {m.get('cores_available', m['cpu_count'])} cores, "
          f"{m.get('mem_total', '?')}; load average {m['load_average_before']} -> {m['load_average_after']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
