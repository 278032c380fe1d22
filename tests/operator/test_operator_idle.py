"""Quiet when idle: with a Runner Ready, a suspended Runner and a finished TracerJob, the
operator (`gra-operator run --leader-elect`, through a recording proxy) writes nothing, logs
nothing, reconciles nothing and only renews its Lease for a minute.

The bound on requests comes from the cadences: the leader renews every retry period (2 s)
with a GET and a PUT of its Lease; each informer's watch may be re-established at most once in
the window (the operator sends no timeoutSeconds, so the server closes watches after its
default 30–60 min; once is the allowance for a server that closes sooner); bookmarks arrive on
open watches and cost no request. Anything else — a status write, an Event, a requeue that
reads — is a reconcile loop that does not settle.

Set GRA_IDLE_REPORT=path to write the measured figures as JSON (for BENCHMARKS.md)."""

from __future__ import annotations

import collections
import json
import math
import os
import time
import urllib.request

import pytest

from gra_cluster import early, early_result, sleep
from gra_deploy_support import local_cluster, needs_kubectl, needs_operator_binary, wait_for
from gra_operator_support import cpu_seconds, operator_through_proxy

pytestmark = [needs_operator_binary, needs_kubectl]

IDLE_SECONDS = 60
RETRY_PERIOD = 2.0  # --leader-elect-retry-period default
INFORMERS = 5  # runners, tracerjobs, pods, persistentvolumeclaims, services
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WATCHED_KINDS = ["runners", "tracerjobs", "pods", "events", "persistentvolumeclaims", "services"]


def metric_sum(text: str, name: str, label: str = "") -> float:
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
               if (l.startswith(name + "{") or l.startswith(name + " ")) and label in l)


def versions(c) -> dict:
    """name → resourceVersion of every object of the kinds users see, in all namespaces."""
    out = {}
    for kind in WATCHED_KINDS:
        for item in c.get_json(kind, "-A")["items"]:
            m = item["metadata"]
            out[(kind, m.get("namespace"), m["name"])] = m["resourceVersion"]
    return out


