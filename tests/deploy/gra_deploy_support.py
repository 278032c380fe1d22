"""Helpers for the deploy tests: a fresh local cluster (`gra-operator local --no-operator`, the
local API server and kubelet, no operator), kubectl against it, and the chart rendered by
Helm's own library."""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "debug"
OPERATOR = BIN / "gra-operator"
CHART = ROOT / "charts" / "gra-operator"

needs_operator_binary = pytest.mark.skipif(
    not OPERATOR.exists(), reason="build first: swift build (make test does)")
needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def wait_for(what: str, check, timeout: float = 60.0, interval: float = 0.2):
    """Polls `check` until it returns something truthy; fails with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A running `gra-operator local` and a kubectl pointed at it."""

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
        import json
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def log(self) -> str:
        p = self.dir / "local.log"
        return p.read_text(errors="replace") if p.exists() else ""


@contextlib.contextmanager
def local_cluster(kubelet: bool = True):
    """Starts `gra-operator local --no-operator` on a free port in a temporary directory."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="gra-deploy-"))
    args = [str(OPERATOR), "local", "--port", "0", "--no-operator", "--kubeconfig", str(directory / "kubeconfig"),
            "--data-dir", str(directory / "kubelet"), "--crds", str(ROOT / "manifests" / "crds")]
    if not kubelet:
        args.append("--no-kubelet")
    log = open(directory / "local.log", "wb")
    proc = None
    try:
        # From the checkout, so the local kubelet finds images/runner (the runner image's scripts).
        proc = start_process(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for("gra-operator local to write its kubeconfig",
                 lambda: (directory / "kubeconfig").exists() or proc.poll() is not None, timeout=60)
        if proc.poll() is not None:
            pytest.fail("gra-operator local exited:\n" + (directory / "local.log").read_text())
        yield Cluster(directory, proc)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def start_process(args, **kwargs) -> subprocess.Popen:
    """Popen, retried while the binary is being written (ETXTBSY: a build in this checkout is
    linking it right now)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            return subprocess.Popen(args, **kwargs)
        except OSError as e:
            if e.errno != errno.ETXTBSY or time.monotonic() > deadline:
                raise
            time.sleep(1)


def render_chart(values: dict | None = None, name: str = "gra", namespace: str = "gra-system") -> list[dict]:
    """The chart's templates as Helm renders them for `helm install NAME -n NAMESPACE` (no crds/)."""
    helm = pytest.importorskip("helm_python", reason="pip install helm-python-sdk (CI does)")
    chart = helm.Chart.load(str(CHART))
    out = chart.render(values or {}, name=name, namespace=namespace, is_install=True)
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def to_yaml(docs: list[dict]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def kustomize(variant: str = "") -> list[dict]:
    """`kubectl kustomize manifests/` (or manifests/VARIANT)."""
    r = subprocess.run(["kubectl", "kustomize", str(ROOT / "manifests" / variant)], capture_output=True, text=True,
                       check=True)
    return [d for d in yaml.safe_load_all(r.stdout) if d]
