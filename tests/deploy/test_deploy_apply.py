"""Every way of installing gra is accepted by an API server: `kubectl apply -k manifests/` and the
Helm chart rendered by Helm's library with its default values, with every value changed, and
namespaced. Each install is first sent with `kubectl apply --dry-run=server` (nothing may be
created), then really applied, and then read back.

The local API server checks custom resources, names, RBAC and object semantics, but not the
schema of built-in kinds; `kubernetes-validate` (the upstream OpenAPI schemas, strict: unknown
fields are errors) covers those when it is installed.
"""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest
import yaml

from gra_deploy_support import (CHART, OPERATOR, ROOT, kustomize, local_cluster, needs_kubectl, needs_operator_binary, render_chart,
                      to_yaml)
from gra_cluster import run_built
from gra_pss import restricted_violations

NON_DEFAULT = {
    "image": {"repository": "registry.example.com/gra/operator", "tag": "1.2.3", "pullPolicy": "Always"},
    "imagePullSecrets": [{"name": "regcred"}],
    "replicas": 3,
    "leaderElection": {"enabled": False},
    "logging": {"format": "logfmt", "level": "debug"},
    "workers": 8,
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gra", "effect": "NoSchedule"}],
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64", "arm64"]}]}]}}},
    "podAnnotations": {"prometheus.io/scrape": "true"},
    "metrics": {"port": 9090, "service": {"enabled": False}},
    "health": {"port": 9091},
    "bridge": {"port": 9443, "tls": {"mode": "secret", "secretName": "my-bridge-cert"},
               "exec": {"maxConcurrent": 2, "defaultTimeoutSeconds": 60, "maxTimeoutSeconds": 600,
                        "outputLimitBytes": 10485760},
               "apiService": {"enabled": True, "caBundle": "LS0tLS1CRUdJTi0tLS0t"}},
    "rbac": {"create": True, "aggregateToDefaultRoles": False},
    "serviceAccount": {"create": True, "name": "gra-bot"},
    "networkPolicy": {"enabled": False},
}

INSTALLS = {
    # name: (values, release, namespace, namespaces to create first)
    "chart-defaults": ({}, "gra", "gra-system", ["gra-system"]),
    "chart-every-value-changed": (NON_DEFAULT, "prod", "ops", ["ops"]),
    "chart-namespaced": ({"watchNamespaces": ["team-a"], "bridge": {"apiService": {"enabled": False}}}, "gra",
                         "gra-system", ["gra-system", "team-a"]),
}


def object_ref(doc: dict) -> list[str]:
    ref = [doc["kind"].lower(), doc["metadata"]["name"]]
    if doc["metadata"].get("namespace"):
        ref += ["-n", doc["metadata"]["namespace"]]
    return ref


def apply_and_check(c, docs: list[dict], namespaces: list[str], *, kustomize_dir: pathlib.Path | None = None):
    """Dry run (nothing created), apply, read every object back."""
    # A server-side dry run creates nothing, so the objects in a namespace the same apply would
    # create answer NotFound (as on a real cluster): create the namespaces first, as
    # `helm install --create-namespace` does.
    for ns in namespaces:
        c.kubectl("create", "namespace", ns)
    source = ["-k", str(kustomize_dir)] if kustomize_dir else ["-f", "-"]
    stdin = None if kustomize_dir else to_yaml(docs)

    dry = c.kubectl("apply", "--dry-run=server", *source, stdin=stdin)
    lines = [l for l in dry.stdout.splitlines() if l.strip()]
    assert len(lines) == len(docs), dry.stdout
    assert all(l.endswith("(server dry run)") for l in lines), dry.stdout
    # One `kubectl get -f` for all of them (a kubectl start-up per object costs ~0.1 s): it
    # prints the name of each one that exists and a NotFound error for each one that does not.
    checked = [d for d in docs if d["kind"] not in ("Namespace", "CustomResourceDefinition")]
    r = c.kubectl("get", "-f", "-", "-o", "name", stdin=to_yaml(checked), check=False)
    assert r.stdout.strip() == "", f"dry run created {r.stdout}"
    not_found = [l for l in r.stderr.splitlines() if "(NotFound)" in l]
    assert r.returncode != 0 and len(not_found) == len(checked), r.stderr
    for d in checked:
        assert any(f'"{d["metadata"]["name"]}" not found' in l for l in not_found), (object_ref(d), r.stderr)

    real = c.kubectl("apply", *source, stdin=stdin)
    assert len([l for l in real.stdout.splitlines() if l.strip()]) == len(docs), real.stdout
    listed = json.loads(c.kubectl("get", "-f", "-", "-o", "json", stdin=to_yaml(docs)).stdout)
    found = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
             for o in (listed["items"] if listed.get("kind") == "List" else [listed])}
    for d in docs:
        got = found.get((d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]))
        assert got is not None and got["metadata"]["uid"], (object_ref(d), sorted(found))
        if d["kind"] == "Deployment":
            want = d["spec"]["template"]["spec"]["containers"][0]["args"]
            assert got["spec"]["template"]["spec"]["containers"][0]["args"] == want
    again = c.kubectl("apply", *source, stdin=stdin)
    assert all(l.endswith(" unchanged") for l in again.stdout.splitlines() if l.strip()), again.stdout


