"""`kubectl gra` end to end: the built binary against `gra-operator local` (the local API
server with the gra CRDs), asserting what a user sees: output, errors and exit codes."""

import json
import subprocess

import pytest

from gra_cluster import PLUGIN, local_cluster, run_built, needs_binaries, needs_kubectl

pytestmark = [needs_binaries, needs_kubectl]


@pytest.fixture(scope="module")
def cluster():
    """The API server, the operator and the exec bridge; no kubelet (pods stay Pending)."""
    with local_cluster(kubelet=False, operator=True, prefix="gra-plugin-") as c:
        yield c.env


def gra(env, *args, stdin=None):
    return run_built([str(PLUGIN), *args], env=env, capture_output=True, text=True, input=stdin, timeout=60)


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
