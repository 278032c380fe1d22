"""The `restricted` Pod Security Standard (Kubernetes v1.32, baseline + restricted controls),
as the PodSecurity admission plugin checks a pod spec.

https://kubernetes.io/docs/concepts/security/pod-security-standards/ — each check below is
one row of that page's tables, named as the admission plugin names it in its messages.
The local API server has no PodSecurity admission, so the tests run this on every pod
template gra ships and every pod gra creates.
"""

from __future__ import annotations

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
RESTRICTED_VOLUME_TYPES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}


def pod_spec_of(obj: dict) -> tuple[dict, dict]:
    """(metadata, pod spec) of a Pod or of a workload's pod template."""
    if obj.get("kind") == "Pod":
        return obj.get("metadata", {}), obj.get("spec", {})
    template = obj.get("spec", {}).get("template", {})
    if obj.get("kind") == "CronJob":
        template = obj["spec"]["jobTemplate"]["spec"]["template"]
    return template.get("metadata", {}), template.get("spec", {})


def restricted_violations(obj: dict) -> list[str]:
    """Every way the pod (or pod template) breaks the restricted profile; empty when it passes."""
    meta, spec = pod_spec_of(obj)
    psc = spec.get("securityContext") or {}
    containers = [("containers", c) for c in spec.get("containers") or []]
    containers += [("initContainers", c) for c in spec.get("initContainers") or []]
    containers += [("ephemeralContainers", c) for c in spec.get("ephemeralContainers") or []]
    out: list[str] = []

    def each(field_check):
        for kind, c in containers:
            problem = field_check(c.get("securityContext") or {}, c)
            if problem:
                out.append(f'{kind}[{c.get("name")}]: {problem}')

    # --- baseline ---
    if (psc.get("windowsOptions") or {}).get("hostProcess"):
        out.append("hostProcess: pod windowsOptions.hostProcess=true")
    each(lambda sc, c: "hostProcess: windowsOptions.hostProcess=true" if (sc.get("windowsOptions") or {}).get("hostProcess") else None)
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append(f"host namespaces: {field}=true")
    each(lambda sc, c: "privileged: securityContext.privileged=true" if sc.get("privileged") else None)

    def baseline_caps(sc, c):
        added = set((sc.get("capabilities") or {}).get("add") or []) - BASELINE_CAPABILITIES
        return f"capabilities: non-default capabilities added {sorted(added)}" if added else None
    each(baseline_caps)
    for v in spec.get("volumes") or []:
        if "hostPath" in v:
            out.append(f'hostPath volumes: volume {v.get("name")}')
    for kind, c in containers:
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                out.append(f'{kind}[{c.get("name")}]: hostPorts: {p["hostPort"]}')
    for key, value in (meta.get("annotations") or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
                value == "runtime/default" or value.startswith("localhost/")):
            out.append(f"appArmor: {key}={value}")

    def apparmor(sc):
        t = (sc.get("appArmorProfile") or {}).get("type")
        return t not in (None, "RuntimeDefault", "Localhost")
    if apparmor(psc):
        out.append("appArmor: pod appArmorProfile is Unconfined")
    each(lambda sc, c: "appArmor: appArmorProfile is Unconfined" if apparmor(sc) else None)

    def selinux(sc):
        o = sc.get("seLinuxOptions") or {}
        return o.get("type", "") not in SELINUX_TYPES or o.get("user") or o.get("role")
    if selinux(psc):
        out.append("seLinuxOptions: forbidden pod SELinux type, user or role")
    each(lambda sc, c: "seLinuxOptions: forbidden SELinux type, user or role" if selinux(sc) else None)
    each(lambda sc, c: "procMount: must be Default" if sc.get("procMount") not in (None, "Default") else None)
    for s in psc.get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            out.append(f'sysctls: {s.get("name")}')

    # --- restricted ---
    for v in spec.get("volumes") or []:
        types = set(v) - {"name"}
        if not types <= RESTRICTED_VOLUME_TYPES:
            out.append(f'restricted volume types: volume {v.get("name")} uses {sorted(types - RESTRICTED_VOLUME_TYPES)}')
    each(lambda sc, c: None if sc.get("allowPrivilegeEscalation") is False
         else "allowPrivilegeEscalation != false: must be set to false")

    pod_non_root = psc.get("runAsNonRoot") is True
    if psc.get("runAsNonRoot") is False:
        out.append("runAsNonRoot != true: pod sets runAsNonRoot=false")
    each(lambda sc, c: "runAsNonRoot != true: must be true (here or in the pod's securityContext)"
         if sc.get("runAsNonRoot") is False or (not pod_non_root and sc.get("runAsNonRoot") is not True) else None)
    if psc.get("runAsUser") == 0:
        out.append("runAsUser=0: pod runs as root")
    each(lambda sc, c: "runAsUser=0" if sc.get("runAsUser") == 0 else None)

    def seccomp_type(sc):
        return (sc.get("seccompProfile") or {}).get("type")
    pod_seccomp = seccomp_type(psc)
    if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
        out.append(f"seccompProfile: pod type {pod_seccomp}")
    each(lambda sc, c: f"seccompProfile: type {seccomp_type(sc)}" if seccomp_type(sc) not in (None, "RuntimeDefault", "Localhost")
         else ("seccompProfile: must be RuntimeDefault or Localhost (here or in the pod's securityContext)"
               if seccomp_type(sc) is None and pod_seccomp is None else None))

    def restricted_caps(sc, c):
        caps = sc.get("capabilities") or {}
        problems = []
        if "ALL" not in (caps.get("drop") or []):
            problems.append('must drop "ALL"')
        added = set(caps.get("add") or []) - {"NET_BIND_SERVICE"}
        if added:
            problems.append(f"must not add {sorted(added)}")
        return "capabilities: " + ", ".join(problems) if problems else None
    each(restricted_caps)
    return out
