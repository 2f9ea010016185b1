import ArgumentParser
import CommandSupport
import NIOHTTP1
import NovaCore
import NovaCronClient

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "A name for the key.") var name: String
        @Option(name: .long, help: "admin, operator, viewer or a custom role.") var role: String

        func run() async throws {
            try await reportingErrors {
                let reply = try await client.makeClient().send(.POST, "/v1/apikeys", json: ["name": .string(name), "role": .string(role)])
                print(reply.body?["key"]?.stringValue ?? "")
                standardError("Created API key \(name) (id \(reply.body?["id"]?.stringValue ?? "?"), role \(role)). This is the only time the key is shown.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let keys = try await client.makeClient().send(.GET, "/v1/apikeys").body?["items"]?.arrayValue ?? []
                let rows = keys.map { key in
                    [
                        key["id"]?.stringValue ?? "", key["name"]?.stringValue ?? "", key["role"]?.stringValue ?? "",
                        key["createdAt"]?.stringValue ?? "", key["revokedAt"]?.stringValue.map { "revoked \($0)" } ?? "active",
                    ]
                }
                print(ResourceTable.align([["ID", "NAME", "ROLE", "CREATED", "STATE"]] + rows), terminator: "")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or name.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The key's id or name.") var key: String

        func run() async throws {
            try await reportingErrors {
                try await client.makeClient().send(.DELETE, "/v1/apikeys/\(segment(key))")
                print("apikey \(key) revoked")
            }
        }
    }
}
