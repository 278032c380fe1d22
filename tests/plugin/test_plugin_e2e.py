"""`kubectl gra` end to end: the built binary against `gra-operator local` (the local API
server with the gra CRDs), asserting what a user sees: output, errors and exit codes."""

import json
import os
import pathlib
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "debug"
OPERATOR = BIN / "gra-operator"
PLUGIN = BIN / "kubectl-gra"

pytestmark = pytest.mark.skipif(
    not (OPERATOR.exists() and PLUGIN.exists()), reason="build first: swift build (make test does)")


@pytest.fixture(scope="module")
def cluster():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gra-plugin-"))
    kubeconfig = tmp / "kubeconfig"
    proc = subprocess.Popen(
        [str(OPERATOR), "local", "--port", "0", "--no-kubelet", "--kubeconfig", str(kubeconfig),
         "--crds", str(ROOT / "manifests" / "crds")],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while not kubeconfig.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert kubeconfig.exists(), "gra-operator local did not write its kubeconfig"
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), HOME=str(tmp))
    # exec goes through the exec bridge, which the API server serves once its APIService is up.
    deadline = time.time() + 60
    while time.time() < deadline:
        r = subprocess.run(["kubectl", "get", "--raw", "/apis/exec.gra.dev/v1alpha1"], env=env, capture_output=True)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    yield env
    proc.terminate()
    proc.wait(timeout=20)


def gra(env, *args, stdin=None):
    return subprocess.run([str(PLUGIN), *args], env=env, capture_output=True, text=True, input=stdin, timeout=60)


def test_create_list_get_suspend_resume_delete(cluster):
    r = gra(cluster, "create", "demo", "--cpu", "500m", "--memory", "1Gi")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/demo created\n"), r.stderr

    r = gra(cluster, "list")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "PHASE", "READY", "IDLE", "AGE"]
    assert lines[1].split()[0] == "demo"

    r = gra(cluster, "get", "demo", "-o", "json")
    obj = json.loads(r.stdout)
    assert obj["kind"] == "Runner" and obj["spec"]["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}

    assert gra(cluster, "list", "-o", "name").stdout == "runner.gra.dev/demo\n"

    r = gra(cluster, "suspend", "demo")
    assert r.stdout == "runner.gra.dev/demo suspended\n"
    assert json.loads(gra(cluster, "get", "demo", "-o", "json").stdout)["spec"]["suspend"] is True
    r = gra(cluster, "exec", "demo", "--", "true")
    assert r.returncode == 1 and "suspended" in r.stderr and "kubectl gra resume demo" in r.stderr, r.stderr
    assert gra(cluster, "resume", "demo").returncode == 0

    r = gra(cluster, "delete", "demo", "--wait", "--timeout", "20s")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/demo deleted\n"), r.stderr
    assert gra(cluster, "get", "demo").returncode == 3


def test_errors_are_one_line_with_meaningful_exit_codes(cluster):
    r = gra(cluster, "get", "missing")
    assert r.returncode == 3
    assert r.stderr == 'error: runner "missing" not found in namespace "default"\n'

    r = gra(cluster, "get", "missing", "-o", "json")
    assert r.returncode == 3
    assert json.loads(r.stdout) == {"error": {"reason": "NotFound", "exitCode": 3,
                                              "message": 'runner "missing" not found in namespace "default"'}}

    r = gra(cluster, "create", "x", "--cpu", "lots")
    assert r.returncode == 2 and r.stderr.startswith('error: --cpu "lots": not a quantity')

    r = gra(cluster, "create", "Bad_Name")
    assert r.returncode == 2 and "metadata.name" in r.stderr

    r = gra(cluster, "list", "--no-such-flag")
    assert r.returncode == 2 and "no-such-flag" in r.stderr

    r = gra(cluster, "exec", "missing")
    assert r.returncode == 2 and "give the command after --" in r.stderr

    r = gra(cluster, "python", "missing", "-c", "print(1)", "-m", "json")
    assert r.returncode == 2 and "exactly one of -c CODE, -m MODULE or a FILE.py" in r.stderr


def test_dry_run_client_prints_the_object_and_creates_nothing(cluster):
    r = gra(cluster, "create", "preview", "--gpus", "1", "--dry-run=client", "-o", "yaml")
    assert r.returncode == 0
    assert "kind: Runner" in r.stdout and "nvidia.com/gpu" in r.stdout
    assert gra(cluster, "get", "preview").returncode == 3
