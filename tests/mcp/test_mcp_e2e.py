"""`kubectl gra mcp` end to end: the official MCP Python SDK drives the built server over stdio
against `gra-operator local` (API server, kubelet, operator and exec bridge), as two users
bound to the Roles docs/agents.md documents. Asserts what an agent sees: tools, results and
tool errors."""

import base64
import hashlib
import json
import os
import subprocess

import pytest

pytest.importorskip("mcp", reason="the MCP tests need the mcp package (pip install mcp)")

from gra_cluster import start_process  # noqa: E402
from mcp_support import PLUGIN, field, run  # noqa: E402

RUNNER = "agent-box"
EXPECTED_TOOLS = {
    "list_runners", "get_runner", "create_runner", "delete_runner", "suspend_runner", "resume_runner",
    "wait_runner_ready", "exec", "run_python", "read_file", "write_file", "list_directory", "run_tracer_job",
    "wait_tracer_job", "get_tracer_job", "tracer_job_logs", "delete_tracer_job",
}


@pytest.fixture
def errlog(tmp_path):
    """The server's stderr (its logs), shown when a test fails."""
    with open(tmp_path / "server.stderr", "w+") as f:
        yield f
        f.seek(0)
        print("kubectl gra mcp stderr:\n" + f.read()[-4000:])


@pytest.fixture(scope="session")
def runner(cluster):
    """alice's runner, created through the MCP server (the result is asserted in a test)."""
    log = cluster["tmp"] / "create-runner.stderr"
    with open(log, "w") as errlog:
        return run(cluster["users"]["alice"], errlog,
                   lambda a: a.call("create_runner", name=RUNNER, cpu="500m", memory="1Gi", timeoutSeconds=300))


def test_initialize_and_list_tools(cluster, errlog):
    async def scenario(a):
        return a.init, (await a.session.list_tools()).tools

    init, tools = run(cluster["users"]["alice"], errlog, scenario)
    assert field(init, "server_info", "serverInfo").name == "gra"
    assert "create_runner" in (init.instructions or "")
    assert {t.name for t in tools} == EXPECTED_TOOLS
    for t in tools:
        schema = field(t, "input_schema", "inputSchema")
        assert schema["type"] == "object" and t.description, t.name
        assert set(schema.get("required", [])) <= set(schema["properties"]), t.name
    by_name = {t.name: t for t in tools}
    # Limits are stated where the model reads them.
    assert "16384 bytes" in by_name["exec"].description and "/workspace/.gra/mcp/" in by_name["exec"].description
    timeout = field(by_name["exec"], "input_schema", "inputSchema")["properties"]["timeoutSeconds"]
    assert (timeout["default"], timeout["maximum"]) == (60, 600)
    assert field(by_name["run_python"], "input_schema", "inputSchema")["required"] == ["runner", "code"]


def test_create_runner_exec_python_and_files(cluster, runner, errlog):
    assert not runner.is_error, runner
    assert runner.data["ready"] is True and runner.data["workspace"] == "/workspace", runner
    assert "created and ready" in runner.text

    async def scenario(a):
        r = {}
        r["list"] = await a.call("list_runners")
        r["python"] = await a.call(
            "run_python", runner=RUNNER, code="import sys\nprint(6 * 7)\nprint('to stderr', file=sys.stderr)\n")
        r["write"] = await a.call("write_file", runner=RUNNER, path="notes/hello.txt", content="héllo from the agent\n")
        r["read"] = await a.call("read_file", runner=RUNNER, path="notes/hello.txt")
        r["binary"] = await a.call(
            "write_file", runner=RUNNER, path="notes/bytes.bin", content=base64_of(bytes(range(256))), encoding="base64")
        r["read_binary"] = await a.call("read_file", runner=RUNNER, path="/workspace/notes/bytes.bin")
        r["ls"] = await a.call("list_directory", runner=RUNNER, path="notes")
        r["missing"] = await a.call("read_file", runner=RUNNER, path="notes/nope.txt")
        r["exit3"] = await a.call("exec", runner=RUNNER, command=["sh", "-c", "echo out; echo err >&2; exit 3"])
        r["env"] = await a.call("exec", runner=RUNNER, command=["sh", "-c", "echo $GREETING; pwd"],
                                env={"GREETING": "hi"}, workingDir="/workspace/notes")
        return r

    r = run(cluster["users"]["alice"], errlog, scenario)
    assert RUNNER in r["list"].text and not r["list"].is_error

    py = r["python"]
    assert not py.is_error, py
    assert py.data["exitCode"] == 0 and py.data["stdout"] == "42\n" and py.data["stderr"] == "to stderr\n"
    assert py.text.startswith("exit code: 0\nstdout:\n42\n")

    assert not r["write"].is_error and r["write"].data["path"] == "/workspace/notes/hello.txt", r["write"]
    assert r["read"].data["content"] == "héllo from the agent\n" and r["read"].data["encoding"] == "text"
    assert r["read_binary"].data["encoding"] == "base64"
    assert r["read_binary"].data["content"] == base64_of(bytes(range(256)))
    names = {e["name"]: e for e in r["ls"].data["entries"]}
    assert names["hello.txt"]["type"] == "file" and names["hello.txt"]["size"] == len("héllo from the agent\n".encode())

    assert r["missing"].is_error and "no such file" in r["missing"].text and "list_directory" in r["missing"].text

    # A failing command is a normal result with its exit code, not a tool error.
    assert not r["exit3"].is_error
    assert (r["exit3"].data["exitCode"], r["exit3"].data["stdout"], r["exit3"].data["stderr"]) == (3, "out\n", "err\n")
    assert r["env"].data["stdout"] == "hi\n/workspace/notes\n", r["env"]


