"""Helpers for the operator tests: `gra-operator run` started through the recording proxy
against `gra-operator local --no-operator`, its log, its CPU time, and one-shot runs of the
binary for the bad-input tests."""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile

import pytest
import yaml

from gra_api_recorder import RecordingProxy
from gra_cluster import run_built, wait_operator_ready
from gra_deploy_support import OPERATOR, ROOT, free_port, start_process

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/PID/stat."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def write_kubeconfig(path: pathlib.Path, server: str, token: str, context: str = "op", extra: dict | None = None):
    cfg = {
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [{"name": "local", "cluster": {"server": server}}],
        "users": [{"name": "op", "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": "local", "user": "op"}}],
    }
    if extra:
        cfg.update(extra)
    path.write_text(yaml.safe_dump(cfg))
    return path


def admin_token(cluster) -> str:
    cfg = yaml.safe_load(cluster.kubeconfig.read_text())
    return cfg["users"][0]["user"]["token"]


class OperatorProcess:
    def __init__(self, proc: subprocess.Popen, log: pathlib.Path, proxy: RecordingProxy, ports: dict):
        self.proc, self.log_path, self.proxy, self.ports = proc, log, proxy, ports

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self) -> list[str]:
        return [l for l in self.log().splitlines() if l.strip()]


@contextlib.contextmanager
def operator_through_proxy(cluster, *extra_args: str, token: str | None = None):
    """`gra-operator run` with a kubeconfig whose server is a RecordingProxy in front of the
    local API server; yields once /readyz answers 200."""
    proxy = RecordingProxy(cluster.host, cluster.port)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gra-op-"))
    kubeconfig = write_kubeconfig(tmp / "kubeconfig", proxy.url, token or admin_token(cluster))
    ports = {"metrics": free_port(), "health": free_port(), "bridge": free_port()}
    args = [str(OPERATOR), "run", f"--kubeconfig={kubeconfig}",
            f"--metrics-bind-address=127.0.0.1:{ports['metrics']}",
            f"--health-probe-bind-address=127.0.0.1:{ports['health']}",
            f"--bridge-bind-address=127.0.0.1:{ports['bridge']}", "--bridge-insecure-http", *extra_args]
    env = dict(os.environ, POD_NAMESPACE="gra-system", POD_NAME="gra-operator-test")
    log_path = tmp / "operator.log"
    with open(log_path, "wb") as log:
        proc = start_process(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    op = OperatorProcess(proc, log_path, proxy, ports)
    try:
        wait_operator_ready(proc, ports["health"], op.log)
        yield op
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
        proxy.close()
        shutil.rmtree(tmp, ignore_errors=True)


def run_binary(*args: str, env: dict | None = None, timeout: float = 60, cwd=None) -> subprocess.CompletedProcess:
    """Runs gra-operator to completion (bad-input cases exit by themselves)."""
    return run_built([str(OPERATOR), *args], env=env if env is not None else dict(os.environ),
                     capture_output=True, text=True, timeout=timeout, cwd=cwd or tempfile.gettempdir())


STACK_TRACE = re.compile(r"(Fatal error|Stack dump|#\d+ 0x[0-9a-f]+|Current stack trace|\bat /.*\.swift:\d+)")
