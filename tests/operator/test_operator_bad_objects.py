"""A bad Runner or TracerJob is refused by the CRD schema (kubectl names the field) or, when
the schema cannot tell, gets a False condition and a Warning Event that say what is wrong —
never a crash or a hot loop: the operator keeps serving a good Runner, and the requests it
makes about a bad object stay few (backoff, not a tight retry loop).

All of it happens in one scenario on one cluster (`bad_objects`), which only waits, so
tests/conftest.py starts it right after collection; each test checks one object's record."""

from __future__ import annotations

import json
import os
import time

import pytest

from gra_cluster import early, early_result, sleep
from gra_deploy_support import local_cluster, needs_kubectl, needs_operator_binary
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


QUIET_SECONDS = 20


def requests_about(op, name):
    return [r for r in op.proxy.requests() if f"/{name}" in r.target or f"={name}" in r.target]


def warning_events(c, name, words):
    return [e for e in c.get_json("events", "-n", NS, "--field-selector", f"involvedObject.name={name}")["items"]
            if e.get("type") == "Warning" and words in (e.get("message") or "")]


def condition_naming(c, kind, name, words):
    o = c.get_json(kind, name, "-n", NS)
    return [x for x in o.get("status", {}).get("conditions", []) if words in (x.get("message") or "")]


def wait_each(what: str, check, names: list[str], timeout: float, failed: dict[str, str]):
    """Polls check(name) for every name not failed yet until each passed or the deadline;
    records in `failed` the ones that did not."""
    pending = [n for n in names if n not in failed]
    deadline = time.monotonic() + timeout
    while pending:
        pending = [n for n in pending if not check(n)]
        if not pending or time.monotonic() > deadline:
            break
        sleep(0.2)
    for n in pending:
        failed[n] = f"timed out after {timeout:.0f}s waiting for {n}: {what.replace('NAME', n)}"


@early("bad_objects")
def bad_objects_scenario() -> dict:
    """One cluster and one operator (through the recording proxy):
    1. each REFUSED object is sent (kubectl's answer is kept);
    2. every ACCEPTED_BAD object is applied; each must get a condition naming its error (60 s),
       then a Warning Event naming it (30 s);
    3. while they wait, a good Runner per bad object, good-after-NAME, must become Ready (120 s);
    4. then one 20 s window in which the requests about each bad object are counted."""
    with local_cluster(kubelet=True) as c:
        with operator_through_proxy(c, "--log-format=logfmt") as op:
            out = {"refused": {}, "condition": {}, "event": {}, "served": {}, "seen": {}, "exited": None}
            for obj, _ in REFUSED:
                out["refused"][obj["metadata"]["name"]] = c.kubectl("apply", "-f", "-", stdin=json.dumps(obj), check=False)

            words = {o["metadata"]["name"]: w for o, w in ACCEPTED_BAD}
            kinds = {o["metadata"]["name"]: o["kind"].lower() for o, _ in ACCEPTED_BAD}
            names = list(words)
            for obj, _ in ACCEPTED_BAD:
                c.kubectl("apply", "-f", "-", stdin=json.dumps(obj))
            wait_each("a condition naming its error", lambda n: condition_naming(c, kinds[n], n, words[n]), names, 60,
                      out["condition"])
            out["event"].update(out["condition"])
            wait_each("a Warning Event naming its error", lambda n: warning_events(c, n, words[n]), names, 30, out["event"])

            # A good Runner made while each bad object waits still becomes Ready.
            out["served"].update(out["condition"])
            for n in names:
                if n not in out["served"]:
                    c.kubectl("apply", "-f", "-", stdin=json.dumps(runner(f"good-after-{n}", {})))
            wait_each("Runner good-after-NAME Ready next to NAME",
                      lambda n: c.get_json("runner", f"good-after-{n}", "-n", NS).get("status", {}).get("phase") == "Ready",
                      names, 120, out["served"])

            # Requests about each bad object over 20 s: it waits for a change, it is not retried.
            start = {n: len(requests_about(op, n)) for n in names}
            t0 = time.monotonic()
            while time.monotonic() - t0 < QUIET_SECONDS:
                if op.proc.poll() is not None:
                    out["exited"] = "the operator exited:\n" + op.log()
                    break
                sleep(0.5)
            for n in names:
                out["seen"][n] = {
                    "made": requests_about(op, n)[start[n]:],
                    "events": c.get_json("events", "-n", NS, "--field-selector", f"involvedObject.name={n}")["items"]}
            return out


@pytest.fixture(scope="module")
def bad_objects():
    return early_result(bad_objects_scenario)


@pytest.mark.parametrize("obj, field", REFUSED, ids=[o["metadata"]["name"] for o, _ in REFUSED])
def test_schema_refuses_with_the_field(bad_objects, obj, field):
    r = bad_objects["refused"][obj["metadata"]["name"]]
    assert r.returncode != 0, f"{obj['metadata']['name']} was accepted"
    assert field in r.stderr, r.stderr


@pytest.mark.parametrize("obj, words", ACCEPTED_BAD, ids=[o["metadata"]["name"] for o, _ in ACCEPTED_BAD])
def test_bad_object_gets_a_condition_and_a_warning_event(bad_objects, obj, words):
    name = obj["metadata"]["name"]
    assert name not in bad_objects["condition"], bad_objects["condition"].get(name)
    assert name not in bad_objects["event"], bad_objects["event"].get(name)


@pytest.mark.parametrize("obj, words", ACCEPTED_BAD, ids=[o["metadata"]["name"] for o, _ in ACCEPTED_BAD])
def test_bad_object_is_not_retried_in_a_hot_loop_and_others_are_served(bad_objects, obj, words):
    name = obj["metadata"]["name"]
    assert name not in bad_objects["served"], bad_objects["served"].get(name)
    assert bad_objects["exited"] is None, bad_objects["exited"]
    made, events = bad_objects["seen"][name]["made"], bad_objects["seen"][name]["events"]
    if os.environ.get("GRA_BAD_REPORT"):
        with open(os.environ["GRA_BAD_REPORT"], "a") as f:
            f.write(json.dumps({"object": name, "requests_in_20s": len(made),
                                "targets": sorted({f"{r.method} {r.path}" for r in made})}) + "\n")
    # A settled object makes none (measured: 0); 10 leaves room for one late retry with
    # backoff, while a tight loop makes hundreds.
    assert len(made) <= 10, f"{len(made)} requests about {name} in {QUIET_SECONDS} s: " + \
        ", ".join(f"{r.method} {r.target}" for r in made[:20])
    assert sum(e.get("count") or 1 for e in events) < 30, events