def test_long_output_is_truncated_and_kept_in_the_workspace(cluster, runner, errlog):
    assert not runner.is_error, runner
    expected = "".join(f"{i}\n" for i in range(1, 30001))

    async def scenario(a):
        long = await a.call("exec", runner=RUNNER, command=["seq", "1", "30000"])
        path = long.data["fullOutput"]["stdout"]
        first = await a.call("read_file", runner=RUNNER, path=path, limit=100000)
        rest = await a.call("read_file", runner=RUNNER, path=path, offset=100000, limit=1048576)
        return long, first, rest

    long, first, rest = run(cluster["users"]["alice"], errlog, scenario)
    assert not long.is_error and long.data["truncated"] is True
    assert long.data["stdoutBytes"] == len(expected)
    assert len(long.data["stdout"].encode()) < 16384 + 400
    assert long.data["stdout"].startswith("1\n2\n3\n") and long.data["stdout"].endswith("29999\n30000\n")
    assert "bytes of stdout omitted" in long.text and long.data["fullOutput"]["stdout"] in long.text
    assert long.data["fullOutput"]["stdout"].startswith("/workspace/.gra/mcp/exec-")
    assert "call read_file with offset 100000" in first.text
    assert first.data["content"] + rest.data["content"] == expected


def test_big_files_travel_in_pieces(cluster, runner, errlog):
    """1.2 MB goes to the runner in three bridge calls and comes back in two reads."""
    assert not runner.is_error, runner
    content = "".join(f"{i:07d} the quick brown fox\n" for i in range(45000))

    async def scenario(a):
        w = await a.call("write_file", runner=RUNNER, path="big/data.txt", content=content)
        first = await a.call("read_file", runner=RUNNER, path="big/data.txt", limit=1048576)
        rest = await a.call("read_file", runner=RUNNER, path="big/data.txt", offset=1048576, limit=1048576)
        return w, first, rest

    w, first, rest = run(cluster["users"]["alice"], errlog, scenario)
    assert not w.is_error and w.data["size"] == len(content) > 1_200_000, w
    assert first.data["content"] + rest.data["content"] == content
    assert rest.data["complete"] is False and "call read_file with offset" not in rest.text


def test_tracer_job_runs_to_completion(cluster, runner, errlog):
    assert not runner.is_error, runner
    script = (
        "import json, os\n"
        "os.makedirs('out', exist_ok=True)\n"
        "json.dump({'steps': 3}, open('out/trace.json', 'w'))\n"
        "print('tracing done')\n")

    async def scenario(a):
        r = {"progress": []}
        r["run"] = await a.call("run_tracer_job", progress=r["progress"], name="trace-1", runner=RUNNER,
                                command=["python3", "-c", script], artifacts=["out/**"], waitSeconds=300)
        r["get"] = await a.call("get_tracer_job", name="trace-1")
        r["logs"] = await a.call("tracer_job_logs", name="trace-1")
        artifact = r["get"].data["artifacts"][0]
        r["artifact"] = await a.call("read_file", runner=RUNNER, path=artifact["workspacePath"])
        r["failing"] = await a.call("run_tracer_job", command=["sh", "-c", "echo going wrong; exit 4"], waitSeconds=300)
        return r

    r = run(cluster["users"]["alice"], errlog, scenario)
    job = r["run"]
    assert not job.is_error, job
    assert (job.data["phase"], job.data["exitCode"]) == ("Succeeded", 0), job
    [artifact] = job.data["artifacts"]
    content = json.dumps({"steps": 3})
    assert artifact["path"] == "out/trace.json"
    assert artifact["sha256"] == hashlib.sha256(content.encode()).hexdigest()
    assert f"read_file runner={RUNNER} path={artifact['workspacePath']}" in job.text
    # The wait reported each state it saw, ending with the final one.
    assert r["progress"] and all(m.startswith("tracer job trace-1: phase ") for m in r["progress"]), r["progress"]
    assert r["progress"][-1].startswith("tracer job trace-1: phase Succeeded"), r["progress"]
    assert r["get"].data["phase"] == "Succeeded"
    assert "tracing done" in r["logs"].text, r["logs"]
    assert r["artifact"].data["content"] == content

    failing = r["failing"]
    assert failing.is_error and failing.data["phase"] == "Failed" and failing.data["exitCode"] == 4, failing
    assert failing.data["name"].startswith("mcp-")
    assert "going wrong" in failing.text


