"""Helpers for the deploy tests: a fresh local cluster (`gra-operator local --no-operator`, the
local API server and kubelet, no operator; started by tests/gra_cluster.py), kubectl against it,
and the chart rendered by Helm's own library."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from gra_cluster import (BIN, OPERATOR, ROOT, Cluster, free_port, needs_kubectl,  # noqa: F401 (re-exported)
                         needs_operator_binary, start_process, wait_for)
from gra_cluster import local_cluster as _local_cluster

CHART = ROOT / "charts" / "gra-operator"


def local_cluster(kubelet: bool = True):
    """`gra-operator local --no-operator` (the API server, and the kubelet unless told not to)."""
    return _local_cluster(kubelet=kubelet, operator=False, prefix="gra-deploy-")


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
