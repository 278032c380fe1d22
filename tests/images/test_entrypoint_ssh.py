"""gra-runner, the project's sshd_config, healthcheck and gra-sessions, with Debian's real sshd
running as UID 1000 on a free port and the real ssh client."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from gra_images_support import Sandbox, pid_alive, ssh_banner, wait_for

pytestmark = pytest.mark.usefixtures("require_sshd")


def sshd_pid(box: Sandbox) -> int:
    return int((box.sshd_dir / "sshd.pid").read_text().strip())


def test_ssh_with_a_key_runs_python_as_the_runner_user(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    result = sandbox.ssh(sandbox.user.name, "python3 -c 'print(6*7)'; id -u; pwd")

    assert result.returncode == 0, result.stderr + sandbox.log()
    lines = result.stdout.split()
    assert lines[0] == "42"
    assert lines[1] == str(sandbox.user.uid)
    assert "Accepted publickey for " + sandbox.user.name in sandbox.log()


def test_keys_from_the_mounted_file_work_too(sandbox: Sandbox):
    mounted = sandbox.root / "mounted" / "authorized_keys"
    mounted.write_text("# mounted from a Secret\n" + sandbox.public_key + "\n")
    runner = sandbox.start(keys=False)
    sandbox.wait_for_sshd(runner)

    result = sandbox.ssh(sandbox.user.name, "echo", "mounted-key-ok")

    assert result.returncode == 0, result.stderr + sandbox.log()
    assert result.stdout.strip() == "mounted-key-ok"


def test_host_keys_are_generated_at_start_into_the_writable_dir(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    for name in ("ssh_host_ed25519_key", "ssh_host_ecdsa_key"):
        key = sandbox.sshd_dir / name
        info = key.stat()
        assert info.st_uid == sandbox.user.uid
        assert stat.S_IMODE(info.st_mode) == 0o600
    assert stat.S_IMODE(sandbox.sshd_dir.stat().st_mode) == 0o700
    keys = sandbox.sshd_dir / "authorized_keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert sandbox.public_key in keys.read_text()

    # The client saw exactly the generated ed25519 host key.
    generated = (sandbox.sshd_dir / "ssh_host_ed25519_key.pub").read_text().split()[1]
    result = sandbox.ssh(sandbox.user.name, "true", extra=["-o", "HostKeyAlgorithms=ssh-ed25519"])
    assert result.returncode == 0, result.stderr
    known = (sandbox.root / "client" / "known_hosts").read_text()
    assert generated in known


def test_effective_sshd_configuration_is_keys_only_without_root(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    result = sandbox.run_as_user(["/usr/sbin/sshd", "-T", "-f", str(sandbox.sshd_dir / "sshd_config")])

    assert result.returncode == 0, result.stderr
    effective = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        effective.setdefault(key, value)
    assert effective["port"] == str(sandbox.port)
    assert effective["passwordauthentication"] == "no"
    assert effective["kbdinteractiveauthentication"] == "no"
    assert effective["pubkeyauthentication"] == "yes"
    assert effective["permitrootlogin"] == "no"
    assert effective["usepam"] == "no"
    assert effective["allowusers"] == sandbox.user.name
    assert effective["allowtcpforwarding"] == "yes"
    assert effective["x11forwarding"] == "no"
    assert effective["loglevel"] == "VERBOSE"
    assert effective["subsystem"] == "sftp internal-sftp"
    assert effective["hostkey"].startswith(str(sandbox.sshd_dir))
    assert effective["pidfile"] == str(sandbox.sshd_dir / "sshd.pid")


def test_password_login_is_refused(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    # A client that would answer any password prompt with a password, and has no key to offer.
    askpass = sandbox.root / "client" / "askpass"
    askpass.write_text("#!/bin/sh\necho hunter2\n")
    askpass.chmod(0o755)
    argv = [
        "ssh", "-F", "/dev/null", "-v", "-p", str(sandbox.port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive",
        "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10",
        f"{sandbox.user.name}@127.0.0.1", "true",
    ]
    env = dict(os.environ, SSH_ASKPASS=str(askpass), SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")

    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)

    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    assert "Authentications that can continue: publickey\n" in result.stderr
    assert "hunter2" not in sandbox.log()


def test_root_login_is_refused_even_with_an_authorized_key(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    result = sandbox.ssh("root", "id")

    assert result.returncode == 255
    assert "Permission denied" in result.stderr
    assert result.stdout == ""
    wait_for(lambda: "root" in sandbox.log(), timeout=5, what="sshd to log the refused root login")


def test_without_authorized_keys_sshd_is_not_started_and_the_healthcheck_says_why(sandbox: Sandbox):
    runner = sandbox.start(keys=False)
    wait_for(lambda: (sandbox.sshd_dir / "status").exists(), what="gra-runner's status file")
    time.sleep(0.5)

    assert runner.poll() is None, sandbox.log()
    assert "sshd not started: no authorized keys" in sandbox.log()
    assert not (sandbox.sshd_dir / "sshd.pid").exists()
    assert not ssh_banner(sandbox.port)

    optional = sandbox.healthcheck()
    assert optional.returncode == 0, optional.stderr
    assert "ssh: off (no authorized keys: set GRA_AUTHORIZED_KEYS or mount" in optional.stdout

    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=10) == 143

    required = sandbox.start(keys=False, GRA_SSH="on")
    wait_for(lambda: "ssh is required" in sandbox.log(), what="gra-runner to give up on ssh")
    result = sandbox.healthcheck(GRA_SSH="on")
    assert result.returncode == 1
    assert "unhealthy: ssh: sshd not running: no authorized keys" in result.stderr
    assert required.poll() is None


def test_healthcheck_passes_with_sshd_and_fails_when_sshd_is_gone(sandbox: Sandbox):
    runner = sandbox.start("sleep", "300")
    sandbox.wait_for_sshd(runner)

    healthy = sandbox.healthcheck()
    assert healthy.returncode == 0, healthy.stderr
    assert healthy.stdout.strip() == "healthy"

    os.kill(sshd_pid(sandbox), signal.SIGKILL)
    wait_for(lambda: not ssh_banner(sandbox.port), what="sshd to stop listening")
    wait_for(lambda: "sshd exited" in sandbox.log(), what="gra-runner to notice")

    unhealthy = sandbox.healthcheck()
    assert unhealthy.returncode == 1
    assert "unhealthy: ssh: sshd not running: sshd exited with status 137" in unhealthy.stderr
    assert runner.poll() is None, "a command keeps running when sshd dies"


def test_healthcheck_fails_on_an_unwritable_workspace(sandbox: Sandbox, runner_user):
    readonly = sandbox.root / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)

    result = sandbox.healthcheck(GRA_WORKSPACE=str(readonly))

    if os.geteuid() != 0 or runner_user.uid != 0:
        assert result.returncode == 1
        assert f"unhealthy: workspace {readonly} is not writable by UID {runner_user.uid}" in result.stderr
    missing = sandbox.healthcheck(GRA_WORKSPACE=str(sandbox.root / "nope"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr


def test_sigterm_stops_sshd_and_sessions_and_exits_143(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    listener = sshd_pid(sandbox)
    session = subprocess.Popen(
        ["ssh", "-F", "/dev/null", "-i", str(sandbox.key), "-p", str(sandbox.port), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
         f"{sandbox.user.name}@127.0.0.1", "cat"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: sandbox.run_as_user([str(sandbox.bin / "gra-sessions")]).stdout.strip() == "1",
                 what="the session to be counted")

        runner.send_signal(signal.SIGTERM)

        assert runner.wait(timeout=20) == 143
        assert not pid_alive(listener)
        assert not ssh_banner(sandbox.port)
        assert session.wait(timeout=20) != 0, "the live ssh session ends with the runner"
        assert "received SIGTERM" in sandbox.log()
    finally:
        if session.poll() is None:
            session.kill()
            session.wait()


def test_a_command_runs_beside_sshd_and_gives_its_exit_code(sandbox: Sandbox):
    runner = sandbox.start("--", "sh", "-c", "echo in-command; exit 7")

    assert runner.wait(timeout=20) == 7
    assert "in-command" in sandbox.log()
    pid = int((sandbox.sshd_dir / "status").read_text().split("pid=")[-1].split()[0]) if "pid=" in (
        sandbox.sshd_dir / "status").read_text() else None
    assert "state=stopped" in (sandbox.sshd_dir / "status").read_text()
    if pid is not None:
        assert not pid_alive(pid)


def test_sigterm_is_forwarded_to_the_command_and_its_code_returned(sandbox: Sandbox):
    program = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (print('child got SIGTERM', flush=True), sys.exit(5)))\n"
        "print('child ready', flush=True)\n"
        "time.sleep(300)\n"
    )
    runner = sandbox.start("python3", "-c", program)
    sandbox.wait_for_sshd(runner)
    wait_for(lambda: "child ready" in sandbox.log(), what="the command to start")

    runner.send_signal(signal.SIGTERM)

    assert runner.wait(timeout=20) == 5
    assert "child got SIGTERM" in sandbox.log()
    assert not ssh_banner(sandbox.port)


def test_a_command_without_a_handler_ends_with_143_on_sigterm(sandbox: Sandbox):
    runner = sandbox.start("sleep", "300", keys=False)
    wait_for(lambda: (sandbox.sshd_dir / "status").exists(), what="gra-runner to start")
    time.sleep(0.3)

    runner.send_signal(signal.SIGTERM)

    assert runner.wait(timeout=20) == 143


def test_sigint_reaches_a_python_command_as_keyboard_interrupt(sandbox: Sandbox):
    program = (
        "import time\n"
        "print('ready', flush=True)\n"
        "try:\n    time.sleep(300)\n"
        "except KeyboardInterrupt:\n    print('interrupted', flush=True); raise SystemExit(9)\n"
    )
    runner = sandbox.start("python3", "-c", program, keys=False)
    wait_for(lambda: "ready" in sandbox.log(), what="the command to start")

    runner.send_signal(signal.SIGINT)

    assert runner.wait(timeout=20) == 9
    assert "interrupted" in sandbox.log()


def test_gra_sessions_counts_live_sessions(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    count = lambda: sandbox.run_as_user([str(sandbox.bin / "gra-sessions")]).stdout.strip()  # noqa: E731
    assert count() == "0"

    sessions = [
        subprocess.Popen(
            ["ssh", "-F", "/dev/null", "-i", str(sandbox.key), "-p", str(sandbox.port), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
             f"{sandbox.user.name}@127.0.0.1", "cat"],
            # `cat` on the session's stdin ends with the connection; a `sleep` would outlive it.
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        wait_for(lambda: count() == "2", what="two sessions")
        listing = sandbox.run_as_user([str(sandbox.bin / "gra-sessions"), "-v"]).stdout.splitlines()
        assert listing[0] == "2"
        assert all(f"{sandbox.user.name}@notty" in line for line in listing[1:])
        assert "Starting session: command for " + sandbox.user.name in sandbox.log()

        sessions[0].terminate()
        sessions[0].wait(timeout=10)
        wait_for(lambda: count() == "1", what="one session left")
    finally:
        for session in sessions:
            if session.poll() is None:
                session.terminate()
                session.wait(timeout=10)
    wait_for(lambda: count() == "0", what="no session left")


def test_ssh_sessions_see_the_container_path_and_passed_variables(sandbox: Sandbox):
    runner = sandbox.start(S3_BUCKET="gra-test-bucket", SECRET_NOT_PASSED="nope")
    sandbox.wait_for_sshd(runner)

    result = sandbox.ssh(sandbox.user.name, 'echo "$PATH"; echo "${S3_BUCKET:-unset}"; echo "${SECRET_NOT_PASSED:-unset}"')

    assert result.returncode == 0, result.stderr
    path, bucket, secret = result.stdout.splitlines()
    assert path.startswith(str(sandbox.bin) + ":")
    assert bucket == "gra-test-bucket"
    assert secret == "unset"


def test_sftp_works_for_file_sync(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    local = sandbox.root / "client" / "data.csv"
    local.write_text("a,b\n1,2\n")
    batch = sandbox.root / "client" / "batch"
    batch.write_text(f"put {local} {sandbox.workspace}/data.csv\n")

    result = subprocess.run(
        ["sftp", "-F", "/dev/null", "-i", str(sandbox.key), "-P", str(sandbox.port), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-b", str(batch), f"{sandbox.user.name}@127.0.0.1"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )

    assert result.returncode == 0, result.stderr
    copied = sandbox.workspace / "data.csv"
    assert copied.read_text() == "a,b\n1,2\n"
    assert copied.stat().st_uid == sandbox.user.uid


def test_without_a_command_the_runner_exits_non_zero_when_sshd_dies(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    os.kill(sshd_pid(sandbox), signal.SIGKILL)

    assert runner.wait(timeout=20) == 137, "the kubelet restarts a runner whose sshd died"
    assert "sshd exited with status 137" in sandbox.log()


def test_a_uid_without_a_passwd_entry_gets_no_sshd_and_a_reason(sandbox: Sandbox):
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to a UID without a passwd entry")
    import pwd

    uid = 54321
    with pytest.raises(KeyError):
        pwd.getpwuid(uid)
    for path in [sandbox.root, *sandbox.root.rglob("*")]:
        if "client" not in path.parts:
            os.chown(path, uid, uid)
    log = open(sandbox.root / "runner.log", "ab")
    runner = subprocess.Popen(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", str(sandbox.bin / "gra-runner")],
        env=sandbox.env(GRA_AUTHORIZED_KEYS=sandbox.public_key), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    sandbox.processes.append(runner)
    wait_for(lambda: (sandbox.sshd_dir / "status").exists(), what="the status file")

    status = (sandbox.sshd_dir / "status").read_text()
    assert "state=failed" in status
    assert f"reason=UID {uid} has no user name" in status
    assert runner.poll() is None, "the container keeps running for kubectl exec"
    result = subprocess.run(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", str(sandbox.bin / "healthcheck")],
        env=sandbox.env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "has no user name (sshd needs a passwd entry)" in result.stderr


def test_a_read_only_home_does_not_stop_the_runner(sandbox: Sandbox):
    home = sandbox.root / "home"
    home.chmod(0o555)
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)

    assert "cannot create" in sandbox.log() and ".ssh" in sandbox.log()
    assert sandbox.ssh(sandbox.user.name, "true").returncode == 0


def test_ssh_off_never_starts_sshd_even_with_keys(sandbox: Sandbox):
    runner = sandbox.start("sh", "-c", "sleep 1; echo done", GRA_SSH="off")

    assert runner.wait(timeout=20) == 0
    assert not (sandbox.sshd_dir / "sshd.pid").exists()
    assert "state=disabled" in (sandbox.sshd_dir / "status").read_text()
    assert sandbox.log().strip() == "done", "nothing about sshd in the log"


def test_the_healthcheck_leaves_no_line_in_sshds_log_unless_asked_to_connect(sandbox: Sandbox):
    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    time.sleep(0.3)
    before = sandbox.log().count("Connection from")

    for _ in range(3):
        assert sandbox.healthcheck().returncode == 0
    time.sleep(0.3)
    assert sandbox.log().count("Connection from") == before

    banner = sandbox.healthcheck("--ssh", GRA_HEALTH_SSH_BANNER="1")
    assert banner.returncode == 0, banner.stderr
    wait_for(lambda: sandbox.log().count("Connection from") == before + 1, timeout=5, what="the banner check's connection")


def test_the_healthcheck_fails_when_nothing_listens_on_the_recorded_port(sandbox: Sandbox):
    from gra_images_support import free_port

    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    status = sandbox.sshd_dir / "status"
    other = free_port()
    rewritten = status.read_text().replace(f"port={sandbox.port}", f"port={other}")
    sandbox.run_as_user(["sh", "-c", f"printf '%s' '{rewritten}' > {status}"])

    result = sandbox.healthcheck("--ssh")

    assert result.returncode == 1
    assert f"no socket listens on port {other}" in result.stderr


def _pid_namespace() -> list[str]:
    import shutil

    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("needs root and unshare to run gra-runner as pid 1 of a pid namespace")
    return [unshare, "--pid", "--fork", "--mount-proc"]


def test_as_pid_1_gra_runner_reaps_orphans_and_stops_on_sigterm(sandbox: Sandbox):
    prefix = _pid_namespace()
    script = (
        "(sleep 0.2 &); (sleep 0.2 &); sleep 1; "
        "echo \"STATES $(cat /proc/[0-9]*/stat | cut -d' ' -f3 | tr -d '\\n')\"; exec sleep 300"
    )
    log = open(sandbox.root / "runner.log", "ab")
    process = subprocess.Popen(
        prefix + [str(sandbox.bin / "gra-runner"), "sh", "-c", script],
        env=sandbox.env(GRA_SSH="off"), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    log.close()
    sandbox.processes.append(process)
    line = wait_for(lambda: next((l for l in sandbox.log().splitlines() if l.startswith("STATES ")), None),
                    what="the process states")
    assert len(line.split()[1]) >= 3, line
    assert "Z" not in line, line
    init = int(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()[0])

    os.kill(init, signal.SIGTERM)

    assert process.wait(timeout=20) == 143


def test_scp_and_rsync_sync_files_both_ways(sandbox: Sandbox):
    import shutil

    runner = sandbox.start()
    sandbox.wait_for_sshd(runner)
    local = sandbox.root / "client" / "up.txt"
    local.write_text("up\n")
    ssh_command = (f"ssh -F /dev/null -i {sandbox.key} -p {sandbox.port} -o StrictHostKeyChecking=no "
                   "-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR")

    scp = subprocess.run(
        ["scp", "-F", "/dev/null", "-i", str(sandbox.key), "-P", str(sandbox.port), "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", str(local),
         f"{sandbox.user.name}@127.0.0.1:{sandbox.workspace}/up.txt"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert scp.returncode == 0, scp.stderr
    assert (sandbox.workspace / "up.txt").read_text() == "up\n"

    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed here (apt-get install rsync); scp worked")
    (sandbox.root / "client" / "tree" / "sub").mkdir(parents=True)
    (sandbox.root / "client" / "tree" / "sub" / "a.py").write_text("print(1)\n")
    up = subprocess.run(
        ["rsync", "-a", "-e", ssh_command, f"{sandbox.root}/client/tree/", f"{sandbox.user.name}@127.0.0.1:{sandbox.workspace}/tree/"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert up.returncode == 0, up.stderr
    assert (sandbox.workspace / "tree" / "sub" / "a.py").read_text() == "print(1)\n"
    sandbox.ssh(sandbox.user.name, f"echo result > {sandbox.workspace}/tree/out.txt")
    down = subprocess.run(
        ["rsync", "-a", "-e", ssh_command, f"{sandbox.user.name}@127.0.0.1:{sandbox.workspace}/tree/", f"{sandbox.root}/client/back/"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert down.returncode == 0, down.stderr
    assert (sandbox.root / "client" / "back" / "out.txt").read_text() == "result\n"


def test_mounted_host_keys_are_used_so_clients_keep_trusting_the_runner(sandbox: Sandbox):
    # Laid out like a Secret volume: group/world-readable files behind a ..data symlink.
    secret = sandbox.root / "mounted" / "host-keys"
    data = secret / "..2026_11_21"
    data.mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stable", "-f", str(data / "ssh_host_ed25519_key")],
                   check=True)
    (data / "ssh_host_ed25519_key").chmod(0o644)
    (secret / "..data").symlink_to(data.name)
    (secret / "ssh_host_ed25519_key").symlink_to("..data/ssh_host_ed25519_key")
    public = (data / "ssh_host_ed25519_key.pub").read_text().split()
    known_hosts = sandbox.root / "client" / "known_hosts_strict"
    known_hosts.write_text(f"[127.0.0.1]:{sandbox.port} {public[0]} {public[1]}\n")

    runner = sandbox.start(GRA_SSH_HOST_KEYS_DIR=str(secret))
    sandbox.wait_for_sshd(runner)
    result = sandbox.ssh(sandbox.user.name, "echo trusted",
                         extra=["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}"])

    assert result.returncode == 0, result.stderr + sandbox.log()
    assert result.stdout.strip() == "trusted"
    assert f"using 1 host key(s) from {secret}" in sandbox.log()
    config = (sandbox.sshd_dir / "sshd_config").read_text()
    assert [l for l in config.splitlines() if l.startswith("HostKey ")] == [f"HostKey {sandbox.sshd_dir}/ssh_host_ed25519_key"]
    assert "Unable to load host key" not in sandbox.log()


def test_the_operators_host_key_secret_gives_the_same_host_key_to_every_new_pod(sandbox: Sandbox):
    # As the Runner controller's NAME-ssh-host-keys Secret is mounted: the private key and its
    # .pub beside it, mode 0444, behind ..data. Each "pod" starts with an empty sshd directory.
    secret = sandbox.root / "mounted" / "ssh-host-keys"
    data = secret / "..2026_11_21_22_00"
    data.mkdir(parents=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "demo@team-a.gra", "-f",
                    str(data / "ssh_host_ed25519_key")], check=True)
    for name in ("ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"):
        (data / name).chmod(0o444)
        (secret / name).symlink_to(f"..data/{name}")
    (secret / "..data").symlink_to(data.name)
    known_hosts = sandbox.root / "client" / "known_hosts_pods"
    strict = ["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}"]
    public = (data / "ssh_host_ed25519_key.pub").read_text().split()
    known_hosts.write_text(f"[127.0.0.1]:{sandbox.port} {public[0]} {public[1]}\n")

    for pod in ("first", "second"):
        sshd_dir = sandbox.root / f"sshd-{pod}"
        runner = sandbox.start(GRA_SSH_HOST_KEYS_DIR=str(secret), GRA_SSHD_DIR=str(sshd_dir))
        sandbox.wait_for_sshd(runner)
        result = sandbox.ssh(sandbox.user.name, f"echo {pod}", extra=strict)
        assert result.returncode == 0, result.stderr + sandbox.log()
        assert result.stdout.strip() == pod
        # Only the private key becomes a HostKey (the .pub is not mistaken for one), as 0600.
        config = (sshd_dir / "sshd_config").read_text()
        assert [l for l in config.splitlines() if l.startswith("HostKey ")] == [f"HostKey {sshd_dir}/ssh_host_ed25519_key"]
        assert (sshd_dir / "ssh_host_ed25519_key").stat().st_mode & 0o777 == 0o600
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=20) == 143
