"""The restricted Pod Security Standard checker itself: it passes a compliant pod and names each
violation of a non-compliant one (examples from the Pod Security Standards page)."""

import copy

from gra_pss import restricted_violations

GOOD = {
    "kind": "Pod", "metadata": {"name": "ok"},
    "spec": {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "x", "securityContext": {
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
        "volumes": [{"name": "w", "persistentVolumeClaim": {"claimName": "w"}}, {"name": "t", "emptyDir": {}}],
    },
}


def broken(change):
    pod = copy.deepcopy(GOOD)
    change(pod["spec"], pod["spec"]["containers"][0].setdefault("securityContext", {}))
    return restricted_violations(pod)


def test_a_compliant_pod_passes():
    assert restricted_violations(GOOD) == []


def test_each_rule_is_enforced():
    cases = {
        "host namespaces": lambda p, c: p.update(hostNetwork=True),
        "privileged": lambda p, c: c.update(privileged=True),
        "hostPath volumes": lambda p, c: p["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
        "restricted volume types": lambda p, c: p["volumes"].append({"name": "n", "nfs": {"server": "s", "path": "/"}}),
        "hostPorts": lambda p, c: p["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 80}]),
        "allowPrivilegeEscalation": lambda p, c: c.pop("allowPrivilegeEscalation"),
        "runAsNonRoot": lambda p, c: p["securityContext"].pop("runAsNonRoot"),
        "runAsUser=0": lambda p, c: c.update(runAsUser=0),
        "seccompProfile": lambda p, c: p["securityContext"].update(seccompProfile={"type": "Unconfined"}),
        'must drop "ALL"': lambda p, c: c["capabilities"].update(drop=["NET_RAW"]),
        "must not add": lambda p, c: c["capabilities"].update(add=["SYS_ADMIN"]),
        "procMount": lambda p, c: c.update(procMount="Unmasked"),
        "sysctls": lambda p, c: p["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
        "seLinuxOptions": lambda p, c: c.update(seLinuxOptions={"type": "spc_t"}),
    }
    for name, change in cases.items():
        problems = broken(change)
        assert any(name in p for p in problems), (name, problems)


def test_pod_template_of_a_deployment_is_checked():
    deployment = {"kind": "Deployment", "spec": {"template": {"metadata": {}, "spec": copy.deepcopy(GOOD["spec"])}}}
    assert restricted_violations(deployment) == []
    deployment["spec"]["template"]["spec"]["hostPID"] = True
    assert restricted_violations(deployment) == ["host namespaces: hostPID=true"]
