"""skaffold.yaml against what it points at (no skaffold or cluster here): the build contexts
and Dockerfiles exist, the Helm values it sets are in the chart's schema and render, and the
Services it port-forwards are the ones the chart creates, with their ports."""

from __future__ import annotations

import pytest
import yaml

from gra_deploy_support import CHART, ROOT, render_chart

SKAFFOLD = yaml.safe_load((ROOT / "skaffold.yaml").read_text())


def set_path(values: dict, dotted: str, value):
    keys = dotted.split(".")
    for k in keys[:-1]:
        values = values.setdefault(k, {})
    values[keys[-1]] = value


def test_artifacts_build_from_existing_dockerfiles():
    for artifact in SKAFFOLD["build"]["artifacts"]:
        context = ROOT / artifact.get("context", ".")
        dockerfile = context / artifact.get("docker", {}).get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), (artifact["image"], dockerfile)


def helm_release():
    releases = SKAFFOLD["deploy"]["helm"]["releases"]
    assert len(releases) == 1
    return releases[0]


def values_skaffold_sets(profile: str | None = None) -> dict:
    release = helm_release()
    values: dict = {}
    for key in release.get("setValueTemplates", {}):
        set_path(values, key, "example" if not key.endswith("pullPolicy") else "Never")
    for key, value in release.get("setValues", {}).items():
        set_path(values, key, value)
    for p in SKAFFOLD.get("profiles", []):
        if p["name"] == profile:
            for patch in p.get("patches", []):
                if patch["path"] == "/deploy/helm/releases/0/setValues":
                    for key, value in patch["value"].items():
                        set_path(values, key, value)
    return values


@pytest.mark.parametrize("profile", [None, "minikube"])
def test_values_it_sets_are_in_the_chart(profile):
    helm = pytest.importorskip("helm_python", reason="pip install helm-python-sdk (CI does)")
    values = values_skaffold_sets(profile)
    helm.Chart.load(str(CHART)).validate_schema(values)
    release = helm_release()
    assert (ROOT / release["chartPath"]).resolve() == CHART.resolve()
    docs = render_chart(values, name=release["name"], namespace=release["namespace"])
    assert [d for d in docs if d["kind"] == "Deployment"]


def test_port_forwards_target_the_chart_services():
    release = helm_release()
    docs = render_chart(values_skaffold_sets("minikube"), name=release["name"], namespace=release["namespace"])
    services = {(d["metadata"]["namespace"], d["metadata"]["name"]): {p["port"] for p in d["spec"]["ports"]}
                for d in docs if d["kind"] == "Service"}
    for forward in SKAFFOLD["portForward"]:
        assert forward["resourceType"] == "service"
        key = (forward["namespace"], forward["resourceName"])
        assert key in services, (key, sorted(services))
        assert forward["port"] in services[key], (key, forward["port"], services[key])
