import ArgumentParser
import CommandSupport
import NIOHTTP1
import NovaCore
import NovaCronClient

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Create or update resources from YAML or JSON files, all or nothing.")

    @OptionGroup var client: ClientOptions

    @Option(name: .shortAndLong, help: "A file, a directory of .yaml/.yml/.json files, or - for standard input.")
    var filename: [String]

    @Flag(name: .long, help: "Check everything and report what would happen, writing nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Write resources although another manager (Terraform, a workflow, GitOps…) owns them; the takeover is audited.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            let documents = try filename.flatMap(ManifestFiles.load)
            guard !documents.isEmpty else { throw NovaError(.invalidRequest, "no documents found in \(filename.joined(separator: ", "))") }
            let api = try await client.makeClient()
            let reply = try await api.send(
                .POST, "/v1/apply?managedBy=cli\(dryRun ? "&dryRun=true" : "")\(force ? "&force=true" : "")",
                json: ["items": .array(documents.map(\.value))])
            for warning in reply.warnings { standardError("warning: \(warning)") }
            for result in reply.body?["results"]?.arrayValue ?? [] {
                let kind = result["kind"]?.stringValue?.lowercased() ?? "?"
                let action = result["action"]?.stringValue ?? "?"
                print("\(kind)/\(result["name"]?.stringValue ?? "?") \(action)\(dryRun ? " (dry run)" : "")")
                for warning in result["warnings"]?.arrayValue ?? [] { standardError("  warning: \(warning["message"]?.stringValue ?? "")") }
            }
        }
    }
}
