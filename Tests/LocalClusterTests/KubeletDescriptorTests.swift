import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite(
  "Kubelet containers inherit no descriptors",
  .enabled(if: LocalKubelet.unsupportedReason == nil, "needs root and util-linux for pod sandboxes"))
struct KubeletDescriptorTests {
  /// A socket the kubelet's process holds without close-on-exec (as the API server's listening
  /// socket was) must not reach a container: else the container keeps the port after the server
  /// exits.
  @Test func aContainerHoldsNoneOfTheKubeletProcesssSockets() async throws {
    let leaked = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(leaked >= 0)
    defer { close(leaked) }
    #expect(fcntl(leaked, F_GETFD) & FD_CLOEXEC == 0)
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"""
      {"metadata":{"name":"fds"},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox",
       "command":["sh","-c","for f in /proc/self/fd/*; do echo \"$f $(readlink $f)\"; done; echo end"]}]}}
      """#)
    let pod = try await bed.phase("fds", ["Succeeded", "Failed"])
    #expect(pod["status"]["phase"] == "Succeeded")
    let out = try await bed.logs("fds", "c")
    #expect(out.contains("end"))
    #expect(!out.contains("socket:"), "\(out)")
  }
}
