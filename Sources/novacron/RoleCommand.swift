import ArgumentParser
import CommandSupport
import NIOHTTP1
import NovaCore
import NovaCronClient

struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Manage custom RBAC roles.",
        subcommands: [List.self, Create.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Built-in and custom roles.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let roles = try await client.makeClient().send(.GET, "/v1/roles").body?["items"]?.arrayValue ?? []
                let rows = roles.map { role in
                    [
                        role["name"]?.stringValue ?? "", role["builtIn"]?.boolValue == true ? "built-in" : "custom",
                        (role["rules"]?.arrayValue ?? []).map { rule in
                            let verbs = rule["verbs"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
                            let resources = rule["resources"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
                            return "\(verbs) on \(resources)"
                        }.joined(separator: "; "),
                    ]
                }
                print(ResourceTable.align([["NAME", "TYPE", "RULES"]] + rows), terminator: "")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a custom role.",
            discussion: "Example: novacron role create auditor --allow get,list:vms,networks --allow list,get:audit")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The role's name.") var name: String
        @Option(name: .long, help: "VERBS:RESOURCES, each a comma list (verbs: get list watch create update delete *).") var allow: [String]

        func run() async throws {
            try await reportingErrors {
                let rules: [Value] = try allow.map { text in
                    let parts = text.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2 else { throw NovaError(.invalidRequest, "--allow takes VERBS:RESOURCES, got \"\(text)\"") }
                    return [
                        "verbs": .array(parts[0].split(separator: ",").map { .string(String($0)) }),
                        "resources": .array(parts[1].split(separator: ",").map { .string(String($0)) }),
                    ]
                }
                try await client.makeClient().send(.POST, "/v1/roles", json: ["name": .string(name), "rules": .array(rules)])
                print("role \(name) saved")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a custom role.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The role's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                try await client.makeClient().send(.DELETE, "/v1/roles/\(segment(name))")
                print("role \(name) deleted")
            }
        }
    }
}
