// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fnreg",
    products: [
        .executable(name: "fnreg", targets: ["CLI"]),
        .library(name: "Registry", targets: ["Registry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // YAML, for `fnreg convert sam` only (SAM and CloudFormation templates are YAML; libyaml inside).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Test only: property-based testing for Swift Testing (no dependencies of its own).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The system libsqlite3 (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The system libcrypto, for SHA-256 only (Debian: libssl-dev). See README "Dependencies".
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The system zlib, for deflate in `fnreg package` zips (Debian: zlib1g-dev). See README "Dependencies".
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(name: "EmbedMigrationsTool", path: "Sources/EmbedMigrationsTool"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["EmbedMigrationsTool"]),
        .target(
            name: "Registry",
            dependencies: ["CSQLite", "CCrypto", "CZlib", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedMigrations"]),
        .executableTarget(
            name: "CLI",
            dependencies: ["Registry", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CLITests", dependencies: ["Registry", "CLI"]),
        // The library as an embedder sees it: `import Registry`, never `@testable`.
        .testTarget(name: "EmbeddingTests", dependencies: ["Registry"]),
    ],
    swiftLanguageModes: [.v5]
)
