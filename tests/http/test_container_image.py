"""The image's contract, proven without a Docker engine.

The server starts as the image starts it: its entry point and command, installed from exactly
what the Dockerfile copies, under a user that is not root, with the root filesystem read-only,
a tmpfs at /tmp and only the image's ENV. Third-party packages come from the test's own
environment (the image installs the same ones from the index).
"""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from tests.http.dockerfile import DOCKERFILE, copied_sources, environment, one, stages
from tests.http.serving import HttpServer, http_client, http_server

ROOT = DOCKERFILE.parent
TOKEN = "image-token-0123456789abcdef"
TMPFS = "/tmp"  # noqa: S108 - the container's own tmpfs, as `docker run --tmpfs /tmp` gives it
# Mounts made in a private mount namespace, then the image's user takes over:
# $1 the PostgreSQL socket directory (under /tmp, kept across the tmpfs), $2 a place to hold it.
_CONTAINERISE = """
set -eu
if [ -n "$1" ]; then mount --bind "$1" "$2"; fi
mount -t tmpfs -o mode=1777 tmpfs /tmp
if [ -n "$1" ]; then mkdir -p "$1" && mount --move "$2" "$1"; fi
mount -o remount,bind,ro /
cd /
shift 2
exec "$@"
"""


def test_the_image_copies_every_package_pyproject_ships() -> None:
    build = stages()[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    shipped = {
        path.name
        for path in ROOT.iterdir()
        if (path / "__init__.py").is_file() and any(fnmatch(path.name, p) for p in patterns)
    }

    assert shipped >= {"domain", "application", "adapters", "bootstrap"}
    assert shipped | {"pyproject.toml", project["project"]["readme"]} <= copied_sources(build)


def test_the_build_context_keeps_everything_the_image_copies() -> None:
    patterns = (ROOT / ".dockerignore").read_text().split()
    top_level = [p for p in patterns if not p.startswith(("!", "**/"))]
    copied = copied_sources(stages()[0])

    assert {s for s in copied if any(fnmatch(s, p) for p in top_level)} == set()


def test_the_image_s_command_healthcheck_and_exposed_port_agree() -> None:
    final = stages()[-1]
    port = one(final, "EXPOSE").arguments
    (healthcheck,) = [arg for arg in one(final, "HEALTHCHECK").exec_form() if "urlopen" in arg]

    assert one(final, "CMD").exec_form() == ["serve", "--http", f"0.0.0.0:{port}"]
    assert f"http://127.0.0.1:{port}/healthz" in healthcheck
    assert one(final, "USER").arguments != "0"
    assert environment(final)["HOME"] == TMPFS


def _python_others_can_run() -> Path | None:
    """A CPython of this version that a user other than root may run (root's pyenv is 0700)."""
    minor = f"python3.{sys.version_info.minor}"
    candidates = (
        Path(sys.executable),
        Path("/usr/bin", minor),
        Path("/usr/local/bin", minor),
    )
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and all(p.stat().st_mode & 0o001 for p in resolved.parents):
            return resolved
    return None


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: mounts in a private namespace, then drops to nobody"
    if not all(shutil.which(tool) for tool in ("unshare", "setpriv", "nsenter")):
        return "needs unshare, setpriv and nsenter (util-linux)"
    if _python_others_can_run() is None:
        return "no Python that nobody may run"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], check=False, capture_output=True
    )
    return None if probe.returncode == 0 else "unshare --mount is not permitted here"


@pytest.fixture(scope="module")
def image() -> Iterator[Path]:
    """The image's file tree: a venv holding what the Dockerfile copies, on the root filesystem.

    Under /var/tmp, since /tmp is a fresh tmpfs for the server.
    """
    if (reason := _skip_reason()) is not None:
        pytest.skip(reason)
    python = _python_others_can_run()
    assert python is not None
    with tempfile.TemporaryDirectory(prefix="pgmcp-image-", dir="/var/tmp") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        venv = root / "venv"
        subprocess.run([python, "-m", "venv", "--without-pip", venv], check=True)
        (site,) = venv.glob("lib/python3.*/site-packages")
        for source in copied_sources(stages()[0]):
            if (ROOT / source / "__init__.py").is_file():
                shutil.copytree(ROOT / source, site / source, ignore=_no_bytecode)
        # The image installs its dependencies; here they are this venv's, linked into the tree
        # (the venv may sit in a directory only root can enter, as CI's temporary one does).
        dependencies = next(p for p in sys.path if p.endswith("site-packages"))
        shutil.copytree(dependencies, root / "dependencies", copy_function=_link_or_copy)
        (site / "dependencies.pth").write_text(f"{root / 'dependencies'}\n")
        script = venv / "bin" / "pg-mcp"
        script.write_text(f"#!{venv}/bin/python\n{_entry_point()}")
        script.chmod(0o755)
        (root / "hold").mkdir()
        yield root