@needs_operator_binary
@needs_kubectl
def test_kubectl_apply_k_manifests():
    docs = kustomize()
    with local_cluster(kubelet=False) as c:
        # The chart's crds/ are the same files (tests/chart checks); a server dry run of them too.
        crds = c.kubectl("apply", "--dry-run=server", "-f", str(CHART / "crds"))
        assert crds.stdout.count("(server dry run)") == 2, crds.stdout
        apply_and_check(c, docs, ["gra-system"], kustomize_dir=ROOT / "manifests")
        # The upgrade path docs/operations.md gives: server-side apply over the installed objects.
        r = c.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(ROOT / "manifests" / "crds"))
        assert r.stdout.count("serverside-applied") == 2, r.stdout
        r = c.kubectl("apply", "--server-side", "--force-conflicts", "-k", str(ROOT / "manifests"))
        assert r.stdout.count("serverside-applied") == len(docs), r.stdout
        sa = c.kubectl("auth", "can-i", "create", "pods", "-n", "default",
                       "--as=system:serviceaccount:gra-system:gra-operator").stdout.strip()
        assert sa == "yes"
        assert c.kubectl("auth", "can-i", "list", "configmaps", "-n", "default",
                         "--as=system:serviceaccount:gra-system:gra-operator", check=False).stdout.strip() == "no"


@needs_operator_binary
@needs_kubectl
def test_kubectl_apply_k_manifests_namespaced():
    docs = kustomize("namespaced")
    with local_cluster(kubelet=False) as c:
        r = c.kubectl("apply", "-f", str(ROOT / "manifests" / "crds"))
        assert r.stdout.count("customresourcedefinition") == 2, r.stdout
        apply_and_check(c, docs, ["gra-system", "gra-runners"], kustomize_dir=ROOT / "manifests" / "namespaced")
        sa = "--as=system:serviceaccount:gra-system:gra-operator"
        assert c.kubectl("auth", "can-i", "create", "pods", "-n", "gra-runners", sa).stdout.strip() == "yes"
        assert c.kubectl("auth", "can-i", "create", "pods", "-n", "default", sa, check=False).stdout.strip() == "no"
        assert c.kubectl("auth", "can-i", "create", "tokenreviews", sa).stdout.strip() == "yes"
        args = c.get_json("deployment", "gra-operator", "-n", "gra-system")["spec"]["template"]["spec"]["containers"][0]["args"]
        assert "--namespace=gra-runners" in args


def test_namespaced_role_has_the_cluster_role_rules():
    cluster = next(d for d in kustomize() if d["kind"] == "ClusterRole" and d["metadata"]["name"] == "gra-operator")
    namespaced = kustomize("namespaced")
    role = next(d for d in namespaced if d["kind"] == "Role" and d["metadata"]["name"] == "gra-operator")
    assert role["rules"] == cluster["rules"], "regenerate manifests/namespaced/operator-role.yaml from the ClusterRole"
    assert not [d for d in namespaced if d["kind"] in ("ClusterRole", "ClusterRoleBinding")
                and d["metadata"]["name"] == "gra-operator"]


@needs_operator_binary
@needs_kubectl
@pytest.mark.parametrize("install", sorted(INSTALLS))
def test_chart_installs(install):
    values, release, namespace, namespaces = INSTALLS[install]
    docs = render_chart(values, name=release, namespace=namespace)
    with local_cluster(kubelet=False) as c:
        apply_and_check(c, docs, namespaces)
        if install == "chart-namespaced":
            sa = "system:serviceaccount:gra-system:gra-gra-operator"
            assert c.kubectl("auth", "can-i", "create", "pods", "-n", "team-a", f"--as={sa}").stdout.strip() == "yes"
            assert c.kubectl("auth", "can-i", "create", "pods", "-n", "default", f"--as={sa}",
                             check=False).stdout.strip() == "no"


