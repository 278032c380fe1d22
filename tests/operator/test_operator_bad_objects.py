"""A bad Runner or TracerJob is refused by the CRD schema (kubectl names the field) or, when
the schema cannot tell, gets a False condition and a Warning Event that say what is wrong —
never a crash or a hot loop: the operator keeps serving a good Runner, and the requests it
makes about a bad object stay few (backoff, not a tight retry loop)."""

from __future__ import annotations

import json
import os
import time

import pytest

from gra_deploy_support import local_cluster, needs_kubectl, needs_operator_binary, wait_for
from gra_operator_support import operator_through_proxy

pytestmark = [needs_operator_binary, needs_kubectl]

NS = "default"


def runner(name, spec):
    return {"apiVersion": "gra.dev/v1alpha1", "kind": "Runner", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def job(name, spec):
    return {"apiVersion": "gra.dev/v1alpha1", "kind": "TracerJob", "metadata": {"name": name, "namespace": NS},
            "spec": {"command": ["python3", "-c", "print(1)"], **spec}}


REFUSED = [
    (job("neg-timeout", {"timeoutSeconds": -5}), "spec.timeoutSeconds"),
    (job("neg-backoff", {"backoffLimit": -1}), "spec.backoffLimit"),
    (job("bad-memory", {"resources": {"requests": {"memory": "12 GB"}}}), "spec.resources.requests.memory"),
    (runner("bad-egress", {"network": {"egress": "Maybe"}}), "spec.network.egress"),
    (runner("bad-reclaim", {"workspace": {"reclaimPolicy": "Keep"}}), "spec.workspace.reclaimPolicy"),
    (runner("bad-cpu", {"resources": {"requests": {"cpu": "lots"}}}), "spec.resources.requests.cpu"),
    (runner("bad-size", {"workspace": {"size": "big"}}), "spec.workspace.size"),
    (runner("bad-idle", {"idleTimeout": "soon"}), "spec.idleTimeout"),
    (runner("neg-exec", {"exec": {"maxConcurrent": -1}}), "spec.exec.maxConcurrent"),
]

# Valid for the schema, wrong for the cluster: (object, words the condition/Event must contain).
ACCEPTED_BAD = [
    (runner("missing-secret", {"envFrom": [{"secretRef": {"name": "no-such-secret"}}]}), "no-such-secret"),
    (job("missing-runner", {"runnerRef": {"name": "no-such-runner"}}), "no-such-runner"),
    (runner("bad-env-name", {"env": [{"name": "1 BAD", "value": "x"}]}), "spec.env[0].name"),
    (runner("half-gpu", {"resources": {"limits": {"nvidia.com/gpu": "0.5"}}}), "nvidia.com/gpu"),
    (runner("request-over-limit", {"resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}), "spec.resources"),
    (runner("zero-workspace", {"workspace": {"size": "0"}}), "spec.workspace.size"),
]


@pytest.fixture(scope="module")
def env():
    with local_cluster(kubelet=True) as c:
        with operator_through_proxy(c, "--log-format=logfmt") as op:
            yield c, op


@pytest.mark.parametrize("obj, field", REFUSED, ids=[o["metadata"]["name"] for o, _ in REFUSED])
def test_schema_refuses_with_the_field(env, obj, field):
    c, _ = env
    r = c.kubectl("apply", "-f", "-", stdin=json.dumps(obj), check=False)
    assert r.returncode != 0, f"{obj['metadata']['name']} was accepted"
    assert field in r.stderr, r.stderr


def requests_about(op, name):
    return [r for r in op.proxy.requests() if f"/{name}" in r.target or f"={name}" in r.target]


def warning_events(c, name, words):
    return [e for e in c.get_json("events", "-n", NS, "--field-selector", f"involvedObject.name={name}")["items"]
            if e.get("type") == "Warning" and words in (e.get("message") or "")]


def condition_naming(c, kind, name, words):
    o = c.get_json(kind, name, "-n", NS)
    return [x for x in o.get("status", {}).get("conditions", []) if words in (x.get("message") or "")]


@pytest.mark.parametrize("obj, words", ACCEPTED_BAD, ids=[o["metadata"]["name"] for o, _ in ACCEPTED_BAD])
def test_bad_object_gets_a_condition_and_a_warning_event(env, obj, words):
    c, op = env
    kind, name = obj["kind"].lower(), obj["metadata"]["name"]
    c.kubectl("apply", "-f", "-", stdin=json.dumps(obj))
    wait_for(f"{name}: a condition naming {words}", lambda: condition_naming(c, kind, name, words), timeout=60)
    wait_for(f"{name}: a Warning Event naming {words}", lambda: warning_events(c, name, words), timeout=30)


QUIET_SECONDS = 20


@pytest.fixture(scope="module")
def quiet_window(env):
    """Every bad object of ACCEPTED_BAD, each with a good Runner made while it waits, watched
    together for one 20 s window (the requests the proxy saw about each, and its Events); the
    tests below each check one object. Per object: what went wrong before the window, if
    anything, else its figures."""
    c, op = env
    failed: dict[str, str] = {}
    for obj, _ in ACCEPTED_BAD:
        c.kubectl("apply", "-f", "-", stdin=json.dumps(obj))

    def wait_each(what, check, names, timeout):
        """Polls check(name) for every name until each passed or the deadline; records the rest."""
        pending = [n for n in names if n not in failed]
        deadline = time.monotonic() + timeout
        while pending:
            pending = [n for n in pending if not check(n)]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for n in pending:
            failed[n] = f"timed out after {timeout}s waiting for {n}: {what}"

    words = {o["metadata"]["name"]: w for o, w in ACCEPTED_BAD}
    kinds = {o["metadata"]["name"]: o["kind"].lower() for o, _ in ACCEPTED_BAD}
    names = list(words)
    wait_each("a condition naming its error", lambda n: condition_naming(c, kinds[n], n, words[n]), names, 60)

    # A good Runner made while each bad object waits still becomes Ready.
    for n in names:
        c.kubectl("apply", "-f", "-", stdin=json.dumps(runner(f"good-after-{n}", {})))
    wait_each("its good Runner good-after-NAME to be Ready",
              lambda n: c.get_json("runner", f"good-after-{n}", "-n", NS).get("status", {}).get("phase") == "Ready",
              names, 120)

    # Requests about each bad object over 20 s: it waits for a change, it is not retried.
    start = {n: len(requests_about(op, n)) for n in names}
    t0 = time.monotonic()
    while time.monotonic() - t0 < QUIET_SECONDS:
        assert op.proc.poll() is None, "the operator exited:\n" + op.log()
        time.sleep(0.5)
    seen = {}
    for n in names:
        seen[n] = {"made": requests_about(op, n)[start[n]:],
                   "events": c.get_json("events", "-n", NS, "--field-selector", f"involvedObject.name={n}")["items"]}
    yield failed, seen
    for n in names:
        c.kubectl("delete", kinds[n], n, "-n", NS, "--wait=false")
        c.kubectl("delete", "runner", f"good-after-{n}", "-n", NS, "--wait=false")


@pytest.mark.parametrize("obj, words", ACCEPTED_BAD, ids=[o["metadata"]["name"] for o, _ in ACCEPTED_BAD])
def test_bad_object_is_not_retried_in_a_hot_loop_and_others_are_served(quiet_window, obj, words):
    failed, seen = quiet_window
    name = obj["metadata"]["name"]
    if name in failed:
        pytest.fail(failed[name])
    made, events = seen[name]["made"], seen[name]["events"]
    if os.environ.get("GRA_BAD_REPORT"):
        with open(os.environ["GRA_BAD_REPORT"], "a") as f:
            f.write(json.dumps({"object": name, "requests_in_20s": len(made),
                                "targets": sorted({f"{r.method} {r.path}" for r in made})}) + "\n")
    # A settled object makes none (measured: 0); 10 leaves room for one late retry with
    # backoff, while a tight loop makes hundreds.
    assert len(made) <= 10, f"{len(made)} requests about {name} in {QUIET_SECONDS} s: " + \
        ", ".join(f"{r.method} {r.target}" for r in made[:20])
    assert sum(e.get("count") or 1 for e in events) < 30, events
