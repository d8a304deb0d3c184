"""One source per rule: the compiled rules run unchanged as plain Python (NUMBA_DISABLE_JIT=1)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

SCRIPT = """
import sys, numpy as np
from vcsim.model import VascularModel, run
m = run(VascularModel(seed=5, lattice_rows=4, lattice_cols=6, serum_phosphate_mM=2.6,
                      tnf_alpha_pg_per_mL=20.0), 0.5)
np.save(sys.argv[1], m.cells.matrix.astype(np.float64))
np.save(sys.argv[2], np.stack([m.lattice.fields[k] for k in sorted(m.lattice.fields)]))
"""


def _run(tmp_path, disable_jit: bool):
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1" if disable_jit else "0"}
    cells, fields = tmp_path / f"cells_{disable_jit}.npy", tmp_path / f"fields_{disable_jit}.npy"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(cells), str(fields)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "Warning" not in out.stderr, out.stderr
    return np.load(cells), np.load(fields)


def test_the_same_source_as_plain_python_gives_the_compiled_results(tmp_path):
    jit_cells, jit_fields = _run(tmp_path, False)
    py_cells, py_fields = _run(tmp_path, True)
    # the same operations in the same order: the cell state agrees to the last bit here
    np.testing.assert_array_equal(jit_cells, py_cells)
    np.testing.assert_allclose(jit_fields, py_fields, rtol=1e-12, atol=0)
