import CRDModels
import Foundation
import KubeClient
import Testing

@testable import kubectl_gra

@Suite struct CopySpecTests {
  @Test(arguments: [
    ("demo:out/x", CopySpec.runner(namespace: nil, name: "demo", path: "out/x")),
    ("team/demo:/workspace", .runner(namespace: "team", name: "demo", path: "/workspace")),
    ("demo:", .runner(namespace: nil, name: "demo", path: "")),
    ("./demo:x", .local("./demo:x")),
    ("/tmp/a:b", .local("/tmp/a:b")),
    ("Bad_Name:x", .local("Bad_Name:x")),
    ("plain", .local("plain")),
  ])
  func parses(text: String, expected: CopySpec) {
    #expect(CopySpec(text) == expected)
  }
}

@Suite struct SSHConfigBlockTests {
  let entry = SSHConfigBlock.entry(
    host: "gra-demo", user: "runner", proxyCommand: ["/opt/my tools/kubectl-gra", "ssh-proxy", "demo"],
    identityFile: "/k/id")

  @Test func entryQuotesAndPinsNothing() {
    #expect(entry.text.contains("  ProxyCommand \"/opt/my tools/kubectl-gra\" ssh-proxy demo\n"))
    #expect(entry.text.contains("  StrictHostKeyChecking no\n"))
    #expect(entry.text.hasPrefix("Host gra-demo\n  HostName gra-demo\n  User runner\n"))
  }

  @Test func keepsTheRestOfTheFileAndReplacesItsOwnEntries() {
    let user = "Host *\n  ServerAliveInterval 10\n"
    var (before, block, after) = SSHConfigBlock.parse(user)
    block.upsert([entry])
    let once = block.render(before: before, after: after)
    #expect(once.hasPrefix(user + "\n" + SSHConfigBlock.begin + "\nHost gra-demo\n"))
    (before, block, after) = SSHConfigBlock.parse(once + "Host later\n  User x\n")
    #expect(block.entries == [entry])
    var changed = entry
    changed.options[1] = ("User", "other")
    block.upsert([changed, SSHConfigBlock.entry(host: "gra-b", user: "u", proxyCommand: ["p"], identityFile: nil)])
    let twice = block.render(before: before, after: after)
    #expect(twice.components(separatedBy: "Host gra-demo\n").count == 2)
    #expect(twice.contains("  User other\n") && twice.hasSuffix("Host later\n  User x\n"))
    (before, block, after) = SSHConfigBlock.parse(twice)
    block.remove(hosts: ["gra-demo", "gra-b"])
    #expect(block.render(before: before, after: after) == user + "Host later\n  User x\n")
  }
}

@Suite struct RunRecordFilterTests {
  @Test(arguments: [1, 2, 7, 1000])
  func dropsTheRecordLineWhateverTheChunking(size: Int) {
    let log = Array("gra-run: running x\n::gra-run-record:: {\"a\":1}\n::gra-run-other\nlast".utf8)
    var f = RunRecordFilter()
    var out: [UInt8] = []
    for start in stride(from: 0, to: log.count, by: size) { out += f.push(log[start..<min(start + size, log.count)]) }
    out += f.finish()
    #expect(String(decoding: out, as: UTF8.self) == "gra-run: running x\n::gra-run-other\nlast")
  }
}

@Suite struct SHA256Tests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func knownVectors(input: String, digest: String) {
    #expect(SHA256.hex(Array(input.utf8)) == digest)
  }

  @Test func incrementalEqualsOneShot() {
    let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    var h = SHA256()
    for start in stride(from: 0, to: data.count, by: 333) { h.update(data[start..<min(start + 333, data.count)]) }
    #expect(h.hex() == SHA256.hex(data))
  }
}

@Suite struct TracerJobOptionsTests {
  @Test func aLocalScriptIsSentInlineAndAMissingOneIsAPodPath() throws {
    var o = TracerJobOptions()
    o.name = "t"
    o.script = "train.py"
    o.args = ["--epochs", "3"]
    let inline = try o.makeJob(namespace: "ns", readFile: { _ in "print(1)" })
    #expect(inline.spec?.script == "print(1)\n" && inline.spec?.args == ["--epochs", "3"])
    let path = try o.makeJob(namespace: "ns", readFile: { _ in nil })
    #expect(path.spec?.script == "train.py")
  }

  @Test func theCommandAfterDashDashRunsWhenNoModuleOrScript() throws {
    var o = TracerJobOptions()
    o.command = ["python3", "-c", "print(42)"]
    o.env = ["A=1", "B=x=y"]
    o.artifacts = ["out/*"]
    o.runner = "demo"
    o.retries = 2
    let job = try o.makeJob(namespace: "ns")
    #expect(job.spec?.command == ["python3", "-c", "print(42)"])
    #expect(job.spec?.env == [EnvVar(name: "A", value: "1"), EnvVar(name: "B", value: "x=y")])
    #expect(
      job.spec?.artifacts?.paths == ["out/*"] && job.spec?.runnerRef?.name == "demo" && job.spec?.backoffLimit == 2)
    #expect(job.metadata.name?.hasPrefix("python3-") == true)
  }

  @Test func invalidInputNamesTheField() {
    var o = TracerJobOptions()
    o.module = "not a module"
    #expect { try o.makeJob(namespace: "ns") } throws: { "\($0)".contains("spec.module") }
    o = TracerJobOptions()
    o.env = ["NOEQUALS"]
    #expect { try o.makeJob(namespace: "ns") } throws: { "\($0)".contains("KEY=VALUE") }
    o = TracerJobOptions()
    o.cpu = "lots"
    #expect { try o.makeJob(namespace: "ns") } throws: { "\($0)".contains("--cpu \"lots\"") }
  }

  @Test(arguments: [
    ("gradienttracer", nil, "gradienttracer-"), (nil, "dir/My_Train.py", "my-train-"), (nil, nil, "run-"),
  ])
  func generatedNamesAreValid(module: String?, script: String?, prefix: String) {
    let n = TracerJobOptions.generatedName(module: module, script: script, command: nil)
    #expect(n.hasPrefix(prefix) && n.count == prefix.count + 5)
    #expect(NameRules.dns1123LabelProblem(n) == nil)
  }
}

