import Foundation

/// What the local kubelet runs for a container image. Images are never pulled: a small table
/// maps the images gra uses to programs already on this machine.
///
/// | image | runs |
/// |---|---|
/// | `ghcr.io/gra-dev/gra-runner:*`, anything containing `gra-runner` | the host's `python3` and `sshd`, with the runner image's scripts from `images/runner/` installed in the pod's root as the image has them (`/usr/local/bin/gra-runner` as entrypoint, `healthcheck`, `gra-run`, `gra-sessions`, `/etc/gra/sshd_config`), its ENV, user 1000:1000, `/home/runner`, working directory `/workspace` |
/// | `python:*` (also `docker.io/library/python:*`) | the host's `python3` (`python` is linked to it) |
/// | `busybox`, `debian`, `ubuntu`, `alpine` (any tag) | the host's `/bin/sh` and tools |
///
/// Anything else fails like an image that cannot be pulled (`ErrImagePull`, then `ImagePullBackOff`).
public struct LocalImage: Sendable, Equatable {
  public enum Kind: String, Sendable {
    case graRunner = "gra-runner"
    case python
    case shell
  }
  public var kind: Kind
  /// The image's ENTRYPOINT, used when the container has no `command`.
  public var entrypoint: [String]
  /// The image's CMD, used when the container has neither `command` nor `args`.
  public var cmd: [String]
  /// The image's USER, when it is not root.
  public var user: Int64?
  /// The image's WORKDIR.
  public var workingDir: String?
  /// The image's ENV (PATH and the like).
  public var env: [(String, String)]
  /// How the image is treated, for the `Pulled` event.
  public var summary: String

  public static func == (a: LocalImage, b: LocalImage) -> Bool {
    a.kind == b.kind && a.entrypoint == b.entrypoint && a.cmd == b.cmd && a.user == b.user
      && a.workingDir == b.workingDir && a.summary == b.summary
  }

  /// The image's repository name without registry, tag or digest: `ghcr.io/x/py:3@sha…` → `py`.
  static func shortName(_ image: String) -> String {
    var s = image
    if let at = s.firstIndex(of: "@") { s = String(s[..<at]) }
    if let slash = s.lastIndex(of: "/") { s = String(s[s.index(after: slash)...]) }
    if let colon = s.firstIndex(of: ":") { s = String(s[..<colon]) }
    return s
  }

  static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  /// The local stand-in for `image`, or nil when the local kubelet cannot run it.
  public static func resolve(_ image: String, runnerScripts: URL?) -> LocalImage? {
    let lower = image.lowercased()
    let name = shortName(lower)
    let baseEnv = [("PATH", defaultPath)]
    if lower.contains("gra-runner") {
      let hasEntrypoint =
        runnerScripts.map {
          FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("gra-runner").path)
        } ?? false
      let how =
        hasEntrypoint
        ? "runs the host's python3 with the runner image's scripts from images/runner (entrypoint gra-runner)"
        : "runs the host's python3; images/runner/gra-runner was not found, so the command runs directly"
      let env: [(String, String)] = [
        ("PATH", defaultPath), ("HOME", "/home/runner"), ("PYTHONUNBUFFERED", "1"), ("LANG", "C.UTF-8"),
        ("GRA_WORKSPACE", "/workspace"), ("GRA_SSHD_DIR", "/tmp/gra-sshd"), ("GRA_SSH_PORT", "2222"),
      ]
      return LocalImage(
        kind: .graRunner, entrypoint: hasEntrypoint ? ["gra-runner"] : [],
        cmd: hasEntrypoint ? [] : ["sleep", "infinity"], user: 1000, workingDir: "/workspace", env: env,
        summary: "local kubelet, not pulled: \(how)")
    }
    if name == "python" {
      return LocalImage(
        kind: .python, entrypoint: [], cmd: ["python3"], user: nil, workingDir: nil,
        env: baseEnv + [("LANG", "C.UTF-8")],
        summary: "local kubelet, not pulled: runs the host's python3 (\(hostPython))")
    }
    if ["busybox", "debian", "ubuntu", "alpine"].contains(name) {
      return LocalImage(
        kind: .shell, entrypoint: [], cmd: ["sh"], user: nil, workingDir: nil, env: baseEnv,
        summary: "local kubelet, not pulled: runs the host's /bin/sh and tools")
    }
    return nil
  }

  /// The message of the `Failed` event for an image the local kubelet cannot run.
  public static func unsupportedMessage(_ image: String) -> String {
    "Failed to pull image \"\(image)\": the local kubelet does not pull images and cannot run \"\(image)\"; "
      + "it runs ghcr.io/gra-dev/gra-runner (and any image containing gra-runner), python:*, busybox, debian, "
      + "ubuntu and alpine with this machine's programs"
  }

  /// The host's python3 as seen from inside a pod (it must be readable by any user).
  static var hostPython: String {
    for p in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: p) {
      return p
    }
    return "python3"
  }
}
