"""The operator runs under the chart's ServiceAccount and nothing else, and that is enough.

The chart is rendered by Helm's library and applied to the local API server; the operator
(`gra-operator run`, with the arguments and environment of the rendered Deployment) gets a
kubeconfig holding a TokenRequest token of the chart's ServiceAccount and talks to the API
server through a recording proxy. A user whose only right is the built-in `edit` role (which
gra's aggregated `gra-edit` extends) creates a Runner, execs in it through the bridge and runs
a TracerJob. Then:

- nothing the operator asked for was refused (no 403 anywhere, no `forbidden` in its logs);
- every (verb, resource) the RBAC grants was used, except a short list of grants that the
  scenario cannot reach, each with its reason;
- every pod the operator created passes the `restricted` Pod Security Standard.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request

import pytest
import yaml

from gra_deploy_support import (OPERATOR, free_port, kustomize, local_cluster, start_process, needs_kubectl, needs_operator_binary, render_chart, to_yaml,
                      wait_for)
from gra_api_recorder import Attributes, RecordingProxy
from gra_cluster import Background, early, early_result, wait_operator_ready
from gra_pss import restricted_violations

pytestmark = [needs_operator_binary, needs_kubectl]

RELEASE, NAMESPACE, USER_NS = "gra", "gra-system", "gra-runners"  # the namespaced kustomize variant watches gra-runners

# Grants the scenario cannot exercise, and why they stay.
UNEXERCISED = {
    # WebSocket exec was authorized as `get` on pods/exec before Kubernetes 1.30 (KEP-4006); the
    # chart supports 1.23+.
    ("get", "", "pods/exec"),
    # blockOwnerDeletion needs these where the OwnerReferencesPermissionEnforcement admission
    # plugin is on; the local API server does not run it.
    ("update", "gra.dev", "runners/finalizers"),
    ("update", "gra.dev", "tracerjobs/finalizers"),
    # Read-after-miss paths: a TracerJob pod not in the informer's cache yet; a claim whose
    # create raced with another.
    ("get", "", "pods"),
    ("get", "", "persistentvolumeclaims"),
    # An Event repeated within 6 minutes patches its series count (here only when a warning repeats).
    ("patch", "", "events"),
    # The exec bridge's lastActivityTime patch (best effort, after the exec's output).
    ("patch", "gra.dev", "runners/status"),
}

# What the built-in roles the chart binds grant (kube-apiserver's bootstrap policy).
BUILTIN_ROLES = {
    ("ClusterRole", "system:auth-delegator"): {("create", "authentication.k8s.io", "tokenreviews"),
                                              ("create", "authorization.k8s.io", "subjectaccessreviews")},
    ("Role", "extension-apiserver-authentication-reader"): {("get", "", "configmaps"), ("list", "", "configmaps"),
                                                            ("watch", "", "configmaps")},
}
# Grants of the built-in roles that gra does not need all of.
BUILTIN_UNUSED_OK = {("list", "", "configmaps"), ("watch", "", "configmaps")}


def grants(docs: list[dict], sa: str, namespace: str) -> set[tuple[str, str, str]]:
    """(verb, group, resource[/sub]) granted to the ServiceAccount by the rendered roles, in any scope."""
    roles = {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d for d in docs
             if d["kind"] in ("Role", "ClusterRole")}
    out = set()
    for b in docs:
        if b["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        if not any(s.get("kind") == "ServiceAccount" and s["name"] == sa and s.get("namespace") == namespace
                   for s in b.get("subjects", [])):
            continue
        ref = b["roleRef"]
        key = (ref["kind"], b["metadata"].get("namespace", "") if ref["kind"] == "Role" else "", ref["name"])
        role = roles.get(key)
        if role is None:
            out |= BUILTIN_ROLES.get((ref["kind"], ref["name"]), set())
            continue
        for rule in role.get("rules", []):
            for g in rule.get("apiGroups", []):
                for r in rule.get("resources", []):
                    for v in rule.get("verbs", []):
                        out.add((v, g, r))
    return out


def used(requests) -> set[tuple[str, str, str]]:
    out = set()
    for r in requests:
        a: Attributes = r.attributes()
        if not a.non_resource_url:
            out.add((a.verb, a.group, a.resource_path))
    return out


def bridge_exec(port: int, token: str, namespace: str, name: str, command: list[str]):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/apis/exec.gra.dev/v1alpha1/namespaces/{namespace}/runners/{name}/exec",
        data=json.dumps({"command": command}).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]
    except urllib.error.HTTPError as e:
        return e.code, [json.loads(e.read().decode() or "{}")]


def operator_command(deployment: dict, kubeconfig: pathlib.Path, ports: dict) -> tuple[list[str], dict]:
    """The Deployment's container args and env, with loopback ports and the test's kubeconfig."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    args = []
    for a in container["args"]:
        if a.startswith("--metrics-bind-address="):
            a = f"--metrics-bind-address=127.0.0.1:{ports['metrics']}"
        elif a.startswith("--health-probe-bind-address="):
            a = f"--health-probe-bind-address=127.0.0.1:{ports['health']}"
        args.append(a)
    # The bridge's certificate comes from a Secret in a cluster; here it speaks plain HTTP.
    args += [f"--kubeconfig={kubeconfig}", f"--bridge-bind-address=127.0.0.1:{ports['bridge']}",
             "--bridge-insecure-http", "--log-level=debug"]
    env = dict(os.environ)
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
    env["POD_NAME"] = "gra-operator-test"
    env["POD_NAMESPACE"] = NAMESPACE
    return [str(OPERATOR), *args], env


