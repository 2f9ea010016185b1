import ArgumentParser
import CommandSupport
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient
import Rego

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Rego policies enforced at admission: apply, list, delete, versions, rollback, preview, dry-run, violations.",
        subcommands: [Apply.self, Get.self, Delete.self, Versions.self, Rollback.self, Preview.self, Eval.self, Violations.self])

    /// A Policy document from a `.rego` file: the package's `# METADATA` `custom` block gives
    /// `enforcement`, `kinds` and `operations`, its `title` or `description` the description;
    /// the file's name (without `.rego`) is the policy's name unless `custom.name` says otherwise.
    static func document(fromRego path: String) throws -> Value {
        let text = try readText(path)
        let module = try Parser.parseModule(text, file: path)
        let custom = module.annotations?["custom"] ?? .emptyObject
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent.replacingOccurrences(of: "_", with: "-")
        var spec: [Value: Value] = ["rego": .string(text)]
        for key in ["enforcement", "kinds", "operations"] { if let value = custom[key] { spec[.string(key)] = value } }
        if let description = module.annotations?["description"] ?? module.annotations?["title"] { spec["description"] = description }
        return ["apiVersion": "novacron.io/v1", "kind": "Policy", "metadata": ["name": custom["name"] ?? .string(base)], "spec": .object(spec)]
    }

    /// Policy documents from `.rego` files (test files skipped) or YAML/JSON manifests.
    static func documents(_ paths: [String]) throws -> [Value] {
        var documents: [Value] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let files =
                isDirectory.boolValue
                ? (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                if file.hasSuffix("_test.rego") { continue }
                if file.hasSuffix(".rego") {
                    documents.append(try document(fromRego: file))
                } else if !isDirectory.boolValue || file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                    documents += try ManifestFiles.load(file).map(\.value)
                }
            }
        }
        return documents
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or update policies from .rego files, directories or manifests.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Rego files (with a # METADATA custom block), directories, or Policy manifests.") var paths: [String]
        @Flag(help: "Compile and check, writing nothing.") var dryRun = false

        func run() async throws {
            try await reportingErrors {
                let documents = try PolicyCommand.documents(paths)
                guard !documents.isEmpty else { throw NovaError(.invalidRequest, "no policies found in \(paths.joined(separator: ", "))") }
                let reply = try await client.makeClient().send(
                    .POST, "/v1/apply?managedBy=cli\(dryRun ? "&dryRun=true" : "")", json: ["items": .array(documents)])
                for result in reply.body?["results"]?.arrayValue ?? [] {
                    print("policy/\(result["name"]?.stringValue ?? "?") \(result["action"]?.stringValue ?? "?")\(dryRun ? " (dry run)" : "")")
                }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List policies, or show one.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String?

        func run() async throws {
            try await reportingErrors {
                let api = try await client.makeClient()
                if let name {
                    print((try await api.send(.GET, "/v1/policies/\(name)").body ?? .null).prettyJSON)
                    return
                }
                let items = try await api.send(.GET, "/v1/policies").body?["items"]?.arrayValue ?? []
                print("NAME".padding(toLength: 28, withPad: " ", startingAt: 0) + "VERSION  ENFORCEMENT  KINDS")
                for item in items {
                    let name = item["metadata"]?["name"]?.stringValue ?? "?"
                    let version = item["metadata"]?["resourceVersion"]?.stringValue ?? "?"
                    let kinds = item["spec"]?["kinds"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
                    print(
                        name.padding(toLength: 28, withPad: " ", startingAt: 0) + version.padding(toLength: 9, withPad: " ", startingAt: 0)
                            + (item["spec"]?["enforcement"]?.stringValue ?? "").padding(toLength: 13, withPad: " ", startingAt: 0)
                            + (kinds.isEmpty ? "*" : kinds))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a policy: it is no longer enforced (its history stays).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The policy's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                try await client.makeClient().send(.DELETE, "/v1/policies/\(name)")
                print("policy/\(name) deleted")
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version of a policy, oldest first.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String

        func run() async throws {
            try await reportingErrors {
                let items = try await client.makeClient().send(.GET, "/v1/policies/\(name)/history").body?["items"]?.arrayValue ?? []
                for item in items {
                    let enforcement = item["document"]?["spec"]?["enforcement"]?.stringValue ?? "-"
                    print(
                        "v\(item["version"]?.intValue ?? 0)  \(item["time"]?.stringValue ?? "")  \(item["operation"]?.stringValue ?? "")  \(item["actor"]?.stringValue ?? "")  \(enforcement)"
                    )
                }
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an earlier version current again (a new, audited version).")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        @Option(name: .long, help: "The version to restore.") var to: Int

        func run() async throws {
            try await reportingErrors {
                let reply = try await client.makeClient().send(.POST, "/v1/policies/\(name)/rollback?version=\(to)")
                print("policy/\(name) is now version \(reply.body?["metadata"]?["resourceVersion"]?.stringValue ?? "?") (the content of v\(to))")
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which current resources a new or changed policy would object to (enforces nothing).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "A .rego file or a Policy manifest.") var path: String

        func run() async throws {
            try await reportingErrors {
                guard let document = try PolicyCommand.documents([path]).first else { throw NovaError(.invalidRequest, "no policy in \(path)") }
                let reply = try await client.makeClient().send(.POST, "/v1/policy/preview", json: document)
                let violations = reply.body?["violations"]?.arrayValue ?? []
                if violations.isEmpty { print("no current resource violates \(reply.body?["policy"]?.stringValue ?? "the policy")") }
                for v in violations {
                    let subject = "\(v["resource"]?["kind"]?.stringValue ?? "?")/\(v["resource"]?["name"]?.stringValue ?? "?")"
                    for m in v["deny"]?.arrayValue ?? [] { print("\(subject): deny: \(m["msg"]?.stringValue ?? "")") }
                    for m in v["warn"]?.arrayValue ?? [] { print("\(subject): warn: \(m["msg"]?.stringValue ?? "")") }
                }
            }
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dry-run the policies in force on an input document (JSON file).")
        @OptionGroup var client: ClientOptions
        @Option(name: .shortAndLong, help: "The input: {operation, resource, oldResource, actor, time}.") var input: String
        @Option(help: "Only this policy.") var policy: String?

        func run() async throws {
            try await reportingErrors {
                let value = try Value(json: try readText(input), file: input)
                var body: [Value: Value] = ["input": value]
                if let policy { body["policy"] = .string(policy) }
                print((try await client.makeClient().send(.POST, "/v1/policy/evaluate", json: .object(body)).body ?? .null).prettyJSON)
            }
        }
    }

    struct Violations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recorded violations, by resource, policy and time.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Kind/name or name.") var resource: String?
        @Option(help: "Policy name.") var policy: String?

        func run() async throws {
            try await reportingErrors {
                var query: [String] = []
                if let resource { query.append("resource=\(resource)") }
                if let policy { query.append("policy=\(policy)") }
                let items =
                    try await client.makeClient().send(.GET, "/v1/violations" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))).body?["items"]?
                    .arrayValue ?? []
                for v in items {
                    let messages = v["messages"]?.arrayValue?.compactMap { $0["msg"]?.stringValue }.joined(separator: "; ") ?? ""
                    print(
                        "\(v["time"]?.stringValue ?? "")  \(v["policy"]?.stringValue ?? "") v\(v["version"]?.intValue ?? 0) [\(v["enforcement"]?.stringValue ?? "")]  \(v["resource"]?["kind"]?.stringValue ?? "")/\(v["resource"]?["name"]?.stringValue ?? "")  \(messages)"
                    )
                }
            }
        }
    }
}
