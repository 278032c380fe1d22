"""The one launcher of `gra-operator local` for every test directory: a local API server on a
free port in a temporary directory, optionally with the local kubelet, the operator and the
exec bridge, and users from a token file; kubectl and per-user kubeconfigs against it.

Starting one takes about 0.2 s (measured: kubeconfig written after 0.07 s, the exec bridge served
through the API server after 0.18 s), so each test module gets a fresh cluster of its own and
tests never see each other's objects; the time of the suites goes to what the tests wait for,
not to start-ups.

`tests/conftest.py` puts this directory on sys.path, so test modules import it as `gra_cluster`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = ROOT / ".build" / "debug"
OPERATOR = BIN / "gra-operator"
PLUGIN = BIN / "kubectl-gra"
CRDS = ROOT / "manifests" / "crds"

needs_operator_binary = pytest.mark.skipif(
    not OPERATOR.exists(), reason="build first: swift build (make test does)")
needs_binaries = pytest.mark.skipif(
    not (OPERATOR.exists() and PLUGIN.exists()), reason="build first: swift build (make test does)")
needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")

BANNER_END = "Press Ctrl-C to stop."


SESSION_OVER = threading.Event()
"""Set when the test session ends (tests/conftest.py): scenarios still running in the background
stop waiting, so they stop their processes at once (a run stopped with Ctrl-C or -x)."""


def sleep(seconds: float) -> None:
    """time.sleep that fails the caller when the session is over."""
    if SESSION_OVER.wait(seconds):
        pytest.fail("the test session ended")


def wait_for(what: str, check, timeout: float = 60.0, interval: float = 0.1):
    """Polls `check` until it returns something truthy; fails with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            break
        sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def wait_operator_ready(proc: subprocess.Popen, health_port: int, log, timeout: float = 60.0) -> None:
    """Waits until a `gra-operator run` answers /readyz on `health_port`; fails with its log
    (`log()` gives the text) if it exits first."""
    def ready():
        if proc.poll() is not None:
            pytest.fail("gra-operator run exited:\n" + log())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{health_port}/readyz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    wait_for("the operator's /readyz", ready, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _while_linking(launch):
    """Calls `launch`, retried while the binary is being written (ETXTBSY: a build in this
    checkout is linking it right now), for up to two minutes."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return launch()
        except OSError as e:
            if e.errno != errno.ETXTBSY or time.monotonic() > deadline:
                raise
            time.sleep(1)


def start_process(args, **kwargs) -> subprocess.Popen:
    """Popen of a built binary, retried while a build is linking it."""
    return _while_linking(lambda: subprocess.Popen(args, **kwargs))


def run_built(args, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run of a built binary, retried while a build is linking it."""
    return _while_linking(lambda: subprocess.run(args, **kwargs))


def stop_process(proc: subprocess.Popen, signal_first=None, timeout: float = 30) -> None:
    """SIGTERM (or `signal_first`), then SIGKILL after `timeout` seconds."""
    if proc.poll() is None:
        if signal_first is None:
            proc.terminate()
        else:
            proc.send_signal(signal_first)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Cluster:
    """A running `gra-operator local` and a kubectl pointed at it as its admin."""

    def __init__(self, directory: pathlib.Path, proc: subprocess.Popen):
        self.dir = directory
        self.proc = proc
        self.kubeconfig = directory / "kubeconfig"
        self.env = dict(os.environ, KUBECONFIG=str(self.kubeconfig), HOME=str(directory))
        config = yaml.safe_load(self.kubeconfig.read_text())
        self.server = config["clusters"][0]["cluster"]["server"]
        parsed = urllib.parse.urlsplit(self.server)
        self.host, self.port = parsed.hostname, parsed.port

    def kubectl(self, *args, stdin: str | None = None, check: bool = True, timeout: float = 60):
        r = subprocess.run(["kubectl", *args], env=self.env, input=stdin, capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            pytest.fail(f"kubectl {' '.join(args)} failed ({r.returncode}):\n{r.stderr}\n{r.stdout}")
        return r

    def get_json(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def apply(self, obj: dict):
        return self.kubectl("apply", "-f", "-", stdin=json.dumps(obj))

    def log(self) -> str:
        p = self.dir / "local.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def user_kubeconfig(self, user: str, token: str) -> pathlib.Path:
        """A copy of the admin kubeconfig that authenticates with `token` instead."""
        config = yaml.safe_load(self.kubeconfig.read_text())
        config["users"][0]["user"] = {"token": token}
        path = self.dir / f"{user}.kubeconfig"
        path.write_text(yaml.safe_dump(config))
        return path

    def serves_exec_bridge(self) -> bool:
        return self.kubectl("get", "--raw", "/apis/exec.gra.dev/v1alpha1", check=False).returncode == 0


@contextlib.contextmanager
def local_cluster(kubelet: bool = True, operator: bool = False, bridge: bool = True, tokens: str | None = None,
                  cwd: pathlib.Path = ROOT, prefix: str = "gra-test-"):
    """Starts `gra-operator local` on a free port in a temporary directory and yields a
    ``Cluster`` once it has printed its banner (everything it runs is started) and, with the
    operator and the bridge, once the API server serves the aggregated exec.gra.dev group.

    kubelet: run pods as local processes; operator: run the gra controllers in the process
    (`--no-operator` otherwise); bridge: with the operator, serve runners/exec; tokens: the
    text of a kube-apiserver token file (token,user,uid,"groups" lines). Started from the
    checkout by default, so the local kubelet finds images/runner (the runner image's scripts).
    """
    directory = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    args = [str(OPERATOR), "local", "--port", "0", "--kubeconfig", str(directory / "kubeconfig"),
            "--data-dir", str(directory / "kubelet"), "--crds", str(CRDS)]
    if not kubelet:
        args.append("--no-kubelet")
    if not operator:
        args.append("--no-operator")
    elif not bridge:
        args.append("--no-bridge")
    if tokens is not None:
        (directory / "tokens.csv").write_text(tokens)
        args += ["--token-file", str(directory / "tokens.csv")]
    log_path = directory / "local.log"
    log = open(log_path, "wb")
    proc = None
    try:
        proc = start_process(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        wait_for("gra-operator local to print its banner",
                 lambda: BANNER_END in log_path.read_text(errors="replace") or proc.poll() is not None,
                 timeout=60, interval=0.05)
        if proc.poll() is not None:
            pytest.fail("gra-operator local exited:\n" + log_path.read_text(errors="replace"))
        cluster = Cluster(directory, proc)
        if operator and bridge:
            wait_for("the exec bridge to be served through the API server", cluster.serves_exec_bridge,
                     timeout=60, interval=0.1)
        yield cluster
    finally:
        if proc is not None:
            stop_process(proc)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


class Background:
    """Runs `fn()` in a thread; `result()` waits for it and returns its value or raises what it
    raised (pytest.fail included), so a scenario that only waits can overlap other work and
    still fail the tests that read it."""

    def __init__(self, fn, name: str = "scenario"):
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn,), name=name, daemon=True)
        self._thread.start()

    def _run(self, fn):
        try:
            self._value = fn()
        except BaseException as e:  # pytest.fail raises an exception outside Exception
            self._error = e

    def result(self, timeout: float | None = None):
        self._thread.join(timeout)
        if self._thread.is_alive():
            pytest.fail(f"{self._thread.name} did not finish within {timeout}s")
        if self._error is not None:
            raise self._error
        return self._value


_early_scenarios: dict[tuple[str, str], object] = {}
_early_started: dict[tuple[str, str], Background] = {}


def early(fixture: str):
    """Registers a module-level scenario function (no arguments; it starts and stops everything
    it uses and returns what the tests check) to be started in the background as soon as the
    session has collected a test of its module that uses `fixture` and is not skipped. That
    fixture gets the outcome with `early_result(fn)`, which runs the scenario then when it was
    not started early (under pytest-xdist, or with GRA_TESTS_NO_EARLY=1)."""
    def register(fn):
        fn.early_key = (fn.__module__, fixture)
        _early_scenarios[fn.early_key] = fn
        return fn
    return register


def _skipped(item) -> bool:
    if item.get_closest_marker("skip"):
        return True
    return any(m.args and m.args[0] is True for m in item.iter_markers("skipif"))


def start_early(items) -> None:
    wanted = {(item.module.__name__, name) for item in items if getattr(item, "module", None) and not _skipped(item)
              for name in getattr(item, "fixturenames", ())}
    for key, fn in _early_scenarios.items():
        if key in wanted and key not in _early_started:
            _early_started[key] = Background(fn, name=".".join(key))


def early_result(fn):
    """The outcome of an @early scenario; it runs (once per session) when first asked for if it
    was not started early."""
    started = _early_started.get(fn.early_key)
    if started is None:
        started = _early_started[fn.early_key] = Background(fn, name=".".join(fn.early_key))
    return started.result(timeout=900)


def join_early() -> None:
    """Waits for every scenario started early, and for the Backgrounds a scenario returned
    (a dict of them), so no cluster outlives the session; the ones still waiting stop."""
    SESSION_OVER.set()
    pending = list(_early_started.values())
    while pending:
        started = pending.pop()
        try:
            value = started.result(timeout=900)
        except BaseException:
            continue  # reported by the tests that read it
        if isinstance(value, dict):
            pending += [v for v in value.values() if isinstance(v, Background)]
