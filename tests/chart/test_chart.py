"""The Helm chart, rendered and linted by Helm's own library (helm-python-sdk), checked for
least privilege and against the generated CRDs and, when the operator is built, applied to the
local API server with `kubectl apply --dry-run=server`."""

import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "gra-operator"

helm = pytest.importorskip("helm_python", reason="pip install helm-python-sdk (CI does)")


def render(values=None, namespace="gra-system"):
    chart = helm.Chart.load(str(CHART))
    out = chart.render(values or {}, name="gra", namespace=namespace, is_install=True)
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def test_lint_is_clean_in_strict_mode():
    report = helm.lint(str(CHART), strict=True, kube_version="v1.30.0")
    problems = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    assert report.get("errors") in (None, []), report
    assert problems == [], problems


@pytest.mark.parametrize("values", [
    {"watchNamespaces": ["team-a"]},
    {"bridge": {"tls": {"mode": "certManager"}}},
    {"bridge": {"tls": {"mode": "secret", "secretName": "mine"}, "apiService": {"caBundle": "QUJD"}}},
    {"rbac": {"create": False}, "serviceAccount": {"create": False, "name": "existing"}},
])
def test_lint_is_clean_with_other_values(values):
    report = helm.lint(str(CHART), values, strict=True, kube_version="v1.30.0")
    problems = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    assert report.get("errors") in (None, []), report
    assert problems == [], problems


def test_default_render_has_the_operator_pieces():
    docs = render()
    kinds = sorted({d["kind"] for d in docs})
    for kind in ["ClusterRole", "ClusterRoleBinding", "Deployment", "Service", "ServiceAccount", "APIService",
                 "NetworkPolicy", "Role", "RoleBinding"]:
        assert kind in kinds, f"{kind} missing from {kinds}"
    dep = by_kind(docs, "Deployment")[0]
    pod = dep["spec"]["template"]["spec"]
    assert dep["spec"]["replicas"] == 2
    assert "--leader-elect" in pod["containers"][0]["args"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    c = pod["containers"][0]
    assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_rbac_is_least_privilege():
    for doc in render():
        if doc["kind"] not in ("ClusterRole", "Role"):
            continue
        for rule in doc.get("rules", []):
            assert "*" not in rule.get("verbs", []), (doc["metadata"]["name"], rule)
            assert "*" not in rule.get("resources", []), (doc["metadata"]["name"], rule)
            assert "*" not in rule.get("apiGroups", []), (doc["metadata"]["name"], rule)
    operator = [d for d in render() if d["kind"] == "ClusterRole" and d["metadata"]["name"] == "gra-gra-operator"][0]
    exec_rules = [r for r in operator["rules"] if "pods/exec" in r["resources"]]
    assert exec_rules and "create" in exec_rules[0]["verbs"]


def test_watch_namespaces_switch_to_namespaced_roles():
    docs = render({"watchNamespaces": ["team-a"]})
    operator_roles = [d for d in by_kind(docs, "Role") if d["metadata"]["name"] == "gra-gra-operator"]
    assert [r["metadata"]["namespace"] for r in operator_roles] == ["team-a"]
    assert not [d for d in by_kind(docs, "ClusterRole") if d["metadata"]["name"] == "gra-gra-operator"]
    args = by_kind(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--namespace=team-a" in args


def test_chart_and_kustomize_grant_the_operator_the_same_rules():
    def rules(docs, name):
        role = [d for d in docs if d["kind"] == "ClusterRole" and d["metadata"]["name"] == name][0]
        return sorted(json.dumps(r, sort_keys=True) for r in role["rules"])
    kustomized = [d for d in yaml.safe_load_all(subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "manifests")], capture_output=True, text=True, check=True).stdout) if d]
    assert rules(render(), "gra-gra-operator") == rules(kustomized, "gra-operator")
    assert rules(render(), "gra-edit") == rules(kustomized, "gra-edit")
    assert rules(render(), "gra-view") == rules(kustomized, "gra-view")
    assert rules(render(), "gra-exec-edit") == rules(kustomized, "gra-exec-edit")
    assert rules(render(), "gra-runner-exec") == rules(kustomized, "gra-runner-exec")


