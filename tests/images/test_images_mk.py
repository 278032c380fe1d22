"""images/images.mk run by real make, with a recording stand-in for the container engine (none
can run here): engine detection, the build commands, labels and the Podman differences."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gra_images_support import REPO

MK = REPO / "images" / "images.mk"


@pytest.fixture
def toolbox(tmp_path: Path) -> Path:
    """A PATH with make's helpers but no docker or podman."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "date", "cat", "grep", "sh", "bash", "test", "echo"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return bin_dir


def fake_engine(bin_dir: Path, name: str) -> Path:
    log = bin_dir.parent / f"{name}.calls"
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\n')
    script.chmod(0o755)
    return log


def make(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir.parent)}
    return subprocess.run(
        [shutil.which("make"), "--no-print-directory", "-f", str(MK), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )


def test_without_docker_or_podman_the_targets_say_what_is_missing(toolbox: Path):
    result = make(toolbox, "build-runner-image")

    assert result.returncode != 0
    assert "neither docker nor podman is installed" in result.stderr


def test_podman_is_used_when_docker_is_absent_and_keeps_the_healthcheck(toolbox: Path):
    calls = fake_engine(toolbox, "podman")

    result = make(toolbox, "build-image", "GT_REF=v1.2.3", "VERSION=9.9.9", "REGISTRY=reg.example/me")

    assert result.returncode == 0, result.stderr
    runner, operator = calls.read_text().splitlines()
    assert runner.startswith("build --format docker ")
    assert "--build-arg GT_REF=v1.2.3" in runner
    assert "--label dev.gra.created-by=gra" in runner
    assert "--build-arg REVISION=" in runner and "--build-arg CREATED=" in runner
    assert runner.endswith(f"-t reg.example/me/gra-runner:9.9.9 -f {REPO}/images/runner/Dockerfile {REPO}/images/runner")
    assert operator.endswith(f"-t reg.example/me/gra-operator:9.9.9 -f {REPO}/Dockerfile {REPO}")


def test_docker_is_preferred_and_multiarch_uses_buildx(toolbox: Path):
    docker_calls = fake_engine(toolbox, "docker")
    podman_calls = fake_engine(toolbox, "podman")

    result = make(toolbox, "push-multiarch", "VERSION=1.0.0", "PLATFORMS=linux/amd64,linux/arm64")

    assert result.returncode == 0, result.stderr
    assert not podman_calls.exists()
    runner, operator = docker_calls.read_text().splitlines()
    assert runner.startswith("buildx build --platform linux/amd64,linux/arm64 --push ")
    assert "gra-runner:1.0.0" in runner and "gra-operator:1.0.0" in operator


def test_podman_multiarch_builds_and_pushes_manifests(toolbox: Path):
    calls = fake_engine(toolbox, "podman")

    result = make(toolbox, "push-multiarch", "VERSION=1.0.0")

    assert result.returncode == 0, result.stderr
    lines = calls.read_text().splitlines()
    assert any(l.startswith("build --format docker --platform linux/amd64,linux/arm64 --manifest ") for l in lines)
    assert any(l.startswith("manifest push --all ") and "gra-runner:1.0.0" in l for l in lines)


def test_run_local_lets_in_the_users_public_key(toolbox: Path):
    calls = fake_engine(toolbox, "docker")
    ssh_dir = toolbox.parent / ".ssh"
    ssh_dir.mkdir()
    (ssh_dir / "id_ed25519.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheTest me@laptop\n")

    result = make(toolbox, "run-local", "VERSION=1.0.0", "SSH_PORT=2200")

    assert result.returncode == 0, result.stderr
    call = calls.read_text()
    assert "run -d --name gra-runner-local -p 2200:2222 -v gra-workspace:/workspace" in call
    assert "-e GRA_AUTHORIZED_KEYS=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheTest me@laptop" in call
