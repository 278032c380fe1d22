import ArgumentParser
import CRDModels
import Foundation
import KubeClient

struct CreateCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "create", abstract: "Create a Runner: a Python sandbox with a persistent workspace.",
    discussion: """
      Examples:
        kubectl gra create demo
        kubectl gra create gpu-box --gpus 1 --memory 16Gi --workspace-size 100Gi
        kubectl gra create dev --ssh-key-file ~/.ssh/id_ed25519.pub --idle-timeout 30m
        kubectl gra create demo --dry-run=client -o yaml
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name (a DNS-1123 label).") var name: String
  @Option(help: "Container image (default: the gra runner image).") var image: String?
  @Option(help: "CPU request and limit, e.g. 500m or 2.") var cpu: String?
  @Option(help: "Memory request and limit, e.g. 4Gi.") var memory: String?
  @Option(help: "NVIDIA GPUs (nvidia.com/gpu).") var gpus: Int?
  @Option(help: "Size of the workspace volume, e.g. 20Gi.") var workspaceSize: String?
  @Option(help: "Public key file to authorize for ssh (turns ssh on).") var sshKeyFile: String?
  @Option(help: "Port sshd listens on in the pod (default 2222).") var sshPort: Int32?
  @Option(help: "Secret with S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).") var s3Secret: String?
  @Option(help: "S3 bucket (with --s3-secret).") var s3Bucket: String?
  @Option(help: "Suspend the runner after this long without activity, e.g. 30m.") var idleTimeout: String?
  @Option(help: "`client` prints the object instead of creating it.") var dryRun: String?

  func buildRunner(namespace: String) throws -> Runner {
    var spec = RunnerSpec(image: image, idleTimeout: idleTimeout)
    var limits: [String: Quantity] = [:]
    func quantity(_ s: String, _ flag: String) throws -> Quantity {
      do { return try Quantity(parsing: s) } catch {
        throw CLIError(.usage, "--\(flag) \"\(s)\": not a quantity (examples: 500m, 2, 4Gi)")
      }
    }
    if let cpu { limits["cpu"] = try quantity(cpu, "cpu") }
    if let memory { limits["memory"] = try quantity(memory, "memory") }
    if let gpus { limits["nvidia.com/gpu"] = try quantity(String(gpus), "gpus") }
    if !limits.isEmpty { spec.resources = ResourceRequirements(limits: limits, requests: limits) }
    if let workspaceSize { spec.workspace = WorkspaceSpec(size: try quantity(workspaceSize, "workspace-size")) }
    if let sshKeyFile {
      guard let text = try? String(contentsOfFile: (sshKeyFile as NSString).expandingTildeInPath, encoding: .utf8)
      else {
        throw CLIError(.usage, "--ssh-key-file \(sshKeyFile): cannot read the file")
      }
      let keys = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
      spec.ssh = SSHSpec(enabled: true, authorizedKeys: keys)
      spec.ssh?.port = sshPort
    } else if sshPort != nil {
      throw CLIError(.usage, "--ssh-port needs --ssh-key-file")
    }
    if let s3Secret {
      guard let s3Bucket else { throw CLIError(.usage, "--s3-secret needs --s3-bucket") }
      spec.s3 = S3Spec(bucket: s3Bucket, credentialsSecretRef: LocalObjectReference(name: s3Secret))
    }
    let runner = Runner(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
    let errors = runner.withDefaults().validate()
    if !errors.isEmpty {
      throw CLIError(.usage, errors.map { "\($0)" }.joined(separator: "; "))
    }
    return runner
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    guard dryRun == nil || dryRun == "client" || dryRun == "none" else {
      throw CLIError(.usage, "--dry-run \"\(dryRun!)\": use client (or none)")
    }
    let runner = try buildRunner(namespace: namespace)
    if dryRun == "client" {
      write(try RunnerPrinter.print([runner], format: global.output == .table ? .yaml : global.output))
      return
    }
    let created = try await client.api(Runner.self, namespace: namespace).create(runner)
    switch global.output {
    case .table, .wide: write("runner.gra.dev/\(name) created\n")
    default: write(try RunnerPrinter.print([created], format: global.output))
    }
  }
}
