"""Shared by the MCP end-to-end tests: paths, the documented Roles, kubectl, and an MCP client
(the official MCP Python SDK) that drives `kubectl gra mcp` over stdio."""

import asyncio
import contextlib
import errno
import os
import re
import subprocess
import time

import yaml

from gra_cluster import OPERATOR, PLUGIN, ROOT  # noqa: E402,F401 (re-exported)

DOCS = ROOT / "docs" / "agents.md"
NAMESPACE = "default"


def documented_roles():
    """The Roles in docs/agents.md's YAML blocks, by name."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S)
    docs = [d for b in blocks for d in yaml.safe_load_all(b) if d]
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Role"}


def kubectl(env, *args, stdin=None):
    r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=stdin, timeout=60)
    assert r.returncode == 0, f"kubectl {' '.join(args)}: {r.stderr}"
    return r.stdout


def field(obj, snake, camel):
    """A result field under either spelling (the SDK renamed its attributes in 2.x)."""
    return getattr(obj, snake, None) if hasattr(obj, snake) else getattr(obj, camel, None)


class Result:
    """What an agent sees of one tool call."""

    def __init__(self, raw):
        self.raw = raw
        self.is_error = bool(field(raw, "is_error", "isError"))
        self.text = "\n".join(c.text for c in raw.content if getattr(c, "type", "") == "text")
        self.data = field(raw, "structured_content", "structuredContent") or {}

    def __repr__(self):
        return f"Result(is_error={self.is_error}, text={self.text[:2000]!r})"


class Agent:
    """A connected MCP client; `call` returns a ``Result``."""

    def __init__(self, session, init):
        self.session = session
        self.init = init

    async def call(self, tool, progress=None, **arguments):
        """Calls a tool; with a `progress` list, asks for progress notifications and appends
        their messages to it."""
        callback = None
        if progress is not None:
            async def callback(value, total, message):
                progress.append(message)
        return Result(await self.session.call_tool(tool, arguments, progress_callback=callback))


@contextlib.asynccontextmanager
async def agent(kubeconfig, errlog, *extra):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=str(PLUGIN), args=["mcp", "--kubeconfig", str(kubeconfig), *extra], env=dict(os.environ))
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            yield Agent(session, init)


def text_file_busy(error: BaseException) -> bool:
    """ETXTBSY (alone or in an exception group): a build in this checkout is linking the binary."""
    if isinstance(error, BaseExceptionGroup):
        return all(text_file_busy(e) for e in error.exceptions)
    return isinstance(error, OSError) and error.errno == errno.ETXTBSY


def run(kubeconfig, errlog, scenario, *extra):
    """Runs `await scenario(agent)` against a fresh server process (its start is retried while
    a build is linking kubectl-gra; the scenario has not begun then)."""
    started = False

    async def main():
        nonlocal started
        async with agent(kubeconfig, errlog, *extra) as a:
            started = True
            return await scenario(a)

    deadline = time.monotonic() + 120
    while True:
        try:
            return asyncio.run(main())
        except BaseException as e:
            if started or not text_file_busy(e) or time.monotonic() > deadline:
                raise
            time.sleep(1)
