"""The README's first command, and the three it says to try next, exactly as a new user types
them in a checkout: `swift run gra-operator local`, then (KUBECONFIG exported) `kubectl apply`
of the minimal Runner with `kubectl get runners -w` until it is Ready, then
`swift run kubectl-gra exec demo -- python3 -c 'print(6*7)'`, which must print 42. Ctrl-C then
stops everything: the process exits, the port closes, no pod process is left. The two
`swift run X` commands run the built products `.build/debug/X` (see `prebuilt`).

The commands are read from README.md, so the test follows the README when it changes. It uses
the README's defaults (port 6443, `.local/` in the checkout) and is skipped when port 6443 is
already taken (someone is running local mode in this checkout).
"""

from __future__ import annotations

import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from gra_cluster import BIN, early, early_result, needs_binaries, start_process
from gra_deploy_support import ROOT, needs_kubectl, wait_for

pytestmark = [needs_kubectl, needs_binaries,
              pytest.mark.skipif(shutil.which("swift") is None, reason="swift is not installed")]


def prebuilt(command: str) -> str:
    """`swift run X ARGS` as the built product: `.build/debug/X ARGS`, which is what
    `swift run --skip-build X ARGS` executes. `make test` has built the products before the
    tests run; `swift run` itself would first take SwiftPM's lock on .build, which a build or a
    `swift test` elsewhere in the checkout holds for minutes (measured: 3.5 min of waiting), and
    then build again. GRA_QUICKSTART_SWIFT_RUN=1 runs `swift run --skip-build X ARGS` instead."""
    assert command.startswith("swift run "), command
    rest = command[len("swift run "):]
    if os.environ.get("GRA_QUICKSTART_SWIFT_RUN") == "1":
        return "swift run --skip-build " + rest
    product, _, args = rest.partition(" ")
    return f"{shlex.quote(str(BIN / product))} {args}"


def readme_blocks() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    return [[l for l in b.splitlines() if l.strip()] for b in re.findall(r"```sh\n(.*?)```", text, re.S)]


def first_command() -> str:
    return readme_blocks()[0][0].split("#")[0].strip()


def next_commands() -> list[str]:
    """The block right after the first that starts with `export KUBECONFIG=`."""
    return next(b for b in readme_blocks()[1:] if b and b[0].startswith("export KUBECONFIG="))


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def processes_under(directory: pathlib.Path) -> list[str]:
    """Processes whose working directory is inside `directory` (pods of the local kubelet)."""
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(directory)):
            found.append(f"{proc.name} {cwd}")
    return found


def listeners(port: int) -> list[str]:
    """`PID COMMAND` of the processes that hold a socket listening on `port` (from /proc), to
    say who still holds it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[1].rsplit(":", 1)[1] == f"{port:04X}" and cols[3] == "0A":
                inodes.add(f"socket:[{cols[9]}]")
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                found.append(f"{proc.name} {(proc / 'comm').read_text().strip()}")
        except OSError:
            continue
    return found


def test_readme_commands():
    assert first_command() == "swift run gra-operator local"
    export, apply_and_watch, exec_line = next_commands()[:3]
    assert export == "export KUBECONFIG=$PWD/.local/kubeconfig"
    apply_cmd, watch_cmd = [p.strip() for p in apply_and_watch.split("&&")]
    assert apply_cmd == "kubectl apply -f manifests/examples/runner-minimal.yaml" and watch_cmd == "kubectl get runners -w"
    assert exec_line.startswith("swift run kubectl-gra exec demo --")


@early("quick_start_outcome")
def quick_start():
    """The whole quick start; its assertions fail the test below. It mostly waits (for the
    server, the Runner, `swift run`), so tests/conftest.py starts it right after collection."""
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="gra-quickstart-"))
    try:
        quick_start_in(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def quick_start_outcome():
    return early_result(quick_start)


def test_readme_quick_start_reaches_a_ready_runner_and_an_exec(quick_start_outcome):
    """Asserted in quick_start_in: a Ready runner, 42 from the exec, a clean Ctrl-C."""


def quick_start_in(tmp_path: pathlib.Path):
    if port_open(6443):
        pytest.skip("port 6443 is in use (local mode already running in this checkout?)")
    local = ROOT / ".local"
    (local / "kubeconfig").unlink(missing_ok=True)
    env = dict(os.environ, HOME=str(tmp_path))  # a fresh kubectl cache, as on a new machine
    env.pop("KUBECONFIG", None)
    out_path = tmp_path / "local.out"
    with open(out_path, "wb") as out:
        proc = start_process(shlex.split(prebuilt(first_command())), cwd=ROOT, env=env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("`swift run gra-operator local` to print its next steps",
                 lambda: "Press Ctrl-C to stop." in out_path.read_text(errors="replace") or proc.poll() is not None,
                 timeout=600, interval=0.1)  # with GRA_QUICKSTART_SWIFT_RUN=1, for SwiftPM's lock too
        printed = out_path.read_text(errors="replace")
        if proc.poll() is not None and "Address already in use" in printed:
            pytest.skip("port 6443 was taken while `swift run` was building")
        assert proc.poll() is None, printed
        export, apply_and_watch, exec_line = next_commands()[:3]
        # It prints the same next steps as the README (with $PWD spelled out).
        assert f"export KUBECONFIG={ROOT}/.local/kubeconfig" in printed, printed
        assert apply_and_watch in printed and exec_line in printed, printed

        shell_env = dict(env, PWD=str(ROOT))
        prefix = export + "; "

        def sh(command: str, timeout: float = 600):
            return subprocess.run(["bash", "-c", prefix + command], cwd=ROOT, env=shell_env, capture_output=True,
                                  text=True, timeout=timeout)

        apply_cmd, watch_cmd = [p.strip() for p in apply_and_watch.split("&&")]
        r = sh(apply_cmd)
        assert r.returncode == 0 and "runner.gra.dev/demo created" in r.stdout, r.stdout + r.stderr

        # `kubectl get runners -w` until the demo row says Ready.
        watch = subprocess.Popen(["bash", "-c", prefix + "exec " + watch_cmd], cwd=ROOT, env=shell_env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        ready = threading.Event()

        def read():
            for line in watch.stdout:
                lines.append(line)
                cols = line.split()
                if cols[:2] == ["demo", "Ready"]:
                    ready.set()
                    return
        threading.Thread(target=read, daemon=True).start()
        try:
            wait_for("`kubectl get runners -w` to show demo Ready", ready.is_set, timeout=180)
        finally:
            watch.kill()
        assert lines[0].split()[:3] == ["NAME", "PHASE", "READY"], lines

        r = sh(prebuilt(exec_line))
        assert (r.returncode, r.stdout) == (0, "42\n"), r.stdout + r.stderr
    finally:
        # Ctrl-C
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert code == 0, out_path.read_text(errors="replace")[-2000:]
    assert not port_open(6443), "the API server still listens after Ctrl-C; processes holding the socket: " + \
        ", ".join(listeners(6443))
    wait_for("pod processes to end after Ctrl-C", lambda: processes_under(local / "kubelet") == [], timeout=30)
