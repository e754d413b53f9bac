"""The process entry point: the server's modules are imported with garbage collection paused."""

import gc


def main() -> None:
    """Entry point of the `pg-mcp` console script and of `python -m bootstrap`."""
    # Start-up imports allocate a few hundred thousand objects that live as long as the
    # process: collecting while they pile up costs 100-200 ms of cold start and frees nothing.
    gc.disable()
    try:
        from bootstrap.cli import main as run
    finally:
        gc.freeze()  # later passes skip what start-up built
        gc.enable()
    run()