def edge_runner(c, alice: str, result: dict):
    """A Runner that goes through every object the operator writes: ssh (keys Secret and
    Service), egress Deny then Public then Allow (NetworkPolicy created, updated, deleted),
    reclaimPolicy Retain (finalizer; the claim is released on delete). Its image cannot be
    pulled, so no sshd ever runs; the objects around the pod are what is checked."""
    def runner_patch(spec: dict):
        c.kubectl(f"--token={alice}", "patch", "runner", "edge", "-n", USER_NS, "--type=merge",
                  "-p", json.dumps({"spec": spec}))

    def obj(kind, name):
        r = c.kubectl("get", kind, name, "-n", USER_NS, "-o", "json", check=False)
        return json.loads(r.stdout) if r.returncode == 0 else None

    runner = {"apiVersion": "gra.dev/v1alpha1", "kind": "Runner", "metadata": {"name": "edge", "namespace": USER_NS},
              "spec": {"image": "registry.invalid/not-pulled:1", "network": {"egress": "Deny"},
                       "workspace": {"reclaimPolicy": "Retain"},
                       "ssh": {"enabled": True, "authorizedKeys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGra one@gra"]}}}
    c.kubectl(f"--token={alice}", "apply", "-f", "-", stdin=json.dumps(runner))
    wait_for("edge's keys Secret, ssh Service, NetworkPolicy and finalizer", lambda: all([
        c.kubectl("get", "secrets", "-n", USER_NS, "-l", "gra.dev/runner=edge", "-o", "name", check=False).stdout.strip(),
        c.kubectl("get", "services", "-n", USER_NS, "-l", "gra.dev/runner=edge", "-o", "name", check=False).stdout.strip(),
        c.kubectl("get", "networkpolicies", "-n", USER_NS, "-o", "name", check=False).stdout.count("edge"),
        (obj("runner", "edge") or {}).get("metadata", {}).get("finalizers"),
    ]), timeout=60)
    # The egress policy deleted, then edited, by hand comes back as the Runner has it.
    c.kubectl("delete", "networkpolicy", "edge-egress", "-n", USER_NS)
    wait_for("edge's deleted NetworkPolicy to be made again", lambda: obj("networkpolicy", "edge-egress"), timeout=60)
    c.kubectl("patch", "networkpolicy", "edge-egress", "-n", USER_NS, "--type=merge",
              "-p", json.dumps({"spec": {"egress": []}}))
    wait_for("edge's edited NetworkPolicy to be restored", lambda: (
        (obj("networkpolicy", "edge-egress") or {}).get("spec", {}).get("egress")), timeout=60)
    before = obj("secret", "edge-ssh-keys")
    assert before, "no Secret edge-ssh-keys for ssh.authorizedKeys"
    runner_patch({"ssh": {"authorizedKeys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGra two@gra"],
                          "serviceType": "NodePort"}, "network": {"egress": "Public"}})

    def changed():
        s = obj("secret", "edge-ssh-keys")
        svc = json.loads(c.kubectl("get", "services", "-n", USER_NS, "-l", "gra.dev/runner=edge", "-o", "json").stdout)
        return s and s.get("data") != before.get("data") and svc["items"] and svc["items"][0]["spec"]["type"] == "NodePort"
    wait_for("edge's keys Secret and Service type to follow the spec", changed, timeout=60)
    runner_patch({"ssh": {"enabled": False}, "network": {"egress": "Allow"}})
    wait_for("edge's Service and NetworkPolicy to be deleted", lambda: not c.kubectl(
        "get", "services,networkpolicies", "-n", USER_NS, "-l", "gra.dev/runner=edge", "-o", "name").stdout.strip()
        and "edge" not in c.kubectl("get", "networkpolicies", "-n", USER_NS, "-o", "name").stdout, timeout=60)
    pod = obj("pod", "edge")
    if pod:
        result["pods"].append(pod)
    c.kubectl(f"--token={alice}", "delete", "runner", "edge", "-n", USER_NS, "--timeout=60s")
    claims = json.loads(c.kubectl("get", "pvc", "-n", USER_NS, "-o", "json").stdout)["items"]
    result["retained_claims"] = [p for p in claims if "edge" in p["metadata"]["name"]]


