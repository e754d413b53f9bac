"""Runs `python ARGS` under callgrind with counting off, for bench.instructions to switch on.

Usage: python -m bench.callgrind_run OUT [--VALGRIND-OPTION...] ARGS...   (OUT.pid receives
the process id; --instr-atstart=yes counts from the start)
"""

import os
import shutil
import sys
from pathlib import Path


def main() -> None:
    """Replace this process with valgrind running the server: the process id stays the same."""
    out, *args = sys.argv[1:]
    given = [arg for arg in args if arg.startswith("--")]
    args = args[len(given) :]
    Path(f"{out}.pid").write_text(str(os.getpid()))
    valgrind = shutil.which("valgrind") or "valgrind"
    options = ["--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}", *given]
    os.execv(valgrind, [valgrind, *options, sys.executable, *args])  # noqa: S606


if __name__ == "__main__":
    main()
