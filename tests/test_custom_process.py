"""Processes and reporters added from outside the package (scenarios/custom_process.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vcsim
from vcsim import VascularModel, load_scenario, run
from vcsim.outputs import Output, OutputGroup
from vcsim.params import ParameterError
from vcsim.processes import Process

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"lattice_rows": 8, "lattice_cols": 12, "serum_phosphate_mM": 2.6}


def _example():
    spec = importlib.util.spec_from_file_location("custom_process", ROOT / "scenarios" / "custom_process.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class LocalPhosphateSource(Process):
    """A user's lattice process: a phosphate source in the first column (e.g. a dissolving
    deposit), with a reporter of the phosphate it added."""

    name = "local_phosphate_source"
    reads = ("field.phosphate_mM",)
    writes = ("field.phosphate_mM",)

    def __init__(self, rate_mM_per_h: float):
        self.rate = rate_mM_per_h
        self.added_mM = 0.0

    def step(self, model) -> None:
        model.lattice.fields["phosphate_mM"][:, 0] += self.rate * model.dt_h
        self.added_mM += self.rate * model.dt_h * model.geometry.rows

    def outputs(self, model):
        out = Output("local_source_phosphate_added_mM", "mM", "phosphate the local source added (sum over sites)",
                     "added Pi", source=self.name)
        return [OutputGroup([out], lambda m: {out.name: self.added_mM}, self.name)]

    def get_state(self):
        return {"added_mM": self.added_mM}

    def set_state(self, state):
        self.added_mM = float(state["added_mM"])


def test_the_public_api_is_importable_from_the_package():
    assert vcsim.VascularModel is VascularModel and callable(run) and callable(load_scenario)
    assert isinstance(vcsim.__version__, str)


def test_a_cell_process_from_outside_acts_in_both_engines_identically_and_reports():
    example = _example()
    edit = example.with_inhibitor(0.9)
    plain = run(VascularModel(seed=4, **SMALL), 2)
    vec = run(VascularModel(seed=4, processes=edit, **SMALL), 2)
    agents = run(VascularModel(seed=4, engine="agents", processes=edit, **SMALL), 2)
    assert "vsmc.pit1_inhibitor" in vec.processes.names()
    assert vec.timeseries_frame().equals(agents.timeseries_frame())
    assert vec.stat("mean_runx2") < 0.8 * plain.stat("mean_runx2")  # the drug acts
    assert "pit1_inhibitor_signal_removed" in vec.timeseries_frame()
    assert vec.stat("pit1_inhibitor_signal_removed") > 0.1


def test_a_lattice_process_from_outside_with_its_own_output_and_checkpoint_state():
    def edit(procs):
        return procs.insert_before("releases", LocalPhosphateSource(0.01))

    m = run(VascularModel(seed=2, processes=edit, **SMALL), 1)
    ts = m.timeseries_frame()
    assert ts["local_source_phosphate_added_mM"].iloc[-1] == pytest.approx(0.01 * 24 * 8)
    arrays, meta = m.checkpoint()
    again = VascularModel.from_checkpoint(arrays, meta, processes=edit)
    assert again.processes["local_phosphate_source"].added_mM == pytest.approx(0.01 * 24 * 8)
    with pytest.raises(ParameterError, match="processes"):
        VascularModel.from_checkpoint(arrays, meta)  # without the process: refused, not ignored


def test_processes_can_be_replaced_and_removed_by_name():
    m = VascularModel(seed=1, processes=lambda p: p.remove("resorption"), **SMALL)
    assert "resorption" not in m.processes.names()
    run(m, 1)
    with pytest.raises(KeyError, match="no process 'nucleaton'"):
        m.processes.remove("nucleaton")
    # nucleation reads the vesicles the releases process owns: removing that alone is refused
    with pytest.raises(ParameterError, match="process 'nucleation': field 'vesicles_count' does not exist"):
        VascularModel(seed=1, processes=lambda p: p.remove("releases"), **SMALL)


def test_a_process_declaring_a_field_that_does_not_exist_is_refused_in_one_line():
    class Typo(Process):
        name = "typo"
        reads = ("field.phosphte_mM",)

        def step(self, model):
            pass

    with pytest.raises(ParameterError, match="process 'typo': field 'phosphte_mM' does not exist"):
        VascularModel(seed=1, processes=lambda p: p.insert_after("systemic", Typo()), **SMALL)


def test_the_example_script_runs_and_shows_the_drug_acting():
    out = subprocess.run([sys.executable, str(ROOT / "scenarios" / "custom_process.py"), "--days", "1",
                          "--rows", "8", "--cols", "12"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "vsmc.pit1_inhibitor" in out.stdout and "mean_runx2" in out.stdout
    bad = subprocess.run([sys.executable, str(ROOT / "scenarios" / "custom_process.py"), "--inhibition", "2"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_an_incompatible_checkpoint_format_is_refused_in_one_line():
    m = VascularModel(seed=1, **SMALL)
    arrays, meta = m.checkpoint()
    with pytest.raises(ParameterError, match="checkpoint format 1 .* reads format 3"):
        VascularModel.from_checkpoint(arrays, {**meta, "checkpoint_format": 1})
    with pytest.raises(ParameterError, match="checkpoint format None"):
        VascularModel.from_checkpoint(arrays, {k: v for k, v in meta.items() if k != "checkpoint_format"})
    assert np.array_equal(VascularModel.from_checkpoint(arrays, meta).cells.state, m.cells.state)
