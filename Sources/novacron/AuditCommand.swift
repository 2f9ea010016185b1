import ArgumentParser
import CommandSupport
import ControlPlane
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient
import Persistence

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and verify the hash-chained audit log.",
        subcommands: [Verify.self, List.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Walk the hash chain; report the first broken link.")
        @OptionGroup var client: ClientOptions
        @Flag(name: .long, help: "Read the data directory's database directly instead of asking the server.") var offline = false

        func run() async throws {
            try await reportingErrors {
                let result: Value
                if offline {
                    let path = (client.dataDir as NSString).appendingPathComponent("novacron.sqlite")
                    guard FileManager.default.fileExists(atPath: path) else { throw NovaError(.notFound, "no database at \(path)") }
                    let store = try SQLiteStore(path: path)
                    let key = (client.dataDir as NSString).appendingPathComponent("audit-signing.key")
                    if FileManager.default.fileExists(atPath: key) {
                        let checkpoints = (client.dataDir as NSString).appendingPathComponent("audit-checkpoints.jsonl")
                        result = try await AuditAnchor(log: store, keyPath: key, checkpointPath: checkpoints).verify().value
                    } else {
                        result = try await store.verify().value
                    }
                } else {
                    result = try await client.makeClient().send(.GET, "/v1/audit/verify").body ?? .null
                }
                let checked = result["entriesChecked"]?.intValue ?? 0
                if result["intact"]?.boolValue == true {
                    print("audit log intact: \(checked) entries verified")
                } else {
                    print("audit log BROKEN at entry \(result["firstBrokenSequence"]?.intValue ?? 0): \(result["problem"]?.stringValue ?? "")")
                    throw ExitCode(2)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print audit entries.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Start after this sequence number.") var after: Int = 0
        @Option(name: .long, help: "How many entries.") var limit: Int = 100

        func run() async throws {
            try await reportingErrors {
                let entries = try await client.makeClient().send(.GET, "/v1/audit?after=\(after)&limit=\(limit)").body?["items"]?.arrayValue ?? []
                let rows = entries.map { e in
                    [
                        "\(e["sequence"]?.intValue ?? 0)", e["time"]?.stringValue ?? "", e["actor"]?.stringValue ?? "", e["action"]?.stringValue ?? "",
                        "\(e["kind"]?.stringValue ?? "")/\(e["name"]?.stringValue ?? "")", e["outcome"]?.stringValue ?? "", e["detail"]?.stringValue ?? "",
                    ]
                }
                print(ResourceTable.align([["SEQ", "TIME", "ACTOR", "ACTION", "RESOURCE", "OUTCOME", "DETAIL"]] + rows), terminator: "")
            }
        }
    }
}
