"""Bad input to `gra-operator run` and `gra-operator local` gets one line on stderr naming what
is wrong and how to fix it, a non-zero exit code, no stack trace and no token."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import tempfile

import pytest
import yaml

from gra_cluster import early, early_result
from gra_deploy_support import local_cluster, needs_kubectl, needs_operator_binary
from gra_operator_support import STACK_TRACE, admin_token, run_binary, write_kubeconfig

pytestmark = needs_operator_binary

SECRET = "sekret-token-do-not-print-7f3a9c"
# Ports 0: nothing of the operator's own listens where another test might.
LOCAL_PORTS = ["--health-probe-bind-address=127.0.0.1:0", "--metrics-bind-address=:0",
               "--bridge-bind-address=127.0.0.1:0", "--bridge-insecure-http"]


def assert_one_clear_line(r: subprocess.CompletedProcess, *needles: str, secret: str | None = None):
    out = (r.stdout + r.stderr).strip()
    assert r.returncode != 0, f"exit code 0 for bad input:\n{out}"
    lines = [l for l in out.splitlines() if l.strip()]
    # `run` prints its configuration line (JSON) before it checks the cluster; the error is the last line.
    errors = [l for l in lines if not l.startswith("{")]
    assert len(errors) == 1, f"expected one error line, got {len(errors)}:\n{out}"
    line = errors[0]
    assert line.startswith("Error: "), line
    for n in needles:
        assert n.lower() in line.lower(), f"{n!r} not in {line!r}"
    assert not STACK_TRACE.search(out), out
    if secret:
        assert secret not in out, "the token was printed"
    return line


@pytest.mark.parametrize("args, needles", [
    (["run", "--bogus"], ["--bogus", "--help"]),
    (["run", "--workers", "-1"], ["--workers -1", "at least 1"]),
    (["run", "--workers=0"], ["--workers 0", "at least 1"]),
    (["run", "--workers", "many"], ["'many'", "--workers"]),
    (["run", "--shutdown-timeout", "-5"], ["--shutdown-timeout -5", "0 or more"]),
    (["run", "--leader-elect-lease-duration", "abc"], ["--leader-elect-lease-duration", "abc", "15s"]),
    (["run", "--leader-elect", "--leader-elect-lease-duration", "5s"], ["--leader-elect-lease-duration 5s", "renew-deadline"]),
    (["run", "--leader-elect", "--leader-elect-retry-period", "0s"], ["--leader-elect-retry-period", "more than 0"]),
    (["run", "--log-level", "loud"], ["'loud'", "debug", "info"]),
    (["run", "--log-format", "xml"], ["'xml'", "json", "logfmt"]),
    (["run", "--metrics-bind-address", "8080"], ["--metrics-bind-address", ":8080"]),
    (["run", "--health-probe-bind-address", ":99999"], ["--health-probe-bind-address", "65535"]),
    (["run", "--bridge-bind-address", "nowhere"], ["--bridge-bind-address", "HOST:PORT"]),
    (["run", "--bridge-default-timeout", "5000"], ["--bridge-default-timeout 5000", "--bridge-max-timeout"]),
    (["local", "--bogus"], ["--bogus", "gra-operator local --help"]),
    (["local", "--port", "-1"], ["--port -1", "65535"]),
    (["local", "--port", "70000"], ["--port 70000"]),
    (["local", "--crds", "/nonexistent/crds"], ["--crds /nonexistent/crds", "manifests/crds"]),
])
def test_bad_flags(args, needles):
    assert_one_clear_line(run_binary(*args, timeout=30), *needles)


def test_help_still_works():
    r = run_binary("run", "--help")
    assert r.returncode == 0 and "--leader-elect-lease-duration" in r.stdout


def test_missing_kubeconfig():
    r = run_binary("run", "--kubeconfig", "/nonexistent/kubeconfig", *LOCAL_PORTS)
    assert_one_clear_line(r, "/nonexistent/kubeconfig", "--kubeconfig")


def test_malformed_kubeconfig(tmp_path):
    bad = tmp_path / "kubeconfig"
    bad.write_text(f"apiVersion: v1\nusers: [{{name: x, user: {{token: {SECRET}}}}}\n")
    r = run_binary("run", "--kubeconfig", str(bad), *LOCAL_PORTS)
    assert_one_clear_line(r, str(bad), secret=SECRET)


def test_port_in_use_names_the_flag(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        kc = write_kubeconfig(tmp_path / "kc", "https://127.0.0.1:1", SECRET)
        r = run_binary("run", "--kubeconfig", str(kc), f"--health-probe-bind-address=127.0.0.1:{port}",
                       "--metrics-bind-address=:0", "--bridge-bind-address=127.0.0.1:0")
        assert_one_clear_line(r, "--health-probe-bind-address", str(port), "in use", secret=SECRET)
        r = run_binary("local", "--port", str(port), "--kubeconfig", str(tmp_path / "local.kc"), "--no-operator",
                       "--no-kubelet")
        assert_one_clear_line(r, "--port", str(port), "in use")


def test_local_without_crds_says_where_they_are(tmp_path):
    # Started outside the checkout: no manifests/crds, so the operator would have nothing to watch.
    r = run_binary("local", "--port", "0", "--kubeconfig", str(tmp_path / "kc"), "--no-kubelet", cwd=tmp_path)
    assert_one_clear_line(r, "CRDs", "--crds")


@early("unreachable")
def unreachable_server_run():
    """`gra-operator run` against a refused port. It takes about 6 s before it gives up
    (the preflight's client retries the refused connection for its 2 s connect timeout, three
    times), all of it waiting, so tests/conftest.py starts it right after collection."""
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        kc = write_kubeconfig(pathlib.Path(tmp) / "kc", f"https://127.0.0.1:{port}", SECRET)
        return port, run_binary("run", "--kubeconfig", str(kc), *LOCAL_PORTS, timeout=60)


@pytest.fixture
def unreachable():
    return early_result(unreachable_server_run)


def test_unreachable_server(unreachable):
    port, r = unreachable
    assert_one_clear_line(r, f"127.0.0.1:{port}", "cannot reach", "connection refused", secret=SECRET)


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(kubelet=False) as c:
        yield c


@needs_kubectl
def test_context_that_does_not_exist(cluster):
    r = run_binary("run", "--kubeconfig", str(cluster.kubeconfig), "--context", "no-such-context", *LOCAL_PORTS)
    assert_one_clear_line(r, "no-such-context", "get-contexts", secret=admin_token(cluster))


@needs_kubectl
def test_token_the_server_rejects(cluster, tmp_path):
    kc = write_kubeconfig(tmp_path / "kc", cluster.server, SECRET, extra=None)
    cfg = yaml.safe_load(kc.read_text())
    ca = yaml.safe_load(cluster.kubeconfig.read_text())["clusters"][0]["cluster"]
    cfg["clusters"][0]["cluster"] = ca
    kc.write_text(yaml.safe_dump(cfg))
    r = run_binary("run", "--kubeconfig", str(kc), *LOCAL_PORTS)
    assert_one_clear_line(r, "401", "token", secret=SECRET)


@needs_kubectl
@pytest.mark.parametrize("namespaced", [False, True])
def test_user_without_rbac(cluster, tmp_path, namespaced):
    cluster.kubectl("create", "serviceaccount", "nobody", "-n", "default", check=False)
    token = cluster.kubectl("create", "token", "nobody", "-n", "default").stdout.strip()
    cfg = yaml.safe_load(cluster.kubeconfig.read_text())
    cfg["users"][0]["user"] = {"token": token}
    kc = tmp_path / "kc"
    kc.write_text(yaml.safe_dump(cfg))
    extra = ["--namespace", "default"] if namespaced else []
    r = run_binary("run", "--kubeconfig", str(kc), *LOCAL_PORTS, *extra)
    line = assert_one_clear_line(r, "403", "not allowed to list", "system:serviceaccount:default:nobody", secret=token)
    assert ("namespace default" in line) == namespaced, line


@needs_kubectl
def test_lease_namespace_that_does_not_exist(cluster):
    r = run_binary("run", "--kubeconfig", str(cluster.kubeconfig), *LOCAL_PORTS, "--leader-elect",
                   "--leader-election-namespace", "no-such-ns")
    assert_one_clear_line(r, "no-such-ns", "kubectl create namespace", secret=admin_token(cluster))