def test_suspended_runner_says_to_resume(cluster, runner, errlog):
    assert not runner.is_error, runner

    async def scenario(a):
        r = {}
        r["suspend"] = await a.call("suspend_runner", name=RUNNER)
        r["exec"] = await a.call("exec", runner=RUNNER, command=["true"])
        r["resume"] = await a.call("resume_runner", name=RUNNER, timeoutSeconds=300)
        r["after"] = await a.call("read_file", runner=RUNNER, path="notes/kept.txt")
        return r

    async def write(a):
        return await a.call("write_file", runner=RUNNER, path="notes/kept.txt", content="still here\n")

    assert not run(cluster["users"]["alice"], errlog, write).is_error
    r = run(cluster["users"]["alice"], errlog, scenario)
    assert not r["suspend"].is_error, r["suspend"]
    assert r["exec"].is_error and f"runner {RUNNER} is suspended; call resume_runner" in r["exec"].text, r["exec"]
    assert not r["resume"].is_error and r["resume"].data["ready"] is True, r["resume"]
    assert r["after"].data["content"] == "still here\n", r["after"]


def test_user_without_runners_exec_gets_a_clear_tool_error(cluster, runner, errlog):
    assert not runner.is_error, runner

    async def scenario(a):
        r = {}
        r["list"] = await a.call("list_runners")
        r["python"] = await a.call("run_python", runner=RUNNER, code="print(1)")
        r["read"] = await a.call("read_file", runner=RUNNER, path="notes/hello.txt")
        r["create"] = await a.call("create_runner", name="mallory-box")
        r["job"] = await a.call("run_tracer_job", command=["true"])
        return r

    r = run(cluster["users"]["mallory"], errlog, scenario)
    assert not r["list"].is_error and RUNNER in r["list"].text, r["list"]
    for key in ("python", "read"):
        e = r[key]
        assert e.is_error, e
        assert e.text.startswith("forbidden: ") and 'User "mallory"' in e.text, e
        assert 'needs "create" on "runners/exec"' in e.text and "docs/agents.md" in e.text, e
    assert r["create"].is_error and 'needs "create" on "runners" in API group "gra.dev"' in r["create"].text, r["create"]
    assert r["job"].is_error and 'needs "create" on "tracerjobs"' in r["job"].text, r["job"]


def test_exec_needs_the_aggregated_group_too(cluster, runner, errlog):
    """The API server authorizes the aggregated path in exec.gra.dev before the bridge checks
    gra.dev: a Role with only gra.dev is refused, and the error names both groups."""
    assert not runner.is_error, runner
    r = run(cluster["users"]["bob"], errlog, lambda a: a.call("exec", runner=RUNNER, command=["true"]))
    assert r.is_error and 'User "bob"' in r.text and 'API group "exec.gra.dev"' in r.text, r
    assert 'in API groups "gra.dev" and "exec.gra.dev"' in r.text, r


def test_stdout_carries_only_protocol_and_answers_before_exit(cluster):
    """A piped client: requests, then stdin closed at once. Every answer still arrives, stdout
    holds JSON-RPC and nothing else, logs go to stderr, and the server exits 0."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list_runners", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "no_such_tool", "arguments": {}}},
    ]
    proc = start_process([str(PLUGIN), "mcp", "--kubeconfig", str(cluster["users"]["alice"])],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    out, err = proc.communicate("".join(json.dumps(m) + "\n" for m in requests).encode(), timeout=60)
    assert proc.returncode == 0, err.decode()
    messages = [json.loads(line) for line in out.decode().splitlines()]
    assert all(m.get("jsonrpc") == "2.0" for m in messages)
    by_id = {m["id"]: m for m in messages if "id" in m}
    assert set(by_id) == {1, 2, 3, 4}, messages
    assert by_id[1]["result"]["serverInfo"]["name"] == "gra"
    assert {t["name"] for t in by_id[2]["result"]["tools"]} == EXPECTED_TOOLS
    assert by_id[3]["result"].get("isError") in (None, False)
    assert by_id[4]["result"]["isError"] is True and "no tool named" in by_id[4]["result"]["content"][0]["text"]
    assert b"serving MCP on stdio" in err


def base64_of(data):
    return base64.b64encode(data).decode()
