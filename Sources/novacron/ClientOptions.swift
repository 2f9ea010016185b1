import ArgumentParser
import CommandSupport
import Foundation
import NIOCore
import NIOHTTP1
import NovaCore
import NovaCronClient

/// Where the server is and which key to use: flags, then environment, then the local data
/// directory's admin key.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Server URL (default: $NOVACRON_URL or http://127.0.0.1:8080).")
    var server: String?

    @Option(name: .long, help: "API key (default: $NOVACRON_API_KEY, else the data directory's admin.key).")
    var apiKey: String?

    @Option(name: .long, help: "Data directory whose admin.key to fall back on.")
    var dataDir: String = ".novacron"

    @Option(name: .long, help: "Seconds to wait for the server's answer.")
    var timeout: Int64 = 30

    func makeClient() async throws -> NovaCronClient {
        let environment = ProcessInfo.processInfo.environment
        let url = server ?? environment["NOVACRON_URL"] ?? "http://127.0.0.1:8080"
        var key = apiKey ?? environment["NOVACRON_API_KEY"]
        if key == nil, let data = FileManager.default.contents(atPath: (dataDir as NSString).appendingPathComponent("admin.key")) {
            key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let client = NovaCronClient(baseURL: url, apiKey: key, timeout: .seconds(timeout))
        try await client.checkReachable()
        return client
    }
}

/// Resolves a kind name as the user typed it.
func kindPlural(_ text: String) throws -> String {
    let known = [
        "vm": "vms", "vms": "vms", "network": "networks", "networks": "networks", "net": "networks", "volume": "volumes",
        "volumes": "volumes", "vol": "volumes", "template": "templates", "templates": "templates", "policy": "policies",
        "policies": "policies",
    ]
    guard let plural = known[text.lowercased()] else {
        throw NovaError(.invalidRequest, "unknown kind \"\(text)\": use vm, network, volume, template or policy")
    }
    return plural
}

/// Escapes a path segment.
func segment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
}

/// Posts every document of the given YAML or JSON files to `path`, one request each, printing
/// `describe(reply)` for each; a file's parse errors name its line and column.
func postDocuments(in files: [String], to path: String, with api: NovaCronClient, describe: (Value) -> String) async throws {
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { throw NovaError(.notFound, "cannot read \(file)") }
        for document in try Value.parseYAMLDocuments(String(decoding: data, as: UTF8.self), file: file) where !document.value.isNull {
            print(describe(try await api.send(.POST, path, json: document.value).body ?? .null))
        }
    }
}
