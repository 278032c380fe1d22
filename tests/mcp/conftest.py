"""A local cluster (`gra-operator local`: API server, kubelet, operator and exec bridge) with two
users from a token file, bound to the Roles that docs/agents.md documents:

- alice: the `gra-agent` Role (runners, runners/exec, tracerjobs, pods/log);
- mallory: the `gra-observer` Role (reads runners and tracer jobs; no runners/exec);
- bob: `gra-agent` with runners/exec in group gra.dev only (not the aggregated exec.gra.dev).

Each user gets a kubeconfig of their own, so the MCP server runs with exactly their identity."""

import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import pytest
import yaml

from mcp_support import NAMESPACE, OPERATOR, PLUGIN, ROOT, documented_roles, kubectl


@pytest.fixture(scope="session")
def cluster():
    if not (OPERATOR.exists() and PLUGIN.exists()):
        pytest.skip("build first: swift build (make test does)")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gra-mcp-"))
    tokens = tmp / "tokens.csv"
    tokens.write_text('alice-token,alice,uid-alice,"agents"\nmallory-token,mallory,uid-mallory,"observers"\n'
                      'bob-token,bob,uid-bob,"agents"\n')
    admin_kubeconfig = tmp / "admin.kubeconfig"
    log = open(tmp / "local.log", "w")
    # Started from the repository so the local kubelet finds images/runner (the runner image's scripts).
    proc = subprocess.Popen(
        [str(OPERATOR), "local", "--port", "0", "--kubeconfig", str(admin_kubeconfig),
         "--crds", str(ROOT / "manifests" / "crds"), "--data-dir", str(tmp / "kubelet"), "--token-file", str(tokens)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not admin_kubeconfig.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert admin_kubeconfig.exists(), f"gra-operator local did not start: {(tmp / 'local.log').read_text()[-2000:]}"
    admin = dict(os.environ, KUBECONFIG=str(admin_kubeconfig), HOME=str(tmp))

    roles = documented_roles()
    for role, user in (("gra-agent", "alice"), ("gra-observer", "mallory")):
        manifest = dict(roles[role])
        manifest["metadata"] = dict(manifest["metadata"], namespace=NAMESPACE)
        kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump(manifest))
        kubectl(admin, "create", "rolebinding", f"{user}-{role}", f"--role={role}", f"--user={user}", "-n", NAMESPACE)

    # bob may exec in group gra.dev only, not in the aggregated group exec.gra.dev.
    gra_dev_only = dict(roles["gra-agent"])
    gra_dev_only["metadata"] = {"name": "gra-dev-exec-only", "namespace": NAMESPACE}
    gra_dev_only["rules"] = [dict(r, apiGroups=["gra.dev"]) if "runners/exec" in r["resources"] else r
                             for r in gra_dev_only["rules"]]
    kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump(gra_dev_only))
    kubectl(admin, "create", "rolebinding", "bob-gra-dev-exec-only", "--role=gra-dev-exec-only", "--user=bob", "-n", NAMESPACE)

    config = yaml.safe_load(admin_kubeconfig.read_text())
    users = {}
    for user in ("alice", "mallory", "bob"):
        c = yaml.safe_load(yaml.safe_dump(config))
        c["users"][0]["user"] = {"token": f"{user}-token"}
        path = tmp / f"{user}.kubeconfig"
        path.write_text(yaml.safe_dump(c))
        users[user] = path

    # The exec bridge is served through the API server once its APIService is available.
    deadline = time.time() + 60
    while True:
        r = subprocess.run(["kubectl", "get", "--raw", "/apis/exec.gra.dev/v1alpha1"], env=admin, capture_output=True, text=True)
        if r.returncode == 0 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert r.returncode == 0, f"the exec bridge was not served within 60s: {r.stderr}"

    yield {"admin": admin, "users": users, "tmp": tmp}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
