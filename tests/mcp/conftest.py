"""A local cluster (`gra-operator local`: API server, kubelet, operator and exec bridge) with two
users from a token file, bound to the Roles that docs/agents.md documents:

- alice: the `gra-agent` Role (runners, runners/exec, tracerjobs, pods/log);
- mallory: the `gra-observer` Role (reads runners and tracer jobs; no runners/exec);
- bob: `gra-agent` with runners/exec in group gra.dev only (not the aggregated exec.gra.dev).

Each user gets a kubeconfig of their own, so the MCP server runs with exactly their identity."""

import shutil

import pytest
import yaml

from gra_cluster import local_cluster
from mcp_support import NAMESPACE, OPERATOR, PLUGIN, documented_roles, kubectl


@pytest.fixture(scope="session")
def cluster():
    if not (OPERATOR.exists() and PLUGIN.exists()):
        pytest.skip("build first: swift build (make test does)")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    tokens = ('alice-token,alice,uid-alice,"agents"\nmallory-token,mallory,uid-mallory,"observers"\n'
              'bob-token,bob,uid-bob,"agents"\n')
    with local_cluster(kubelet=True, operator=True, tokens=tokens, prefix="gra-mcp-") as c:
        admin = c.env
        roles = documented_roles()
        for role, user in (("gra-agent", "alice"), ("gra-observer", "mallory")):
            manifest = dict(roles[role])
            manifest["metadata"] = dict(manifest["metadata"], namespace=NAMESPACE)
            kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump(manifest))
            kubectl(admin, "create", "rolebinding", f"{user}-{role}", f"--role={role}", f"--user={user}", "-n", NAMESPACE)

        # bob may exec in group gra.dev only, not in the aggregated group exec.gra.dev.
        gra_dev_only = dict(roles["gra-agent"])
        gra_dev_only["metadata"] = {"name": "gra-dev-exec-only", "namespace": NAMESPACE}
        gra_dev_only["rules"] = [dict(r, apiGroups=["gra.dev"]) if "runners/exec" in r["resources"] else r
                                 for r in gra_dev_only["rules"]]
        kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump(gra_dev_only))
        kubectl(admin, "create", "rolebinding", "bob-gra-dev-exec-only", "--role=gra-dev-exec-only", "--user=bob",
                "-n", NAMESPACE)

        users = {user: c.user_kubeconfig(user, f"{user}-token") for user in ("alice", "mallory", "bob")}
        yield {"admin": admin, "users": users, "tmp": c.dir}
