"""Helpers and fixtures for the runner image tests. conftest.py registers the fixtures; the
tests import the helpers from here (a module name no other test directory uses).

The scripts of images/runner run here as real processes, with no container engine.

The entrypoint and sshd run as UID 1000 like in the image: as root the tests switch to that
user with setpriv (creating a throwaway user `runner` with UID 1000 when none exists); as any
other user they run as that user. The scripts are copied into a fresh directory that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER_DIR = REPO / "images" / "runner"
SSHD = Path("/usr/sbin/sshd")
RUNNER_UID = 1000
SCRIPTS = ["gra-runner", "healthcheck", "gra-sessions", "gra-run", "sshd_config"]


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: str

    def command(self, argv: list[str]) -> list[str]:
        """argv run as this user (through setpriv when the tests run as root)."""
        if os.geteuid() == self.uid:
            return argv
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--", *argv]


def _ensure_runner_user() -> User:
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return User(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir)
    try:
        entry = pwd.getpwuid(RUNNER_UID)
    except KeyError:
        if shutil.which("useradd") is None:
            pytest.skip("UID 1000 has no user and useradd is missing")
        subprocess.run(
            ["useradd", "--uid", str(RUNNER_UID), "--user-group", "--create-home", "--shell", "/bin/bash", "runner"],
            check=True,
        )
        entry = pwd.getpwuid(RUNNER_UID)
    if entry.pw_shell.endswith(("nologin", "false")):
        pytest.skip(f"the user with UID 1000 ({entry.pw_name}) has no login shell ({entry.pw_shell}); ssh commands need one")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run as UID 1000")
    user = User(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir)
    probe = subprocess.run(
        user.command(["python3", "-c", "pass"]), env={"PATH": "/usr/local/bin:/usr/bin:/bin"}, capture_output=True, cwd="/"
    )
    if probe.returncode != 0:
        pytest.skip("no python3 on /usr/local/bin:/usr/bin:/bin that UID 1000 can run (apt-get install python3)")
    return user


@pytest.fixture(scope="session")
def runner_user() -> User:
    return _ensure_runner_user()


@pytest.fixture(scope="session")
def require_sshd() -> None:
    if not SSHD.exists():
        pytest.skip("/usr/sbin/sshd is missing: apt-get install openssh-server (.ci/run does)")
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing: apt-get install openssh-client")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def ssh_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.settimeout(2)
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


def children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("PPid:"):
                    tree.setdefault(int(line.split()[1]), []).append(int(entry.name))
                    break
        except OSError:
            continue
    return tree


def descendants(pid: int) -> list[int]:
    tree = children_map()
    found, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL for pid and everything below it (by pid, found through /proc)."""
    for target in [*descendants(pid), pid]:
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass


@dataclass
class Sandbox:
    """A directory owned by the runner user with copies of the scripts, a workspace, a home,
    an sshd directory, and a client key pair (owned by the test process)."""

    root: Path
    user: User
    port: int
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def sshd_dir(self) -> Path:
        return self.root / "sshd"

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def key(self) -> Path:
        return self.root / "client" / "id_ed25519"

    @property
    def public_key(self) -> str:
        return (self.root / "client" / "id_ed25519.pub").read_text().strip()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.root / "home"),
            "LANG": "C.UTF-8",
            "GRA_SSHD_DIR": str(self.sshd_dir),
            "GRA_SSH_PORT": str(self.port),
            "GRA_WORKSPACE": str(self.workspace),
            "GRA_AUTHORIZED_KEYS_FILE": str(self.root / "mounted" / "authorized_keys"),
        }
        env.update(extra)
        return env

    def start(self, *args: str, keys: bool = True, **env: str) -> subprocess.Popen:
        """Starts gra-runner ARGS as the runner user; its log goes to sandbox/runner.log."""
        if keys:
            env.setdefault("GRA_AUTHORIZED_KEYS", self.public_key)
        log = open(self.root / "runner.log", "ab")
        process = subprocess.Popen(
            self.user.command([str(self.bin / "gra-runner"), *args]),
            env=self.env(**env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workspace,
        )
        log.close()
        self.processes.append(process)
        return process

    def log(self) -> str:
        path = self.root / "runner.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for_sshd(self, process: subprocess.Popen | None = None) -> None:
        def ready() -> bool:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"gra-runner exited with {process.returncode}:\n{self.log()}")
            return ssh_banner(self.port)

        try:
            wait_for(ready, what=f"sshd on port {self.port}")
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- gra-runner log ---\n{self.log()}") from None

    def run_as_user(self, argv: list[str], **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.user.command(argv), env=self.env(**env), capture_output=True, text=True, timeout=60, cwd=self.workspace
        )

    def healthcheck(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return self.run_as_user([str(self.bin / "healthcheck"), *args], **env)

    def ssh(self, user: str, *command: str, extra: list[str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        argv = [
            "ssh", "-F", "/dev/null", "-i", str(self.key), "-p", str(self.port),
            "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={self.root / 'client' / 'known_hosts'}",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR",
            *(extra or []), f"{user}@127.0.0.1", *command,
        ]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def sandbox(runner_user: User):
    root = Path(tempfile.mkdtemp(prefix="gra-images-"))
    os.chmod(root, 0o755)
    for name in ("bin", "home", "workspace", "mounted", "client"):
        (root / name).mkdir()
    for name in SCRIPTS:
        shutil.copy2(RUNNER_DIR / name, root / "bin" / name)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gra-test", "-f", str(root / "client" / "id_ed25519")],
        check=True,
    )
    if os.geteuid() == 0:
        for name in ("bin", "home", "workspace", "mounted"):
            for path in [root / name, *(root / name).rglob("*")]:
                os.chown(path, runner_user.uid, runner_user.gid)
        os.chown(root, runner_user.uid, runner_user.gid)
    box = Sandbox(root=root, user=runner_user, port=free_port())
    try:
        yield box
    finally:
        box.stop_all()
        # An sshd (and its sessions) that outlived its runner in a failed test ends here.
        pidfile = box.sshd_dir / "sshd.pid"
        if pidfile.exists():
            try:
                kill_tree(int(pidfile.read_text().strip()))
            except ValueError:
                pass
        shutil.rmtree(root, ignore_errors=True)
