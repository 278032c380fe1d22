"""install-gradienttracer, the builder step that installs GradientTracer from a git ref, run
against a local stand-in repository in a fresh virtual environment (no network: the stand-in
builds with an in-tree PEP 517 backend that needs nothing from an index)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from gra_images_support import RUNNER_DIR

SCRIPT = RUNNER_DIR / "install-gradienttracer"

BACKEND = '''
"""A minimal PEP 517 backend: packs gt/ into a wheel."""
import base64, hashlib, os, zipfile

NAME, VERSION = "gradienttracer", "0.0.1"
DIST = f"{NAME}-{VERSION}.dist-info"


def _record(entries):
    lines = []
    for path, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.append(f"{path},sha256={digest},{len(data)}")
    lines.append(f"{DIST}/RECORD,,")
    return "\\n".join(lines) + "\\n"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for root, _, files in os.walk("gt"):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    entries.append((path.replace(os.sep, "/"), handle.read()))
    entries.append((f"{DIST}/METADATA", f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n".encode()))
    entries.append((f"{DIST}/WHEEL", b"Wheel-Version: 1.0\\nGenerator: fake\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"))
    wheel = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as archive:
        for path, data in entries:
            archive.writestr(path, data)
        archive.writestr(f"{DIST}/RECORD", _record(entries))
    return wheel
'''


@pytest.fixture
def fake_gradienttracer(tmp_path: Path) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "gradienttracer"
    (repo / "gt").mkdir(parents=True)
    (repo / "gt" / "__init__.py").write_text("__version__ = '0.0.1'\n")
    (repo / "gt" / "exec.py").write_text(
        "import sys\n\ndef app():\n    print('gt run', ' '.join(sys.argv[1:]))\n\nif __name__ == '__main__':\n    app()\n"
    )
    (repo / "gt_backend.py").write_text(BACKEND)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "gt_backend"\nbackend-path = ["."]\n'
    )
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "v1"], ["tag", "v0.0.1"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    return f"file://{repo}"


def site_packages(environment: Path) -> Path:
    out = subprocess.run([str(environment / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout
    return Path(out.strip())


@pytest.fixture(scope="module")
def pip_template(tmp_path_factory) -> Path:
    """One virtual environment made with ensurepip (several seconds), for its site-packages."""
    target = tmp_path_factory.mktemp("pip-template") / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    return site_packages(target)


@pytest.fixture
def environment(tmp_path: Path, pip_template: Path) -> Path:
    """A fresh virtual environment with pip: made without it, then given a copy of what
    ensurepip installed in the template (pip, setuptools), which is all ensurepip does."""
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = site_packages(target)
    for entry in pip_template.iterdir():
        if entry.is_dir():
            shutil.copytree(entry, site / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, site / entry.name)
    return target


def run_script(environment: Path, **env: str) -> subprocess.CompletedProcess:
    full = dict(os.environ, PATH=f"{environment / 'bin'}:{os.environ['PATH']}", PIP_NO_INDEX="1",
                PIP_DISABLE_PIP_VERSION_CHECK="1", **env)
    return subprocess.run(["sh", str(SCRIPT)], capture_output=True, text=True, env=full, timeout=300)


def test_an_empty_ref_installs_nothing_and_says_so(environment: Path):
    result = run_script(environment, GT_REPO="file:///nowhere", GT_REF="")

    assert result.returncode == 0
    assert "GT_REF is empty: building the runner image WITHOUT GradientTracer" in result.stdout
    check = subprocess.run([str(environment / "bin" / "python"), "-c", "import gt"], capture_output=True)
    assert check.returncode != 0


def test_a_ref_installs_gradienttracer_and_python_m_gradienttracer_runs_it(environment: Path, fake_gradienttracer: str):
    result = run_script(environment, GT_REPO=fake_gradienttracer, GT_REF="v0.0.1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "GradientTracer v0.0.1 from" in result.stdout
    python = str(environment / "bin" / "python")
    run = subprocess.run([python, "-m", "gradienttracer", "suites", "out"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "gt run suites out"


def test_a_ref_that_does_not_exist_fails_the_build(environment: Path, fake_gradienttracer: str):
    result = run_script(environment, GT_REPO=fake_gradienttracer, GT_REF="no-such-tag")

    assert result.returncode != 0


def test_a_torch_index_is_passed_to_pip(environment: Path, fake_gradienttracer: str, tmp_path: Path):
    index = tmp_path / "index"
    index.mkdir()

    result = run_script(environment, GT_REPO=fake_gradienttracer, GT_REF="v0.0.1", TORCH_INDEX_URL=f"file://{index}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"torch also from file://{index}" in result.stdout