def test_generated_bridge_certificate_is_signed_by_the_api_service_ca(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    import base64
    docs = render()
    secret = [d for d in by_kind(docs, "Secret") if d["metadata"]["name"] == "gra-gra-operator-bridge-tls"][0]
    assert secret["type"] == "kubernetes.io/tls"
    api = by_kind(docs, "APIService")[0]
    assert api["spec"]["caBundle"] == secret["data"]["ca.crt"] and "insecureSkipTLSVerify" not in api["spec"]
    for key, value in secret["data"].items():
        (tmp_path / key).write_bytes(base64.b64decode(value))
    ok = subprocess.run(["openssl", "verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", str(tmp_path / "tls.crt")],
                          capture_output=True, text=True, check=True).stdout
    assert "DNS:gra-gra-operator-bridge.gra-system.svc" in text
    pub = [subprocess.run(["openssl", cmd, "-pubout", "-in", str(tmp_path / f)] if cmd == "pkey" else
                          ["openssl", "x509", "-noout", "-pubkey", "-in", str(tmp_path / f)],
                          capture_output=True, text=True, check=True).stdout for cmd, f in [("pkey", "tls.key"), ("x509", "tls.crt")]]
    assert pub[0] == pub[1], "tls.key does not belong to tls.crt"


def test_secret_mode_needs_a_ca_bundle_for_the_api_service():
    with pytest.raises(Exception) as e:
        render({"bridge": {"tls": {"mode": "secret", "secretName": "mine"}}})
    assert "bridge.apiService.caBundle" in str(e.value)
    docs = render({"bridge": {"tls": {"mode": "secret", "secretName": "mine"}, "apiService": {"enabled": False}}})
    assert not by_kind(docs, "APIService") and not by_kind(docs, "Secret")


def test_cert_manager_mode_injects_the_ca():
    docs = render({"bridge": {"tls": {"mode": "certManager"}}})
    cert = by_kind(docs, "Certificate")[0]
    assert cert["spec"]["secretName"] == "gra-gra-operator-bridge-tls"
    assert cert["spec"]["issuerRef"] == {"name": "gra-gra-operator-bridge-selfsigned", "kind": "Issuer"}
    api = by_kind(docs, "APIService")[0]
    assert api["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == "gra-system/gra-gra-operator-bridge"
    docs = render({"bridge": {"tls": {"mode": "certManager", "certManager": {"issuerRef": {"name": "corp", "kind": "ClusterIssuer"}}}}})
    assert not by_kind(docs, "Issuer")
    assert by_kind(docs, "Certificate")[0]["spec"]["issuerRef"] == {"name": "corp", "kind": "ClusterIssuer"}


def test_values_schema_rejects_bad_values():
    chart = helm.Chart.load(str(CHART))
    with pytest.raises(Exception) as e:
        chart.validate_schema({"logging": {"format": "xml"}})
    assert "format" in str(e.value)
    with pytest.raises(Exception):
        chart.validate_schema({"replicas": "two"})
    with pytest.raises(Exception):
        chart.validate_schema({"watchNamespaces": ["a", "b"]})
    with pytest.raises(Exception):
        chart.validate_schema({"bridge": {"tls": {"mode": "selfmade"}}})
    chart.validate_schema({"replicas": 3, "watchNamespaces": ["ok-ns"]})


def test_chart_crds_are_the_generated_ones():
    generated = sorted(p.name for p in (ROOT / "manifests" / "crds").glob("*.yaml"))
    shipped = sorted(p.name for p in (CHART / "crds").glob("*.yaml"))
    assert shipped == generated, "run `make generate` to copy manifests/crds into the chart"
    for name in generated:
        assert (CHART / "crds" / name).read_text() == (ROOT / "manifests" / "crds" / name).read_text(), name