@early("idle")
def idle_scenario() -> dict:
    """The whole measurement; it only waits, so tests/conftest.py starts it in the background
    as soon as this module is collected, and the `idle` fixture collects its outcome."""
    with local_cluster(kubelet=True) as c:
        c.kubectl("create", "namespace", "gra-system")
        with operator_through_proxy(c, "--leader-elect", "--log-format=logfmt") as op:
            def apply(obj):
                c.kubectl("apply", "-f", "-", stdin=json.dumps(obj))
            apply({"apiVersion": "gra.dev/v1alpha1", "kind": "Runner", "metadata": {"name": "demo", "namespace": "default"},
                   "spec": {"idleTimeout": "1h", "maxLifetime": "24h"}})
            apply({"apiVersion": "gra.dev/v1alpha1", "kind": "Runner", "metadata": {"name": "parked", "namespace": "default"},
                   "spec": {"suspend": True}})
            apply({"apiVersion": "gra.dev/v1alpha1", "kind": "TracerJob", "metadata": {"name": "hello", "namespace": "default"},
                   "spec": {"command": ["python3", "-c", "print('traced')"], "ttlSecondsAfterFinished": 3600}})
            # Waits for a Runner that does not exist; the Runner watch wakes it when one appears.
            apply({"apiVersion": "gra.dev/v1alpha1", "kind": "TracerJob", "metadata": {"name": "waiting", "namespace": "default"},
                   "spec": {"command": ["true"], "runnerRef": {"name": "not-yet"}}})
            wait_for("Runner demo Ready", lambda: c.get_json("runner", "demo").get("status", {}).get("phase") == "Ready",
                     timeout=120)
            wait_for("Runner parked Suspended",
                     lambda: c.get_json("runner", "parked").get("status", {}).get("phase") == "Suspended", timeout=60)
            wait_for("TracerJob hello finished", lambda: c.get_json("tracerjob", "hello").get("status", {}).get("phase")
                     in ("Succeeded", "Failed"), timeout=120)

            def settled():
                # 5 s without a write: the follow-up reconciles of the changes above are over.
                n = len(op.proxy.requests())
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if any(r.method in WRITES and "/leases/" not in r.target for r in op.proxy.requests()[n:]):
                        return False
                    sleep(0.5)
                return True
            wait_for("the operator to settle", settled, timeout=90, interval=0)

            def metrics():
                with urllib.request.urlopen(f"http://127.0.0.1:{op.ports['metrics']}/metrics", timeout=5) as r:
                    return r.read().decode()
            before = {"requests": len(op.proxy.requests()), "log": len(op.log_lines()), "cpu": cpu_seconds(op.proc.pid),
                      "metrics": metrics(), "versions": versions(c), "t": time.monotonic()}
            # The idle window itself: nothing to poll for, the assertion is that nothing happens.
            end = before["t"] + IDLE_SECONDS
            while time.monotonic() < end:
                assert op.proc.poll() is None, "the operator exited while idle:\n" + op.log()
                sleep(1)
            after = {"requests": len(op.proxy.requests()), "log": len(op.log_lines()), "cpu": cpu_seconds(op.proc.pid),
                     "metrics": metrics(), "versions": versions(c), "t": time.monotonic()}
            window = after["t"] - before["t"]
            # The counters exist and moved before the window (else the zero checks prove nothing).
            assert metric_sum(before["metrics"], "gra_reconcile_total") > 0, before["metrics"][:2000]
            result = {
                "window": window,
                "requests": op.proxy.requests()[before["requests"]:after["requests"]],
                "log_lines": op.log_lines()[before["log"]:after["log"]],
                "cpu": after["cpu"] - before["cpu"],
                "reconciles": metric_sum(after["metrics"], "gra_reconcile_total") - metric_sum(before["metrics"], "gra_reconcile_total"),
                "reconciles_by_controller": {k: metric_sum(after["metrics"], "gra_reconcile_total", f'controller="{k}"')
                                             - metric_sum(before["metrics"], "gra_reconcile_total", f'controller="{k}"')
                                             for k in ("runner", "tracerjob")},
                "queue_adds": metric_sum(after["metrics"], "gra_workqueue_adds_total") - metric_sum(before["metrics"], "gra_workqueue_adds_total"),
                "changed": sorted(str(k) for k in set(after["versions"].items()) ^ set(before["versions"].items())),
            }
            if os.environ.get("GRA_IDLE_REPORT"):
                counts = collections.Counter(f"{r.method} {r.attributes().resource_path or r.path}" for r in result["requests"])
                with open(os.environ["GRA_IDLE_REPORT"], "w") as f:
                    json.dump({**{k: v for k, v in result.items() if k != "requests"}, "request_counts": counts}, f, indent=1)
            return result


@pytest.fixture(scope="module")
def idle():
    return early_result(idle_scenario)


def test_no_writes_to_runners_tracerjobs_pods_or_events(idle):
    writes = [(r.method, r.target) for r in idle["requests"] if r.method in WRITES and "/leases/" not in r.target]
    assert writes == [], writes
    assert idle["changed"] == [], "objects changed while idle: " + ", ".join(idle["changed"])


def test_request_count_is_lease_renewals_and_watches_only(idle):
    rounds = math.floor(idle["window"] / RETRY_PERIOD) + 1
    bound = 2 * rounds + INFORMERS
    others = [(r.method, r.target) for r in idle["requests"]
              if "/leases/" not in r.target and not (r.method == "GET" and "watch=" in r.target)]
    assert others == [], f"requests other than Lease renewals and watches while idle: {others}"
    assert len(idle["requests"]) <= bound, \
        f"{len(idle['requests'])} requests in {idle['window']:.0f} s, more than the {bound} the Lease cadence allows"


def test_no_log_lines(idle):
    assert idle["log_lines"] == [], idle["log_lines"]


def test_runner_controller_does_not_reconcile(idle):
    n = idle["reconciles_by_controller"]["runner"]
    assert n == 0, f"{n} Runner reconciles while nothing changed"


def test_tracerjob_controller_does_not_reconcile(idle):
    n = idle["reconciles_by_controller"]["tracerjob"]
    assert n == 0, f"{n} TracerJob reconciles while nothing changed"
    assert idle["queue_adds"] == 0, f"{idle['queue_adds']} work-queue adds while nothing changed"
