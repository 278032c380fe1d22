"""`kubectl gra` end to end against the whole local cluster: `gra-operator local` with the local
kubelet (pods run as local processes), the operator and the exec bridge (served through the API
server as the aggregated `exec.gra.dev` group). The full gractl flow — create, exec through the
bridge, cp in and out, python, a tracer job with --wait, results, ssh, suspend, resume, delete —
each step asserting what a user sees, plus RBAC: the bridge needs `runners/exec`, not
`pods/exec`. Every wait polls with a deadline."""

import hashlib
import json
import os
import pathlib
import pwd
import re
import shutil
import socket
import subprocess
import time

import pytest

from gra_cluster import PLUGIN, local_cluster, run_built, needs_binaries

pytestmark = needs_binaries


def poll(what, check, timeout=60, interval=0.2):
    """Calls check() until it returns something truthy; fails with `what` after the deadline."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"{what} within {timeout}s (last: {last!r})")


def kubectl(env, *args, stdin=None, check=True):
    r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin, timeout=60)
    if check:
        assert r.returncode == 0, f"kubectl {' '.join(args)}: {r.stderr}"
    return r


@pytest.fixture(scope="module")
def cluster():
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    # bob may use runners and runners/exec but not pods/exec; carol may only read runners.
    tokens = 'bob-token,bob,uid-bob,"devs"\ncarol-token,carol,uid-carol,"viewers"\n'
    with local_cluster(kubelet=True, operator=True, tokens=tokens, prefix="gra-plugin-cluster-") as c:
        if "(limited:" in c.log() or "could not start" in c.log():
            pytest.skip("the local kubelet cannot run pods here (needs root and util-linux)")
        tmp = c.dir
        env = c.env
        roles = {
            "dev": [{"apiGroups": ["gra.dev"], "resources": ["runners", "tracerjobs"], "verbs": ["get", "list", "create"]},
                    {"apiGroups": ["gra.dev", "exec.gra.dev"], "resources": ["runners/exec"], "verbs": ["create"]}],
            "viewer": [{"apiGroups": ["gra.dev"], "resources": ["runners"], "verbs": ["get", "list"]}],
        }
        for role, rules in roles.items():
            kubectl(env, "apply", "-f", "-", stdin=json.dumps(
                {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                 "metadata": {"name": role, "namespace": "default"}, "rules": rules}))
        kubectl(env, "create", "rolebinding", "bob-dev", "--role=dev", "--user=bob")
        kubectl(env, "create", "rolebinding", "carol-viewer", "--role=viewer", "--user=carol")
        users = {user: dict(env, KUBECONFIG=str(c.user_kubeconfig(user, f"{user}-token"))) for user in ("bob", "carol")}
        yield {"env": env, "users": users, "tmp": tmp}


def gra(env, *args, stdin=None, timeout=120, binary=False):
    return run_built([str(PLUGIN), *args], env=env, capture_output=True, text=not binary, input=stdin,
                          timeout=timeout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runner(cluster):
    """A ready runner `work` (no ssh: sshd needs a login user, see the ssh test)."""
    env = cluster["env"]
    r = gra(env, "create", "work")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/work created\n"), r.stderr
    r = gra(env, "wait", "work", "--for=ready", "--timeout", "90s")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/work condition met\n"), r.stderr
    return "work"


def test_exec_goes_through_the_bridge_with_the_remote_exit_code(cluster, runner):
    env = cluster["env"]
    r = gra(env, "exec", runner, "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n"), r.stderr

    r = gra(env, "exec", "-i", runner, "--", "python3", "-c", "import sys; print(sys.stdin.read().upper())", stdin="abc")
    assert (r.returncode, r.stdout) == (0, "ABC\n"), r.stderr

    r = gra(env, "exec", runner, "-e", "MODE=fast", "-w", "/tmp", "--", "sh", "-c", "echo $MODE $(pwd)")
    assert (r.returncode, r.stdout) == (0, "fast /tmp\n"), r.stderr

    # --direct goes to pods/exec: stdin streams there and may be binary.
    blob = bytes(range(256)) * 100
    r = gra(env, "exec", "-i", "--direct", runner, "--", "sha256sum", stdin=blob, binary=True)
    assert (r.returncode, r.stdout.split()[0].decode()) == (0, hashlib.sha256(blob).hexdigest()), r.stderr

    r = gra(env, "exec", runner, "-o", "json", "--", "sh", "-c", "echo hi; exit 2")
    assert r.returncode == 2
    assert json.loads(r.stdout) == {"runner": runner, "namespace": "default", "command": ["sh", "-c", "echo hi; exit 2"],
                                    "exitCode": 2, "stdout": "hi\n", "stderr": ""}

    r = gra(env, "exec", runner, "--timeout", "1s", "--", "sleep", "30")
    assert r.returncode == 5 and r.stderr == "error: the command ran longer than its timeout of 1s and was stopped\n"

    # The bridge records every exec as an Event on the Runner.
    events = poll("an Exec event on the runner", lambda: [
        e for e in json.loads(gra(env, "describe", runner, "-o", "json").stdout)["events"] if e.get("reason") == "Exec"])
    assert any("sh -c echo out" in e["message"] for e in events)


def test_durable_exec_detach_attach_and_kill(cluster, runner):
    env = cluster["env"]
    r = gra(env, "exec", runner, "--detach", "--", "sh", "-c", "echo one; sleep 1; echo two; exit 3")
    assert r.returncode == 0 and re.fullmatch(r"[a-z0-9]+\n", r.stdout), r.stderr
    exec_id = r.stdout.strip()
    r = gra(env, "exec", runner, "--attach", exec_id)
    assert (r.returncode, r.stdout) == (3, "one\ntwo\n"), r.stderr
    r = gra(env, "exec", runner, "--attach", exec_id, "--offset", "4")  # reattach past "one\n"
    assert (r.returncode, r.stdout) == (3, "two\n"), r.stderr

    r = gra(env, "exec", runner, "--detach", "-o", "json", "--", "sleep", "300")
    started = json.loads(r.stdout)
    assert started["kind"] == "Exec" and started["status"]["phase"] == "Running"
    exec_id = started["metadata"]["name"]
    assert gra(env, "exec", runner, "--kill", exec_id, "--signal", "KILL").returncode == 0
    r = gra(env, "exec", runner, "--attach", exec_id)
    assert r.returncode == 137 and "killed by SIGKILL" in r.stderr

    r = gra(env, "exec", runner, "--attach", "no-such-exec")
    assert (r.returncode, r.stderr) == (3, 'error: execs.exec.gra.dev "no-such-exec" not found\n')


def test_python_code_module_and_local_file(cluster, runner):
    env, tmp = cluster["env"], cluster["tmp"]
    r = gra(env, "python", runner, "-c", "print(6*7)")
    assert (r.returncode, r.stdout) == (0, "42\n"), r.stderr
    r = gra(env, "python", runner, "-m", "json.tool", "--", "--version")
    assert r.returncode in (0, 2)  # json.tool has no --version on every Python: what matters is it ran
    script = tmp / "count.py"
    script.write_text("import sys\nprint(len(sys.argv[1:]))\nsys.exit(4)\n")
    r = gra(env, "python", runner, str(script), "--", "a", "b", "c")
    assert (r.returncode, r.stdout) == (4, "3\n"), r.stderr


def tree(root):
    out = {}
    for p in sorted(pathlib.Path(root).rglob("*")):
        rel = str(p.relative_to(root))
        out[rel] = ("link", os.readlink(p)) if p.is_symlink() else ("dir",) if p.is_dir() else (
            "file", hashlib.sha256(p.read_bytes()).hexdigest(), oct(p.stat().st_mode & 0o777))
    return out


def test_cp_round_trip_through_the_bridge(cluster, runner):
    env, tmp = cluster["env"], cluster["tmp"]
    src = tmp / "data"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "hello.txt").write_text("hello\n")
    (src / "nested" / "deeper" / ("long-name-" * 12 + ".txt")).write_text("a name over 100 bytes\n")
    big = os.urandom(9 * 1024 * 1024 + 123)  # more than one piece each way
    (src / "nested" / "big.bin").write_bytes(big)
    (src / "run.sh").write_text("#!/bin/sh\necho run\n")
    (src / "run.sh").chmod(0o755)
    (src / "link").symlink_to("hello.txt")

    r = gra(env, "cp", str(src), f"{runner}:inputs/", "-o", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["path"] == "/workspace/inputs/data"
    r = gra(env, "exec", runner, "--", "sha256sum", "/workspace/inputs/data/nested/big.bin")
    assert r.stdout.split()[0] == hashlib.sha256(big).hexdigest()
    r = gra(env, "exec", runner, "--", "/workspace/inputs/data/run.sh")
    assert r.stdout == "run\n", r.stderr

    out = tmp / "back"
    r = gra(env, "cp", f"{runner}:inputs/data", str(out))
    assert r.returncode == 0, r.stderr
    assert tree(out) == tree(src)

    # A single file into an existing local directory lands inside it, as with cp.
    r = gra(env, "cp", f"{runner}:/workspace/inputs/data/hello.txt", str(tmp))
    assert r.returncode == 0 and (tmp / "hello.txt").read_text() == "hello\n"

    r = gra(env, "cp", f"{runner}:no/such/file", str(tmp / "x"))
    assert (r.returncode, r.stderr) == (3, "error: /workspace/no/such/file: no such file or directory\n")
    r = gra(env, "cp", str(tmp / "missing"), f"{runner}:")
    assert r.returncode == 3 and "missing: no such file or directory" in r.stderr
    r = gra(env, "cp", "a", "b")
    assert r.returncode == 2 and "one of SOURCE and DESTINATION must be RUNNER:PATH" in r.stderr
    r = gra(env, "cp", str(src / "hello.txt"), "nobody:x")
    assert (r.returncode, r.stderr) == (3, 'error: runner "nobody" not found in namespace "default"\n')


def test_tracer_job_with_wait_results_and_logs(cluster, runner):
    env, tmp = cluster["env"], cluster["tmp"]
    script = tmp / "trace.py"
    script.write_text(
        "import json, os, sys\n"
        "os.makedirs('out', exist_ok=True)\n"
        "json.dump({'args': sys.argv[1:]}, open('out/trace.json', 'w'))\n"
        "open('out/weights.bin', 'wb').write(bytes(range(256)) * 64)\n"
        "print('traced', *sys.argv[1:])\n")
    r = gra(env, "run", "--name", "trace-1", "--runner", runner, "--script", str(script), "--artifact", "out/*",
            "--wait", "--", "suite-a")
    assert r.returncode == 0, r.stderr
    assert "traced suite-a\n" in r.stdout
    assert "::gra-run-record::" not in r.stdout

    r = gra(env, "jobs", "list")
    assert r.stdout.splitlines()[0].split() == ["NAME", "PHASE", "ATTEMPTS", "EXIT", "DURATION", "AGE"]
    assert r.stdout.splitlines()[1].split()[:4] == ["trace-1", "Succeeded", "1", "0"]

    r = gra(env, "results", "trace-1", "-d", str(tmp / "res"), "-o", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert {a["path"]: a["result"] for a in res["artifacts"]} == {"out/trace.json": "ok", "out/weights.bin": "ok"}
    assert {"run.json", "run.log", "out/trace.json", "out/weights.bin"} <= set(res["files"])
    record = json.loads((tmp / "res" / "run.json").read_text())
    assert record["exitCode"] == 0 and record["job"]["name"] == "trace-1"
    assert json.loads((tmp / "res" / "out" / "trace.json").read_text()) == {"args": ["suite-a"]}

    r = gra(env, "jobs", "logs", "trace-1")
    assert r.returncode == 0 and "traced suite-a\n" in r.stdout

    # A failing command: --wait exits with its exit code and says why on stderr.
    r = gra(env, "run", "--name", "fails", "--wait", "--", "sh", "-c", "echo broken; exit 7")
    assert r.returncode == 7
    assert "broken\n" in r.stdout
    assert r.stderr.startswith('error: tracerjob "fails" failed (BackoffLimitExceeded, exit code 7)')
    r = gra(env, "results", "fails", "-d", str(tmp / "nothing"))
    assert r.returncode == 1 and "ran without a runner" in r.stderr

    r = gra(env, "run", "--module", "not a module", "--dry-run=client")
    assert r.returncode == 2 and "spec.module" in r.stderr
    r = gra(env, "run", "--module", "pkg.bench", "--retries", "2", "--timeout", "30m", "--dry-run=client", "-o", "json")
    job = json.loads(r.stdout)
    assert job["spec"] == {"module": "pkg.bench", "backoffLimit": 2, "timeoutSeconds": 1800}
    assert re.fullmatch(r"bench-[a-z0-9]{5}", job["metadata"]["name"])
    r = gra(env, "jobs", "get", "nope")
    assert (r.returncode, r.stderr) == (3, 'error: tracerjob "nope" not found in namespace "default"\n')

    r = gra(env, "jobs", "delete", "fails", "--wait")
    assert (r.returncode, r.stdout) == (0, "tracerjob.gra.dev/fails deleted\n"), r.stderr


def test_rbac_the_bridge_needs_runners_exec_not_pods_exec(cluster, runner):
    bob, carol = cluster["users"]["bob"], cluster["users"]["carol"]
    r = gra(bob, "exec", runner, "--", "echo", "bridge")
    assert (r.returncode, r.stdout) == (0, "bridge\n"), r.stderr
    r = gra(bob, "exec", "--direct", runner, "--", "echo", "direct")
    assert r.returncode == 4, r.stderr

    r = gra(carol, "exec", runner, "--", "true")
    assert r.returncode == 4
    assert 'User "carol" cannot create resource "runners/exec"' in r.stderr
    assert "needs \"create\" on runners/exec in API groups exec.gra.dev and gra.dev" in r.stderr
    r = gra(carol, "exec", runner, "-o", "json", "--", "true")
    assert r.returncode == 4 and json.loads(r.stdout)["error"]["reason"] == "Forbidden"
    (cluster["tmp"] / "note.txt").write_text("hi\n")
    r = gra(carol, "cp", str(cluster["tmp"] / "note.txt"), f"{runner}:")
    assert r.returncode == 4


@pytest.mark.skipif(shutil.which("ssh") is None or shutil.which("ssh-keygen") is None, reason="needs openssh-client")
def test_ssh_and_config_ssh_through_the_exec_tunnel(cluster):
    env, tmp = cluster["env"], cluster["tmp"]
    try:
        user = pwd.getpwuid(1000).pw_name  # the local kubelet runs the runner as UID 1000
    except KeyError:
        pytest.skip("no user with UID 1000 on this machine for sshd to log in")
    (tmp / ".ssh").mkdir(mode=0o700, exist_ok=True)  # tmp is $HOME here
    key = str(tmp / ".ssh" / "id_ed25519")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    runner = "sshbox"
    # Pods share this machine's network: a free port keeps sshd clear of other runners.
    r = gra(env, "create", runner, "--ssh-key-file", key + ".pub", "--ssh-port", str(free_port()))
    assert r.returncode == 0, r.stderr
    assert gra(env, "wait", runner, "--timeout", "90s").returncode == 0
    # No -i: the key in ~/.ssh whose .pub the runner authorizes is picked.
    r = gra(env, "ssh", runner, "-l", user, "--print")
    assert f"-i {key} -o IdentitiesOnly=yes -l {user} gra-{runner}" in r.stdout
    r = gra(env, "ssh", runner, "-l", user, "--", "echo", "via-ssh", "$(hostname)")
    assert (r.returncode, r.stdout) == (0, f"via-ssh {runner}\n"), r.stderr

    config = tmp / "ssh_config"
    config.write_text("Host other\n  User someone\n")
    r = gra(env, "config-ssh", runner, "-l", user, "--ssh-config", str(config))
    assert (r.returncode, r.stdout) == (0, f"gra-{runner}: written to {config}\n"), r.stderr
    text = config.read_text()
    assert text.startswith("Host other\n  User someone\n")
    resolved = subprocess.run(["ssh", "-F", str(config), "-G", f"gra-{runner}"], capture_output=True, text=True).stdout
    options = dict(line.split(" ", 1) for line in resolved.splitlines())
    assert options["user"] == user
    assert options["identityfile"] == key
    assert options["proxycommand"].endswith(
        f"kubectl-gra ssh-proxy {runner} --namespace default --kubeconfig {env['KUBECONFIG']}")
    r = subprocess.run(["ssh", "-F", str(config), f"gra-{runner}", "exit 6"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 6, r.stderr

    # Without --ssh-config: ~/.ssh/config ($HOME is tmp here), created with mode 0600.
    assert gra(env, "config-ssh", runner, "-l", user).returncode == 0
    default = tmp / ".ssh" / "config"
    assert f"Host gra-{runner}\n" in default.read_text() and oct(default.stat().st_mode & 0o777) == "0o600"

    # A second run replaces its own entry; --remove takes the block out again.
    assert gra(env, "config-ssh", runner, "-l", user, "--ssh-config", str(config)).returncode == 0
    assert config.read_text().count(f"Host gra-{runner}\n") == 1
    assert gra(env, "config-ssh", runner, "--remove", "--ssh-config", str(config)).returncode == 0
    assert config.read_text() == "Host other\n  User someone\n"


def test_kubectl_completes_the_plugin(cluster, runner):
    env, tmp = cluster["env"], cluster["tmp"]
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    helper = bindir / "kubectl_complete-gra"
    helper.write_text(gra(env, "completion", "kubectl-plugin").stdout)
    helper.chmod(0o755)
    (bindir / "kubectl-gra").unlink(missing_ok=True)
    (bindir / "kubectl-gra").symlink_to(PLUGIN)
    path_env = dict(env, PATH=f"{bindir}:{env['PATH']}")
    r = kubectl(path_env, "__complete", "gra", "ex")
    assert r.stdout.splitlines()[0] == "exec"
    r = kubectl(path_env, "__complete", "gra", "exec", "wo")
    assert r.stdout.splitlines()[:2] == [runner, ":4"]
    script = gra(env, "completion", "bash").stdout
    assert script.endswith("-F _kubectl-gra kubectl-gra\n")
    r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_suspend_resume_and_delete_a_runner(cluster):
    env = cluster["env"]
    assert gra(env, "create", "cycle").returncode == 0
    assert gra(env, "wait", "cycle", "--timeout", "90s").returncode == 0
    assert gra(env, "exec", "cycle", "--", "sh", "-c", "echo kept > /workspace/state").returncode == 0

    r = gra(env, "suspend", "cycle")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/cycle suspended\n")
    poll("the runner is Suspended", lambda: json.loads(gra(env, "get", "cycle", "-o", "json").stdout)
         .get("status", {}).get("phase") == "Suspended")
    r = gra(env, "exec", "cycle", "--", "true")
    assert r.returncode == 1 and "suspended" in r.stderr and "kubectl gra resume cycle" in r.stderr

    assert gra(env, "resume", "cycle").returncode == 0
    assert gra(env, "wait", "cycle", "--timeout", "90s").returncode == 0
    r = gra(env, "exec", "cycle", "--", "cat", "/workspace/state")
    assert (r.returncode, r.stdout) == (0, "kept\n"), r.stderr

    r = gra(env, "delete", "cycle", "--wait", "--timeout", "60s")
    assert (r.returncode, r.stdout) == (0, "runner.gra.dev/cycle deleted\n"), r.stderr
    r = gra(env, "exec", "cycle", "--", "true")
    assert r.returncode == 3 and "not found" in r.stderr


def test_bad_flags_and_kubeconfig_give_one_line(cluster, runner):
    env, tmp = cluster["env"], cluster["tmp"]
    r = gra(env, "exec", "-i", runner, "--", "cat", stdin=b"\xff\xfe binary", binary=True)
    assert r.returncode == 2 and b"not UTF-8 text" in r.stderr and b"--direct" in r.stderr
    r = gra(env, "exec", runner, "-w", "relative", "--", "true")
    assert r.returncode == 2 and '--workdir "relative": must be an absolute path' in r.stderr
    r = gra(env, "run", "--wait-timeout", "soon", "--", "true")
    assert (r.returncode, r.stderr) == (2, 'error: --wait-timeout "soon": use a duration like 90s, 5m or 1h\n')
    r = gra(env, "ssh", runner, "--via", "carrier-pigeon")
    assert r.returncode == 2 and "carrier-pigeon" in r.stderr
    r = gra(dict(env, KUBECONFIG=str(tmp / "nope")), "exec", runner, "--", "true")
    assert (r.returncode, r.stderr.count("\n")) == (2, 1) and "kubeconfig" in r.stderr
    r = gra(env, "exec", runner, "--context", "elsewhere", "-o", "json", "--", "true")
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["message"].endswith('context "elsewhere" not found in contexts')
    r = gra(env, "ssh", runner)
    assert r.returncode == 1 and "has ssh off" in r.stderr
    r = gra(env, "ssh", "cycle-less")
    assert (r.returncode, r.stderr) == (3, 'error: runner "cycle-less" not found in namespace "default"\n')
