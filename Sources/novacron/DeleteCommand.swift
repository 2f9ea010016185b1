import ArgumentParser
import CommandSupport
import NIOHTTP1
import NovaCronClient

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a resource by kind and name.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "vm, network, volume, template or policy.")
    var kind: String

    @Argument(help: "The resource's name.")
    var name: String

    @Flag(name: .long, help: "Delete it although another manager (Terraform, a workflow, GitOps…) owns it; the takeover is audited.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            let plural = try kindPlural(kind)
            try await client.makeClient().send(.DELETE, "/v1/\(plural)/\(segment(name))?managedBy=cli\(force ? "&force=true" : "")")
            print("\(kind.lowercased())/\(name) deleted")
        }
    }
}