@Suite struct JobArtifactsTests {
  func job(_ spec: TracerJobSpec) -> TracerJob {
    TracerJob(metadata: ObjectMeta(name: "j", namespace: "ns"), spec: spec)
  }

  @Test func theRunnersWorkspaceHoldsTheAttemptDirectory() throws {
    let d = try JobArtifacts.workspaceDirectory(
      job: job(TracerJobSpec(runnerRef: LocalObjectReference(name: "demo"))), attempt: 2)
    #expect(d.runner == "demo" && d.path == ".gra/artifacts/j/2")
    let sub = TracerJobSpec(
      runnerRef: LocalObjectReference(name: "demo"),
      artifacts: ArtifactsSpec(
        paths: [], destination: ArtifactDestination(workspace: WorkspaceDestination(subPath: "/runs/"))))
    #expect(try JobArtifacts.workspaceDirectory(job: job(sub), attempt: 1).path == "runs/1")
  }

  @Test func otherDestinationsSayWhereTheFilesAre() {
    #expect { try JobArtifacts.workspaceDirectory(job: job(TracerJobSpec()), attempt: 1) } throws: {
      "\($0)".contains("ran without a runner")
    }
    let s3 = TracerJobSpec(
      artifacts: ArtifactsSpec(paths: [], destination: ArtifactDestination(s3: S3Destination(bucket: "b"))))
    #expect { try JobArtifacts.workspaceDirectory(job: job(s3), attempt: 1) } throws: {
      "\($0)".contains("s3://b/ns/j/")
    }
  }
}

@Suite struct RemoteRunJSONTests {
  @Test func binaryOutputIsBase64AndEndingsAreExplained() {
    let v = RemoteRun.json(
      runner: "r", namespace: "n", command: ["x"], end: .timedOut(message: "too long"), stdout: [0xFF],
      stderr: Array("e".utf8))
    #expect(v["stdoutBase64"] == "/w==" && v["stderr"] == "e" && v["exitCode"] == .null)
    #expect(v["error"] == ["reason": "TimedOut", "message": "too long", "exitCode": 5])
    let ok = RemoteRun.json(
      runner: "r", namespace: "n", command: ["x"], end: .signaled("SIGKILL"), stdout: [], stderr: [])
    #expect(ok["exitCode"] == 137 && ok["signal"] == "SIGKILL" && ok["error"] == .null)
  }
}

@Suite struct CompletionTests {
  let subs = ["create", "exec", "jobs", "results", "cp"]
  @Test func completesSubcommandsNamesAndNothingAfterFlags() {
    #expect(CompleteCommand.want(["e"], subcommands: subs) == .candidates(["exec"]))
    #expect(CompleteCommand.want(["exec", "de"], subcommands: subs) == .runners("de"))
    #expect(CompleteCommand.want(["exec", "-i", "de"], subcommands: subs) == .runners("de"))
    #expect(CompleteCommand.want(["jobs", "lo"], subcommands: subs) == .candidates(["logs"]))
    #expect(CompleteCommand.want(["jobs", "logs", ""], subcommands: subs) == .jobs(""))
    #expect(CompleteCommand.want(["results", "t"], subcommands: subs) == .jobs("t"))
    #expect(CompleteCommand.want(["exec", "demo", "--", "py"], subcommands: subs) == .nothing)
    #expect(CompleteCommand.want(["exec", "--na"], subcommands: subs) == .nothing)
  }
}

@Suite struct SSHIdentityTests {
  @Test func picksThePrivateKeyWhosePublicHalfTheRunnerAuthorizes() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-ssh-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, material) in [("id_a", "AAAAone"), ("id_b", "AAAAtwo")] {
      try "ssh-ed25519 \(material) me@laptop\n".write(toFile: "\(dir)/\(name).pub", atomically: true, encoding: .utf8)
      try "private".write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
    }
    var runner = Runner(metadata: ObjectMeta(name: "r"), spec: RunnerSpec())
    runner.spec?.ssh = SSHSpec(enabled: true, authorizedKeys: ["no-pty ssh-ed25519 AAAAtwo other comment"])
    #expect(SSHTunnel.matchingIdentity(runner: runner, sshDir: dir) == "\(dir)/id_b")
    runner.spec?.ssh = SSHSpec(enabled: true, authorizedKeys: ["ssh-ed25519 AAAAthree x"])
    #expect(SSHTunnel.matchingIdentity(runner: runner, sshDir: dir) == nil)
  }
}
