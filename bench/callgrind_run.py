"""Runs `python ARGS` under callgrind with counting off, for bench.instructions to switch on.

Usage: python -m bench.callgrind_run OUT ARGS...   (OUT.pid receives the process id)
"""

import os
import shutil
import sys
from pathlib import Path


def main() -> None:
    """Replace this process with valgrind running the server: the process id stays the same."""
    out, *args = sys.argv[1:]
    Path(f"{out}.pid").write_text(str(os.getpid()))
    valgrind = shutil.which("valgrind") or "valgrind"
    options = ["--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    os.execv(valgrind, [valgrind, *options, sys.executable, *args])  # noqa: S606


if __name__ == "__main__":
    main()
