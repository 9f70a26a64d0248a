"""A failing rank must end the whole MPI job promptly, and the example trains the same
way on several ranks as on one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import flambeau.distributed as dist

sys.path.insert(0, str(Path(__file__).parent / "distributed"))
import harness  # noqa: E402

pytestmark = pytest.mark.skipif(not dist.is_available() or harness.find_mpiexec() is None,
                                reason="needs mpi4py and mpiexec (pip install flambeau[mpi])")

HERE = Path(__file__).parent / "distributed"
PROMPT = 30  # seconds within which the job must be over


@pytest.mark.parametrize("n", [2, 4])
def test_exception_on_one_rank_aborts_the_job(n):
    code, out, err, seconds = harness.launch(HERE / "fail_midtraining.py", n, [], 60)
    assert code is not None, f"the job hung (killed after 60 s)\n{err[-2000:]}"
    assert code != 0, f"exit code 0 although rank {n - 1} raised\n{out}\n{err}"
    assert seconds < PROMPT, f"the job took {seconds:.0f} s to end"
    assert f"[rank {n - 1}] RuntimeError: boom on purpose at step 3" in err, err[-2000:]
    assert "MPI_Abort" in err
    assert "unreachable" not in out


def test_exception_in_a_thread_aborts_the_job():
    code, out, err, seconds = harness.launch(HERE / "fail_in_thread.py", 2, [], 60)
    assert code is not None, f"the job hung (killed after 60 s)\n{err[-2000:]}"
    assert code != 0 and seconds < PROMPT, (code, seconds)
    assert "thread 'loader' of rank 0" in err, err[-2000:]
    assert "ValueError: data loader thread failed on purpose" in err


def _accuracy(out: str) -> float:
    found = re.findall(r"^test accuracy: ([0-9.]+)$", out, re.M)
    assert len(found) == 1, f"expected one 'test accuracy:' line (rank 0 only):\n{out}"
    return float(found[0])


def test_train_digits_distributed_matches_single_process(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    script = harness.REPO / "examples" / "train_digits.py"
    args = ["--epochs", "3", "--checkpoint", str(tmp_path / "ck.safetensors")]
    code1, out1, err1, _ = harness.launch(script, None, args, 300)
    assert code1 == 0, err1[-2000:]
    code2, out2, err2, _ = harness.launch(script, 2, [*args, "--distributed"], 300)
    assert code2 == 0, err2[-2000:]
    single, multi = _accuracy(out1), _accuracy(out2)
    assert out2.count("epoch 3:") == 1, "only rank 0 should print progress"
    assert single > 0.85 and multi > 0.85, (single, multi)
    assert abs(single - multi) < 0.05, (single, multi)