INSTALLS = {
    "chart": lambda: render_chart({"replicas": 1}, name=RELEASE, namespace=NAMESPACE),
    "chart-namespaced": lambda: render_chart({"replicas": 1, "watchNamespaces": [USER_NS]}, name=RELEASE,
                                             namespace=NAMESPACE),
    "kustomize": lambda: kustomize(),
    "kustomize-namespaced": lambda: kustomize("namespaced"),
}


def scenario(install: str) -> dict:
    """The whole scenario for one way of installing, on a cluster of its own; the tests below
    check what it recorded. chart and kustomize: cluster-wide rights (a ClusterRole). The
    namespaced variants: a Role in gra-runners only and the operator started with
    `--namespace=gra-runners`."""
    docs = INSTALLS[install]()
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    sa = deployment["spec"]["template"]["spec"]["serviceAccountName"]
    with local_cluster(kubelet=True) as c:
        for ns in (NAMESPACE, USER_NS):
            if c.kubectl("get", "namespace", ns, check=False).returncode != 0:
                c.kubectl("create", "namespace", ns)
        c.kubectl("apply", "-f", "-", stdin=to_yaml(docs))

        # The operator's credentials: a TokenRequest token of the chart's ServiceAccount only.
        token = c.kubectl("create", "token", sa, "-n", NAMESPACE, "--duration=2h").stdout.strip()
        proxy = RecordingProxy(c.host, c.port)
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="gra-lp-"))
        kubeconfig = tmp / "operator.kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "sa",
            "clusters": [{"name": "local", "cluster": {"server": proxy.url}}],
            "users": [{"name": sa, "user": {"token": token}}],
            "contexts": [{"name": "sa", "context": {"cluster": "local", "user": sa}}],
        }))
        ports = {"metrics": free_port(), "health": free_port(), "bridge": free_port()}
        argv, env = operator_command(deployment, kubeconfig, ports)
        log_path = tmp / "operator.log"
        with open(log_path, "wb") as log:
            op = start_process(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
        result = {"mode": install, "cluster": c, "proxy": proxy, "docs": docs, "sa": sa, "log": log_path, "pods": [], "ports": ports}
        try:
            wait_operator_ready(op, ports["health"], log_path.read_text)

            # Users: alice may edit team-a (built-in `edit`, extended by gra-edit); bob may only view.
            c.kubectl("create", "serviceaccount", "alice", "-n", USER_NS)
            c.kubectl("create", "serviceaccount", "bob", "-n", USER_NS)
            c.kubectl("create", "rolebinding", "alice-edit", "--clusterrole=edit", f"--serviceaccount={USER_NS}:alice",
                      "-n", USER_NS)
            c.kubectl("create", "rolebinding", "bob-view", "--clusterrole=view", f"--serviceaccount={USER_NS}:bob",
                      "-n", USER_NS)
            alice = c.kubectl("create", "token", "alice", "-n", USER_NS).stdout.strip()
            bob = c.kubectl("create", "token", "bob", "-n", USER_NS).stdout.strip()
            result["bob"] = bob
            result["alice"] = alice

            # A Secret the Runner names (the operator checks it exists) and egress Deny (a
            # NetworkPolicy). No ssh: the local kubelet shares the host's network, where port
            # 2222 may be taken.
            c.kubectl(f"--token={alice}", "create", "secret", "generic", "demo-env", "--from-literal=GREETING=hi",
                      "-n", USER_NS)
            runner = {"apiVersion": "gra.dev/v1alpha1", "kind": "Runner",
                      "metadata": {"name": "demo", "namespace": USER_NS},
                      "spec": {"network": {"egress": "Deny"}, "envFrom": [{"secretRef": {"name": "demo-env"}}]}}
            c.kubectl(f"--token={alice}", "apply", "-f", "-", stdin=json.dumps(runner))

            def runner_ready():
                r = c.get_json("runner", "demo", "-n", USER_NS)
                return r if r.get("status", {}).get("phase") == "Ready" else None
            result["runner"] = wait_for("Runner demo to be Ready", runner_ready, timeout=120)
            result["pods"].append(c.get_json("pod", result["runner"]["status"]["podName"], "-n", USER_NS))
            result["managers"] = {
                kind: [(m.get("manager"), m.get("subresource"))
                       for m in c.get_json(kind, name, "-n", USER_NS, "--show-managed-fields")["metadata"].get("managedFields", [])]
                for kind, name in (("runner", "demo"), ("pod", result["runner"]["status"]["podName"]))}
            result["netpols"] = c.get_json("networkpolicies", "-n", USER_NS)["items"]

            result["exec"] = bridge_exec(ports["bridge"], alice, USER_NS, "demo", ["python3", "-c", "print(6*7)"])
            result["exec_denied"] = bridge_exec(ports["bridge"], bob, USER_NS, "demo", ["true"])

            job = {"apiVersion": "gra.dev/v1alpha1", "kind": "TracerJob",
                   "metadata": {"name": "hello", "namespace": USER_NS},
                   "spec": {"command": ["python3", "-c", "print('traced')"], "ttlSecondsAfterFinished": 3}}
            c.kubectl(f"--token={alice}", "apply", "-f", "-", stdin=json.dumps(job))

            def job_done():
                j = c.get_json("tracerjob", "hello", "-n", USER_NS)
                pod = j.get("status", {}).get("podName")
                if pod and not any(p["metadata"]["name"] == pod for p in result["pods"]):
                    got = c.kubectl("get", "pod", pod, "-n", USER_NS, "-o", "json", check=False)
                    if got.returncode == 0:
                        result["pods"].append(json.loads(got.stdout))
                return j if j.get("status", {}).get("phase") in ("Succeeded", "Failed") else None
            result["job"] = wait_for("TracerJob hello to finish", job_done, timeout=120)
            # ttlSecondsAfterFinished: the operator deletes the finished job.
            wait_for("TracerJob hello to be deleted after its TTL",
                     lambda: c.kubectl("get", "tracerjob", "hello", "-n", USER_NS, check=False).returncode != 0,
                     timeout=60)

            # A failing job: its status.message is the tail of the pod's log.
            broken = {"apiVersion": "gra.dev/v1alpha1", "kind": "TracerJob",
                      "metadata": {"name": "broken", "namespace": USER_NS},
                      "spec": {"command": ["sh", "-c", "echo 'disk full' >&2; exit 3"], "backoffLimit": 0}}
            c.kubectl(f"--token={alice}", "apply", "-f", "-", stdin=json.dumps(broken))
            result["broken"] = wait_for("TracerJob broken to fail", lambda: (lambda j: j if j.get("status", {}).get(
                "phase") == "Failed" else None)(c.get_json("tracerjob", "broken", "-n", USER_NS)), timeout=120)

            edge_runner(c, alice, result)

            # Suspend (pod deleted), then delete the Runner: the operator's cleanup paths.
            c.kubectl(f"--token={alice}", "patch", "runner", "demo", "-n", USER_NS, "--type=merge",
                      "-p", '{"spec":{"suspend":true}}')
            wait_for("Runner demo to be Suspended",
                     lambda: c.get_json("runner", "demo", "-n", USER_NS).get("status", {}).get("phase") == "Suspended",
                     timeout=60)
            c.kubectl(f"--token={alice}", "delete", "runner", "demo", "-n", USER_NS, "--timeout=60s")
        except BaseException as e:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
            raise AssertionError(f"{e}\n--- operator log (last 40 lines) ---\n{tail}") from e
        finally:
            op.send_signal(signal.SIGTERM)
            try:
                op.wait(timeout=40)
            except subprocess.TimeoutExpired:
                op.kill()
            proxy.close()
        result["log_text"] = log_path.read_text(errors="replace")
        result["requests"] = proxy.requests()
        shutil.rmtree(tmp, ignore_errors=True)
        if os.environ.get("GRA_DEPLOY_DUMP"):
            # A record for humans: the operator's requests as RBAC saw them, the job, the log.
            with open(os.environ["GRA_DEPLOY_DUMP"], "w") as f:
                json.dump({"requests": [[r.status, r.method, r.target, sorted(dataclasses.asdict(r.attributes()).items())]
                                        for r in result["requests"]],
                           "job": result.get("job"), "pods": result["pods"], "log": result["log_text"]}, f, indent=1)
        return result


@early("run")
def all_scenarios() -> dict:
    """The four scenarios at once, each on its own cluster: they mostly wait for the operator
    and the kubelet, so tests/conftest.py starts them right after collection."""
    return {install: Background(lambda i=install: scenario(i), name=f"least-privilege {install}")
            for install in sorted(INSTALLS)}


@pytest.fixture(scope="module", params=sorted(INSTALLS))
def run(request):
    return early_result(all_scenarios)[request.param].result(timeout=900)


def test_runner_becomes_ready_and_execs_through_the_bridge(run):
    assert run["runner"]["status"]["phase"] == "Ready"
    status, frames = run["exec"]
    assert status == 200, frames
    stdout = "".join(f.get("data", "") for f in frames if f.get("type") == "stdout")
    assert stdout == "42\n", frames
    assert frames[-1].get("type") == "exit" and frames[-1].get("exitCode") == 0, frames


def test_a_viewer_may_not_exec(run):
    status, body = run["exec_denied"]
    assert status == 403, body
    assert 'cannot create resource "runners/exec" in API group "gra.dev"' in body[0]["message"]


def test_tracer_job_succeeds(run):
    assert run["job"]["status"]["phase"] == "Succeeded", run["job"]["status"]
    assert run["job"]["status"].get("exitCode") == 0


def test_a_failed_tracer_job_shows_its_log_tail(run):
    status = run["broken"]["status"]
    assert status.get("exitCode") == 3, status
    assert "disk full" in status.get("message", ""), status


def test_runner_egress_policy_was_created(run):
    assert [n["metadata"]["name"] for n in run["netpols"]], "no NetworkPolicy for a Runner with egress Deny"


def test_no_request_was_forbidden(run):
    refused = [(r.method, r.target) for r in run["requests"] if r.status in (401, 403)]
    assert refused == [], refused
    assert "forbidden" not in run["log_text"].lower(), [l for l in run["log_text"].splitlines() if "orbidden" in l]


def test_every_granted_permission_is_used(run):
    granted = grants(run["docs"], run["sa"], NAMESPACE)
    seen = used(run["requests"])
    unused = granted - seen - UNEXERCISED - BUILTIN_UNUSED_OK
    assert unused == set(), "granted but never used (remove from the chart and manifests/rbac, or explain in UNEXERCISED): " + \
        ", ".join(f"{v} {g or 'core'}/{r}" for v, g, r in sorted(unused))
    assert seen - granted == set(), sorted(seen - granted)


def test_reclaim_policy_retain_keeps_the_claim_without_an_owner(run):
    claims = run["retained_claims"]
    assert len(claims) == 1, claims
    assert not claims[0]["metadata"].get("ownerReferences"), claims[0]["metadata"]


def test_the_operators_writes_are_recorded_under_its_name(run):
    """With no fieldManager, the API server names the manager after the User-Agent's program."""
    assert ("gra-operator", None) in run["managers"]["pod"], run["managers"]
    assert ("gra-operator", "status") in run["managers"]["runner"], run["managers"]
    assert ("kubectl-client-side-apply", None) in run["managers"]["runner"], run["managers"]


def test_pods_meet_the_restricted_pod_security_standard(run):
    assert len(run["pods"]) >= 2, [p["metadata"]["name"] for p in run["pods"]]
    problems = {p["metadata"]["name"]: restricted_violations(p) for p in run["pods"]}
    assert all(not v for v in problems.values()), problems


def test_a_namespaced_operator_stays_in_its_namespace(run):
    if not run["mode"].endswith("namespaced"):
        pytest.skip("cluster-wide install")
    cluster_scope = {"tokenreviews", "subjectaccessreviews"}
    places = {(a.namespace, a.resource) for a in (r.attributes() for r in run["requests"]) if not a.non_resource_url}
    outside = {p for p in places if p[1] not in cluster_scope and p[0] != USER_NS
               and p not in {(NAMESPACE, "leases"), ("kube-system", "configmaps")}}
    assert outside == set(), sorted(outside)
