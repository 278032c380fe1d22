// swift-tools-version: 6.0
// gra: a Kubernetes operator for Python runners and tracer jobs.
// Dependency choices are explained in docs/architecture.md.
import PackageDescription

// Swift 6 language mode gives complete strict concurrency checking.
let strict: [SwiftSetting] = []

let package = Package(
  name: "gra",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "gra-operator", targets: ["gra-operator"]),
    .executable(name: "kubectl-gra", targets: ["kubectl-gra"]),
    .library(name: "CRDModels", targets: ["CRDModels"]),
    .library(name: "APIMachinery", targets: ["APIMachinery"]),
    .library(name: "KubeClient", targets: ["KubeClient"]),
    .library(name: "LocalCluster", targets: ["LocalCluster"]),
    .library(name: "Operator", targets: ["Operator"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    // `kubectl gra mcp` (the kubectl-gra target only).
    .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
  ],
  targets: [
    // gra.dev API types, the Kubernetes types gra reads and writes, defaulting,
    // validation and CRD generation. Foundation only: no I/O.
    .target(name: "CRDModels", swiftSettings: strict),
    // API machinery shared by the client, the operator and the local API server: merge, JSON
    // and strategic-merge patches, label and field selectors, structural-schema defaulting,
    // pruning and validation, RBAC rule evaluation. Foundation only: no I/O.
    .target(name: "APIMachinery", dependencies: ["CRDModels"], swiftSettings: strict),
    // Kubernetes client: kubeconfig, REST, watch, exec.
    // A NIO handler both the client and the local API server's aggregator put in front of an
    // upgrading HTTP client pipeline.
    .target(
      name: "HTTPUpgrade",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
      ], swiftSettings: strict),
    .target(
      name: "KubeClient",
      dependencies: [
        "CRDModels", "APIMachinery", "HTTPUpgrade",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    // The local Kubernetes API server and kubelet (tests and `gra-operator local`).
    .target(
      name: "LocalCluster",
      dependencies: [
        "CRDModels", "APIMachinery", "HTTPUpgrade",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strict),
    // Controller runtime, reconcilers and the exec bridge.
    .target(
      name: "Operator",
      dependencies: [
        "CRDModels", "APIMachinery", "KubeClient",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .executableTarget(
      name: "gra-operator",
      dependencies: [
        "CRDModels", "KubeClient", "Operator", "LocalCluster",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .executableTarget(
      name: "kubectl-gra",
      dependencies: [
        "CRDModels", "KubeClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "MCP", package: "swift-sdk"),
      ],
      swiftSettings: strict),
    // Benchmarks (figures in BENCHMARKS.md): `swift run -c release gra-bench --help`.
    .executableTarget(
      name: "gra-bench",
      dependencies: [
        "CRDModels", "KubeClient", "Operator", "LocalCluster",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "CRDModelsTests", dependencies: ["CRDModels", .product(name: "Yams", package: "Yams")],
      swiftSettings: strict),
    .testTarget(name: "APIMachineryTests", dependencies: ["APIMachinery"], swiftSettings: strict),
    .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "LocalCluster"], swiftSettings: strict),
    // Helpers shared by the test targets (running programs without blocking the cooperative pool).
    .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
    .testTarget(
      name: "LocalClusterTests",
      dependencies: [
        "LocalCluster", "CRDModels", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
      ], swiftSettings: strict),
    .testTarget(name: "KubectlGraTests", dependencies: ["kubectl-gra"], swiftSettings: strict),
    // gra-operator's flag parsing and validation.
    .testTarget(name: "GraOperatorTests", dependencies: ["gra-operator"], swiftSettings: strict),
    .testTarget(
      name: "OperatorTests", dependencies: ["Operator", "LocalCluster", "TestSupport"], swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
