"""The engine process keeps OpenBLAS to one thread: its stages run in threads, and a shared BLAS pool once hung."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import numpy, threadpoolctl
from engine.queue.startup import limit_blas_threads
before = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
limit_blas_threads()
after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
print(max(before), len(after), max(after))
"""


def test_every_openblas_in_the_engine_process_runs_one_thread() -> None:
    # A fresh process with two threads allowed, so the limit has something to lower (the test process may not).
    environment = {"OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment, check=True,
                          cwd=".")  # fmt: skip
    before, libraries, after = (int(word) for word in done.stdout.split())
    assert before == 2 and after == 1
    assert libraries == 2  # numpy's OpenBLAS and SciPy's both