def test_every_value_is_rendered():
    docs = render_chart(NON_DEFAULT, name="prod", namespace="ops")
    dep = next(d for d in docs if d["kind"] == "Deployment")
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    assert dep["spec"]["replicas"] == 3
    assert c["image"] == "registry.example.com/gra/operator:1.2.3" and c["imagePullPolicy"] == "Always"
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["serviceAccountName"] == "gra-bot"
    assert "--leader-elect" not in c["args"]
    for arg in ["--log-format=logfmt", "--log-level=debug", "--workers=8", "--metrics-bind-address=:9090",
                "--health-probe-bind-address=:9091", "--bridge-bind-address=:9443",
                "--bridge-service-name=prod-gra-operator-bridge", "--bridge-max-concurrent=2",
                "--bridge-default-timeout=60", "--bridge-max-timeout=600", "--bridge-output-limit=10485760"]:
        assert arg in c["args"], (arg, c["args"])
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"metrics": 9090, "health": 9091, "bridge": 9443}
    assert c["resources"] == NON_DEFAULT["resources"]
    assert pod["nodeSelector"] == NON_DEFAULT["nodeSelector"] and pod["tolerations"] == NON_DEFAULT["tolerations"]
    assert pod["affinity"] == NON_DEFAULT["affinity"]
    assert dep["spec"]["template"]["metadata"]["annotations"] == NON_DEFAULT["podAnnotations"]
    assert next(v for v in pod["volumes"] if v["name"] == "bridge-tls")["secret"]["secretName"] == "my-bridge-cert"
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("Service", "prod-gra-operator-metrics") not in kinds
    assert not [k for k in kinds if k[0] in ("NetworkPolicy", "Secret")]
    assert not [k for k in kinds if k[1] in ("gra-edit", "gra-view")]
    assert ("Role", "prod-gra-operator-leader-election") not in kinds
    api = next(d for d in docs if d["kind"] == "APIService")
    assert api["spec"]["caBundle"] == "LS0tLS1CRUdJTi0tLS0t" and api["spec"]["service"] == {
        "name": "prod-gra-operator-bridge", "namespace": "ops", "port": 443}


ALL_RENDERS = {"kustomize": kustomize, "kustomize-namespaced": lambda: kustomize("namespaced"), **{k: (lambda v=v: render_chart(v[0], name=v[1], namespace=v[2]))
                                          for k, v in INSTALLS.items()},
               "chart-cert-manager": lambda: render_chart({"bridge": {"tls": {"mode": "certManager"}}})}


@pytest.mark.parametrize("install", sorted(ALL_RENDERS))
def test_built_in_kinds_match_the_kubernetes_schemas(install):
    kv = pytest.importorskip("kubernetes_validate", reason="pip install kubernetes-validate")
    problems = []
    for d in ALL_RENDERS[install]():
        if d["apiVersion"].startswith(("gra.dev/", "cert-manager.io/")):
            continue
        try:
            kv.validate(d, "1.32.0", strict=True)
        except kv.ValidationError as e:
            problems.append(f'{d["kind"]}/{d["metadata"]["name"]}: {e}')
    assert problems == []


@pytest.mark.parametrize("install", sorted(ALL_RENDERS))
def test_operator_pod_meets_the_restricted_pod_security_standard(install):
    deployments = [d for d in ALL_RENDERS[install]() if d["kind"] == "Deployment"]
    assert deployments
    for d in deployments:
        assert restricted_violations(d) == [], d["metadata"]["name"]


def test_namespaces_enforce_restricted():
    for ns in [d for d in kustomize("namespaced") if d["kind"] == "Namespace"]:
        assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted", ns["metadata"]["name"]


@needs_operator_binary
@needs_kubectl
def test_uninstall_keeping_the_crds_then_removing_them():
    """docs/operations.md's uninstall: removing the operator and its RBAC keeps the CRDs and the
    Runners; deleting the CRDs then deletes every Runner."""
    with local_cluster(kubelet=False) as c:
        c.kubectl("apply", "-k", str(ROOT / "manifests"))
        c.kubectl("apply", "-f", str(ROOT / "manifests" / "examples" / "runner-minimal.yaml"))
        c.kubectl("delete", "-k", str(ROOT / "manifests" / "operator"), "--ignore-not-found")
        c.kubectl("delete", "-k", str(ROOT / "manifests" / "rbac"), "--ignore-not-found")
        for kind in ("deployment", "apiservice", "clusterrole", "serviceaccount"):
            left = c.kubectl("get", kind, "-A", "-l", "app.kubernetes.io/part-of=gra", "-o", "name").stdout.strip()
            assert left == "", (kind, left)
        assert c.kubectl("get", "runner", "demo", "-o", "name").stdout.strip() == "runner.gra.dev/demo"
        c.kubectl("delete", "-f", str(ROOT / "manifests" / "crds"))
        r = c.kubectl("get", "runners", "-A", check=False)
        # kubectl answers from its discovery cache (NotFound from the server) or from fresh
        # discovery (no such resource type): either way the API and its objects are gone.
        assert r.returncode != 0 and ("the server doesn't have a resource type" in r.stderr
                                      or "could not find the requested resource" in r.stderr), r.stderr


@needs_operator_binary
@pytest.mark.parametrize("install", sorted(ALL_RENDERS))
def test_the_operator_accepts_the_deployment_arguments(install, tmp_path):
    """Every rendered Deployment's args parse (exit 64 is a usage error); the run then stops at
    the missing kubeconfig (exit 1)."""
    for d in [d for d in ALL_RENDERS[install]() if d["kind"] == "Deployment"]:
        args = d["spec"]["template"]["spec"]["containers"][0]["args"]
        r = run_built([str(OPERATOR), *args, f"--kubeconfig={tmp_path / 'missing'}"], capture_output=True,
                           text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
        assert r.returncode == 1 and "kubeconfig" in r.stderr, (args, r.returncode, r.stderr)
