"""gra-run, the TracerJob run wrapper, run as a real process: run.json, run.log, artifacts with
sha256, the termination message, exit codes and reasons, signals, git checkouts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gra_images_support import RUNNER_DIR, wait_for

GRA_RUN = RUNNER_DIR / "gra-run"
FIXTURES = Path(__file__).parent / "fixtures"


class Run:
    def __init__(self, tmp_path: Path):
        self.workdir = tmp_path / "work"
        self.workdir.mkdir()
        self.artifacts = tmp_path / "artifacts"
        self.termination_log = tmp_path / "termination-log"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for name in [n for n in env if n.startswith("GRA_")]:
            del env[name]
        env.update(
            GRA_TERMINATION_LOG=str(self.termination_log),
            GRA_IMAGE="registry.example/gra-runner:test",
            GRA_JOB_NAME="trace-1",
            GRA_JOB_NAMESPACE="team-a",
            GRA_JOB_ATTEMPT="2",
        )
        env.update(extra)
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, str(GRA_RUN), "--workdir", str(self.workdir), "--artifact-dir", str(self.artifacts), *args]

    def __call__(self, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=120, env=self.env(**env), input=stdin)

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env())

    @property
    def record(self) -> dict:
        return json.loads((self.artifacts / "run.json").read_text())

    @property
    def termination(self) -> dict:
        raw = self.termination_log.read_bytes()
        assert len(raw) <= 4096
        return json.loads(raw)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)


def parse_time(value: str) -> dt.datetime:
    assert value.endswith("Z"), value
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def test_a_run_that_produces_an_artifact_records_its_size_and_sha256(run: Run):
    program = "import os; os.makedirs('out', exist_ok=True); open('out/trace.bin','wb').write(bytes(range(256))*40); print('traced')"

    result = run("--artifact", "out/*.bin", "--command", sys.executable, "--", "-c", program)

    assert result.returncode == 0, result.stderr
    assert "traced" in result.stdout
    expected = bytes(range(256)) * 40
    record = run.record
    assert record["exitCode"] == 0
    assert record["reason"] == "Succeeded"
    assert record["phase"] == "Succeeded"
    assert record["signal"] is None
    assert record["artifacts"] == [
        {"path": "out/trace.bin", "size": len(expected), "sha256": hashlib.sha256(expected).hexdigest()}
    ]
    assert (run.artifacts / "out" / "trace.bin").read_bytes() == expected
    assert record["command"] == [sys.executable, "-c", program]
    assert record["image"] == "registry.example/gra-runner:test"
    assert record["job"] == {"name": "trace-1", "namespace": "team-a", "attempt": 2}
    assert record["hostname"]
    start, end = parse_time(record["startTime"]), parse_time(record["endTime"])
    assert start <= end
    assert record["durationSeconds"] >= 0
    assert "traced" in (run.artifacts / "run.log").read_text()

    summary = run.termination
    assert summary["exitCode"] == 0
    assert summary["reason"] == "Succeeded"
    assert summary["artifacts"] == 1
    assert summary["runJson"] == str(run.artifacts / "run.json")
    assert summary["files"] == [{k: a[k] for k in ("path", "size", "sha256")} for a in record["artifacts"]]


def test_a_failing_command_reports_its_exit_code_and_log_tail(run: Run):
    result = run("--command", "sh", "--", "-c", "echo working; echo 'boom: disk full' >&2; exit 3")

    assert result.returncode == 3
    assert "boom: disk full" in result.stderr
    record = run.record
    assert record["exitCode"] == 3
    assert record["reason"] == "Failed"
    assert record["phase"] == "Failed"
    summary = run.termination
    assert summary["exitCode"] == 3
    assert summary["reason"] == "Failed"
    assert "boom: disk full" in summary["message"]
    assert "boom: disk full" in (run.artifacts / "run.log").read_text()


def test_a_failing_setup_step_reports_setup_failed_and_the_command_does_not_run(run: Run):
    result = run(
        "--setup", "echo fetching dataset > fetched.txt",
        "--setup", "echo 'curl: (6) Could not resolve host' >&2; exit 6",
        "--setup", "touch third-step-ran",
        "--command", "touch", "--", "main-ran",
    )

    assert result.returncode == 6
    assert (run.workdir / "fetched.txt").exists()
    assert not (run.workdir / "third-step-ran").exists()
    assert not (run.workdir / "main-ran").exists()
    record = run.record
    assert record["reason"] == "SetupFailed"
    assert [step["name"] for step in record["steps"]] == ["setup-1", "setup-2"]
    assert record["steps"][1]["exitCode"] == 6
    summary = run.termination
    assert summary["reason"] == "SetupFailed"
    assert summary["exitCode"] == 6
    assert "setup step 2" in summary["message"]
    assert "Could not resolve host" in summary["message"]


def test_a_module_run_writes_its_trace(run: Run):
    result = run(
        "--env", f"PYTHONPATH={FIXTURES}",
        "--artifact", "traces/**/*.json",
        "--module", "tracemod", "--", "traces/run1/trace.json", "5",
    )

    assert result.returncode == 0, result.stderr
    assert "tracemod: wrote 5 steps" in result.stdout
    trace_path = run.artifacts / "traces" / "run1" / "trace.json"
    trace = json.loads(trace_path.read_text())
    assert len(trace["steps"]) == 5
    record = run.record
    assert record["command"][1:] == ["-m", "tracemod", "traces/run1/trace.json", "5"]
    [artifact] = record["artifacts"]
    assert artifact["path"] == "traces/run1/trace.json"
    assert artifact["sha256"] == hashlib.sha256(trace_path.read_bytes()).hexdigest()
    assert artifact["size"] == trace_path.stat().st_size


def test_artifacts_written_into_the_artifact_dir_are_recorded_in_place(run: Run):
    target = run.artifacts / "result.csv"
    result = run("--artifact", str(run.artifacts / "*.csv"), "--command", "sh", "--", "-c", f"printf 'a,b\\n' > {target}")

    assert result.returncode == 0, result.stderr
    assert run.record["artifacts"] == [
        {"path": "result.csv", "size": 4, "sha256": hashlib.sha256(b"a,b\n").hexdigest()}
    ]


def test_a_pattern_that_matches_nothing_is_reported_without_failing_the_run(run: Run):
    result = run("--artifact", "nothing/*.json", "--command", "true")

    assert result.returncode == 0
    assert run.record["missingArtifacts"] == ["nothing/*.json"]
    assert run.termination["artifacts"] == 0


def test_scripts_from_a_path_from_stdin_and_inline(run: Run):
    script = run.workdir / "job.py"
    script.write_text("import sys; print('script args', sys.argv[1:])\n")

    from_path = run("--script", "job.py", "--", "x", "y")
    assert from_path.returncode == 0, from_path.stderr
    assert "script args ['x', 'y']" in from_path.stdout

    from_stdin = run("--script", "-", "--", "z", stdin="import sys; print('stdin args', sys.argv[1:])\n")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert "stdin args ['z']" in from_stdin.stdout

    inline = run("--inline-script", "import sys; print('inline', sys.argv[1:]); sys.exit(4)", "--", "q")
    assert inline.returncode == 4
    assert "inline ['q']" in inline.stdout
    assert run.record["command"][1] == "<inline-script>"


def test_a_missing_command_reports_command_not_found(run: Run):
    result = run("--command", "definitely-not-a-command-gra")

    assert result.returncode == 127
    assert run.record["reason"] == "CommandNotFound"
    assert run.termination["reason"] == "CommandNotFound"
    assert "definitely-not-a-command-gra" in run.termination["message"]


def test_invalid_arguments_exit_2_without_running_anything(run: Run):
    result = run("--command", "true", "--module", "x")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
    assert run.termination["reason"] == "InvalidArguments"
    assert "not allowed with argument" in run.termination["message"]

    result = run("--env", "NOEQUALS", "--command", "touch", "--", "ran")
    assert result.returncode == 2
    assert not (run.workdir / "ran").exists()
    assert run.termination["reason"] == "InvalidArguments"


def test_env_and_workdir_reach_the_command(run: Run):
    sub = run.workdir / "sub"
    sub.mkdir()

    result = subprocess.run(
        [sys.executable, str(GRA_RUN), "--workdir", str(sub), "--env", "GREETING=hello there", "--command", "sh", "--",
         "-c", 'echo "$GREETING from $(pwd)"'],
        capture_output=True, text=True, timeout=60, env=run.env(GRA_ARTIFACT_DIR=str(run.artifacts)),
    )

    assert result.returncode == 0, result.stderr
    assert f"hello there from {sub}" in result.stdout
    assert (run.artifacts / "run.json").exists(), "GRA_ARTIFACT_DIR is the default artifact directory"


def test_sigterm_is_forwarded_and_the_run_is_still_recorded(run: Run):
    process = run.start("--command", "sh", "--", "-c", "echo started; sleep 300")
    wait_for(lambda: (run.artifacts / "run.log").exists() and "started" in (run.artifacts / "run.log").read_text(),
             what="the command to start")

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=20) == 143
    record = run.record
    assert record["signal"] == "SIGTERM"
    assert record["exitCode"] == 143
    assert record["reason"] == "Signaled"
    assert run.termination["signal"] == "SIGTERM"


def test_the_termination_message_stays_within_4096_bytes(run: Run):
    result = run("--command", sys.executable, "--", "-c", "import sys; [print('é' * 300) for _ in range(200)]; sys.exit(1)")

    assert result.returncode == 1
    raw = run.termination_log.read_bytes()
    assert len(raw) <= 4096
    summary = json.loads(raw)
    assert summary["exitCode"] == 1
    assert summary["message"]


def test_artifacts_that_do_not_fit_the_termination_message_are_counted_not_listed(run: Run):
    script = "import pathlib; d = pathlib.Path('out'); d.mkdir(); [(d / f'{i:03d}-{\"x\" * 60}.txt').write_text(str(i)) for i in range(60)]"
    result = run("--artifact", "out/**", "--command", sys.executable, "--", "-c", script)

    assert result.returncode == 0, result.stderr
    raw = run.termination_log.read_bytes()
    assert len(raw) <= 4096
    summary = json.loads(raw)
    assert summary["artifacts"] == 60
    assert "files" not in summary
    assert summary["filesOmitted"] == 60
    assert len(run.record["artifacts"]) == 60


def test_run_json_exists_while_the_command_runs(run: Run):
    process = run.start("--command", "sleep", "--", "300")
    try:
        wait_for(lambda: (run.artifacts / "run.json").exists(), what="the initial run.json")
        assert run.record["phase"] == "Running"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture
def git_repo(tmp_path: Path) -> tuple[str, str]:
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git is not installed")
    source = tmp_path / "source"
    source.mkdir()
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(source), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()

    git("init", "-q", "-b", "main")
    (source / "train.py").write_text("print('version one')\n")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    first = git("rev-parse", "HEAD")
    git("tag", "v1")
    (source / "train.py").write_text("print('version two')\n")
    git("commit", "-q", "-am", "two")
    return f"file://{source}", first


def test_git_checkout_of_a_tag_then_a_retry_in_the_same_workdir(run: Run, git_repo: tuple[str, str]):
    url, first = git_repo

    result = run("--git-repo", url, "--git-ref", "v1", "--script", "train.py")

    assert result.returncode == 0, result.stderr
    assert "version one" in result.stdout
    assert run.record["git"]["commit"] == first

    again = run("--git-repo", url, "--git-ref", "main", "--script", "train.py")
    assert again.returncode == 0, again.stderr
    assert "version two" in again.stdout


def test_a_failing_clone_reports_git_clone_failed(run: Run, tmp_path: Path):
    result = run("--git-repo", f"file://{tmp_path}/no-such-repo", "--git-ref", "main", "--command", "touch", "--", "ran")

    assert result.returncode != 0
    assert not (run.workdir / "ran").exists()
    assert run.record["reason"] == "GitCloneFailed"
    summary = run.termination
    assert summary["reason"] == "GitCloneFailed"
    assert summary["exitCode"] == result.returncode
    assert "git-fetch failed" in summary["message"]


def test_cloning_into_a_non_empty_directory_that_is_not_a_repo_fails_clearly(run: Run, git_repo: tuple[str, str]):
    (run.workdir / "notes.txt").write_text("mine")

    result = run("--git-repo", git_repo[0], "--command", "true")

    assert result.returncode == 1
    assert run.termination["reason"] == "GitCloneFailed"
    assert "not empty and not a git repository" in run.termination["message"]


def fsspec_or_skip() -> None:
    probe = subprocess.run([sys.executable, "-c", "import fsspec"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("fsspec is not installed (pip install fsspec; the runner image has it with s3fs)")


def test_upload_copies_the_record_the_log_and_the_artifacts(run: Run, tmp_path: Path):
    fsspec_or_skip()
    bucket = tmp_path / "bucket"

    result = run(
        "--artifact", "out/*.txt", "--upload", f"file://{bucket}/jobs/trace-1/2",
        "--command", "sh", "--", "-c", "mkdir -p out && echo result > out/r.txt",
    )

    assert result.returncode == 0, result.stderr
    target = bucket / "jobs" / "trace-1" / "2"
    assert (target / "out" / "r.txt").read_text() == "result\n"
    uploaded = json.loads((target / "run.json").read_text())
    assert uploaded["upload"]["url"] == f"file://{bucket}/jobs/trace-1/2"
    assert uploaded["artifacts"][0]["sha256"] == hashlib.sha256(b"result\n").hexdigest()
    assert (target / "run.log").exists()
    assert run.record["upload"]["files"] == 3
    assert run.termination["upload"] == f"file://{bucket}/jobs/trace-1/2"


def test_a_failed_upload_fails_an_otherwise_successful_run(run: Run):
    fsspec_or_skip()

    result = run("--upload", "nosuchprotocol://bucket/x", "--command", "true")

    assert result.returncode == 1
    assert run.record["reason"] == "ArtifactUploadFailed"
    assert "nosuchprotocol" in run.record["upload"]["error"]
    summary = run.termination
    assert summary["reason"] == "ArtifactUploadFailed"
    assert summary["exitCode"] == 1
    assert "nosuchprotocol" in summary["uploadError"]


def test_a_failed_command_keeps_its_code_and_still_uploads(run: Run, tmp_path: Path):
    fsspec_or_skip()
    bucket = tmp_path / "bucket"

    result = run("--upload", f"file://{bucket}", "--command", "sh", "--", "-c", "echo partial; exit 4")

    assert result.returncode == 4
    assert run.record["reason"] == "Failed"
    assert "partial" in (bucket / "run.log").read_text()


def test_git_clone_into_the_default_workdir_that_also_holds_run_json(tmp_path: Path, git_repo: tuple[str, str]):
    url, _ = git_repo
    workdir = tmp_path / "checkout"
    workdir.mkdir()

    result = subprocess.run(
        [sys.executable, str(GRA_RUN), "--workdir", str(workdir), "--git-repo", url, "--git-ref", "v1",
         "--artifact", "*.py", "--script", "train.py"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "GRA_TERMINATION_LOG": str(tmp_path / "term")},
    )

    assert result.returncode == 0, result.stderr
    assert "version one" in result.stdout
    record = json.loads((workdir / "run.json").read_text())
    assert record["reason"] == "Succeeded"
    assert [a["path"] for a in record["artifacts"]] == ["train.py"]
    assert (workdir / "run.log").exists()


def pid_namespace_or_skip() -> list[str]:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("needs root and unshare to give gra-run a pid namespace of its own")
    return [unshare, "--pid", "--fork", "--mount-proc"]


def test_as_pid_1_it_reaps_orphans_and_keeps_the_exit_code(run: Run):
    prefix = pid_namespace_or_skip()
    script = "(sleep 0.2 &); (sleep 0.2 &); sleep 1; for s in /proc/[0-9]*/stat; do cut -d' ' -f3 $s; done; exit 5"

    result = subprocess.run(
        prefix + run.argv("--command", "sh", "--", "-c", script), capture_output=True, text=True, timeout=60, env=run.env()
    )

    assert result.returncode == 5, result.stderr
    states = [line for line in result.stdout.split() if len(line) == 1]
    assert states and "Z" not in states, result.stdout
    assert run.termination["exitCode"] == 5


def test_as_pid_1_sigterm_reaches_the_command(run: Run):
    prefix = pid_namespace_or_skip()
    process = subprocess.Popen(
        prefix + run.argv("--command", "sh", "--", "-c", "echo started; sleep 300"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=run.env(),
    )
    wait_for(lambda: (run.artifacts / "run.log").exists() and "started" in (run.artifacts / "run.log").read_text(),
             what="the command to start")
    init = next(int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split())

    os.kill(init, signal.SIGTERM)

    assert process.wait(timeout=20) == 143
    assert run.record["signal"] == "SIGTERM"
