import ArgumentParser
import Foundation
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

/// Runs a command body; a NovaCron error is printed with its details and exits 1, never a trace.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as NovaError {
        var text = "error: \(error.message)\n"
        for diagnostic in error.diagnostics { text += "  - \(diagnostic)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }
}

func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Resolves a kind name as the user typed it.
func kindPlural(_ text: String) throws -> String {
    let known = ["vm": "vms", "vms": "vms", "network": "networks", "networks": "networks", "net": "networks", "volume": "volumes",
                 "volumes": "volumes", "vol": "volumes", "template": "templates", "templates": "templates", "policy": "policies",
                 "policies": "policies"]
    guard let plural = known[text.lowercased()] else {
        throw NovaError(.invalidRequest, "unknown kind \"\(text)\": use vm, network, volume, template or policy")
    }
    return plural
}

/// Escapes a path segment.
func segment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
}

/// A file's text, or an error that says which file and why in plain words (never Foundation's
/// error domain text).
func readText(_ path: String) throws(NovaError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        let why = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) ? "no such file"
            : isDirectory.boolValue ? "it is a directory" : "it cannot be read (permissions?)"
        throw NovaError(.notFound, "cannot read \(path): \(why)")
    }
    guard let text = String(validating: data, as: UTF8.self) else { throw NovaError(.invalidRequest, "\(path) is not UTF-8 text") }
    return text
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
