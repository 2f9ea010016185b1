// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "NovaCron",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "novacron", targets: ["novacron"]),
        .executable(name: "terraform-provider-novacron", targets: ["terraform-provider-novacron"]),
        .executable(name: "novacron-bench", targets: ["novacron-bench"]),
        .library(name: "NovaCore", targets: ["NovaCore"]),
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "NovaCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "Infrastructure", dependencies: ["NovaCore"], exclude: ["README.md"]),
        .target(name: "CLearningKernels"),
        .target(name: "Learning", dependencies: ["CLearningKernels"], exclude: ["README.md"]),
        .target(
            name: "Rego",
            dependencies: [
                "NovaCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "Policy", dependencies: ["NovaCore", "ControlPlane", "Rego"], exclude: ["README.md"]),
        .target(
            name: "Workflow",
            dependencies: [
                "NovaCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        .systemLibrary(name: "CLibvirt", pkgConfig: "libvirt", providers: [.apt(["libvirt-dev"])]),
        .target(name: "Libvirt", dependencies: ["CLibvirt", "NovaCore", "Infrastructure"], exclude: ["README.md"]),
        .target(
            name: "ControlPlane",
            dependencies: [
                "NovaCore", "Infrastructure", "Workflow",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "Persistence",
            dependencies: ["NovaCore", "ControlPlane", "Workflow", "Policy", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["README.md"]
        ),
        .target(
            name: "APIServer",
            dependencies: [
                "Policy",
                "NovaCore", "Infrastructure", "Libvirt", "ControlPlane", "Persistence", "Workflow",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "NovaCronClient",
            dependencies: [
                "NovaCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "NovaCronTesting",
            dependencies: [
                "NovaCore", "Infrastructure", "ControlPlane", "NovaCronClient", "APIServer", "Policy", "Workflow",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "TerraformProvider",
            dependencies: [
                "NovaCore", "NovaCronClient",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "terraform-provider-novacron",
            dependencies: ["TerraformProvider"]
        ),
        .executableTarget(
            name: "novacron",
            dependencies: [
                "APIServer", "CommandSupport", "NovaCronClient", "Persistence", "Learning", "Workflow", "Rego", "Policy", "ControlPlane",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "CommandSupport",
            dependencies: ["NovaCore", "Learning", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "novacron-bench",
            dependencies: [
                "CommandSupport", "ControlPlane", "Infrastructure", "NovaCore", "Persistence", "Workflow", "Rego", "Policy", "Learning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TerraformProviderTests",
            dependencies: ["TerraformProvider", "NovaCronTesting", "NovaCronClient", "NovaCore"]
        ),
        .testTarget(name: "NovaCoreTests", dependencies: ["NovaCore", "NovaCronTesting"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "CLearningKernels"]),
        .testTarget(name: "RegoTests", dependencies: ["Rego", "NovaCore"], exclude: ["conformance-allowlist.txt"]),
        .testTarget(name: "FuzzTests", dependencies: ["Rego", "NovaCore"], exclude: ["corpus", "crashers"]),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "NovaCronTesting"]),
        .testTarget(name: "InfrastructureTests", dependencies: ["Infrastructure", "NovaCronTesting"]),
        .testTarget(name: "LibvirtTests", dependencies: ["Libvirt", "ControlPlane", "NovaCronTesting"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "NovaCronTesting"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "ControlPlane", "NovaCronTesting"]),
        .testTarget(
            name: "PersistenceTests",
            dependencies: ["Persistence", "Workflow", "Policy", "NovaCronTesting", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "NovaCronClient", "NovaCronTesting", "Persistence", "Workflow", "Policy",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every target of ours: `any` spelled out for existentials, and members visible only from
// modules a file imports itself.
for target in package.targets where target.type != .system && target.type != .binary && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
}