def _link_or_copy(source: str, target: str) -> None:
    """A hard link (instant, no room taken), or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _no_bytecode(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__"]


def _entry_point() -> str:
    """The console script pip writes for [project.scripts] pg-mcp."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    module, function = project["project"]["scripts"]["pg-mcp"].split(":")
    return f"import sys\nfrom {module} import {function}\nsys.exit({function}())\n"


def _socket_dir(dsn: str) -> str:
    """The directory of the DSN's Unix socket, when it lies under /tmp (else nothing to keep)."""
    host = parse_qs(urlsplit(dsn).query).get("host", [""])[0]
    return host if host.startswith(f"{TMPFS}/") else ""


def _as_image_user(image: Path, env: dict[str, str], *command: str) -> list[str]:
    """`command` as nobody with only the image's ENV (and its PATH)."""
    nobody = pwd.getpwnam("nobody")
    final = stages()[-1]
    variables = environment(final) | {"PATH": f"{image}/venv/bin:/usr/bin:/bin"} | env
    return [
        *("setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"),
        *("env", "-i", *(f"{k}={v}" for k, v in variables.items()), *command),
    ]


@pytest.fixture(scope="module")
def container(image: Path, shop_dsn: str) -> Iterator[HttpServer]:
    settings = {"PG_MCP_POSTGRES_DSN": shop_dsn, "PG_MCP_AUTH_TOKENS": f'{{"{TOKEN}": "alice"}}'}
    final = stages()[-1]
    (entry,) = one(final, "ENTRYPOINT").exec_form()
    *command, bind = one(final, "CMD").exec_form()
    bind = bind.rpartition(":")[0] + ":0"  # the image's host, any free port
    start = [
        *("unshare", "--mount", "--propagation", "private", "sh", "-c", _CONTAINERISE, "sh"),
        *(_socket_dir(shop_dsn), str(image / "hold")),
        *_as_image_user(image, settings, entry, *command, bind),
    ]
    with http_server({"PATH": os.environ["PATH"]}, command=start) as server:
        server.url = server.url.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - reading its log
        yield server


def _in_container(server: HttpServer, *command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` in the server's mount namespace, as `docker exec` would."""
    enter = ["nsenter", f"--target={server.process.pid}", "--mount", "--"]
    return subprocess.run([*enter, *command], capture_output=True, text=True, check=False)


@pytest.mark.anyio
async def test_the_image_serves_healthz_and_an_authenticated_query(
    container: HttpServer,
) -> None:
    async with httpx2.AsyncClient(base_url=container.base, timeout=30) as web:
        health = await web.get("/healthz")
    async with http_client(container.url, TOKEN) as client:
        result = await client.call_tool("query", {"query": "SELECT 6 * 7 AS answer"})

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[42]]


def test_the_server_runs_as_nobody_on_a_read_only_root_with_a_private_tmp(
    container: HttpServer, image: Path
) -> None:
    written = _in_container(container, "touch", str(image / "written"))
    tmp = _in_container(container, "sh", "-c", "touch /tmp/written && ls /tmp")
    where = "import bootstrap; print(bootstrap.__file__)"
    imported = _in_container(container, *_as_image_user(image, {}, "python", "-c", where))

    assert imported.stdout.startswith(f"{image}/venv/"), imported  # the copy, not the checkout
    assert written.returncode != 0
    assert "Read-only file system" in written.stderr
    assert "written" in tmp.stdout
    assert not Path(TMPFS, "written").exists()  # the container's /tmp is not the host's
    status = Path(f"/proc/{container.process.pid}/status").read_text()
    assert f"Uid:\t{pwd.getpwnam('nobody').pw_uid}\t" in status


def _healthcheck(port: int) -> list[str]:
    """The image's HEALTHCHECK command, aimed at `port` instead of the port the image exposes."""
    final = stages()[-1]
    exposed = f":{one(final, 'EXPOSE').arguments}/"
    return [arg.replace(exposed, f":{port}/") for arg in one(final, "HEALTHCHECK").exec_form()]


def test_the_image_s_healthcheck_passes_while_it_serves_and_fails_where_nothing_listens(
    container: HttpServer, image: Path
) -> None:
    port = urlsplit(container.base).port
    assert port is not None
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        silent = unused.getsockname()[1]
        serving = _in_container(container, *_as_image_user(image, {}, *_healthcheck(port)))
        refused = _in_container(container, *_as_image_user(image, {}, *_healthcheck(silent)))

    assert serving.returncode == 0, serving.stderr
    assert refused.returncode != 0
