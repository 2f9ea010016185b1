import ArgumentParser
import CommandSupport
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show resources of a kind, or one by name.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, yaml }

    @OptionGroup var client: ClientOptions

    @Argument(help: "vm, network, volume, template or policy.")
    var kind: String

    @Argument(help: "A resource name; all of the kind when absent.")
    var name: String?

    @Option(name: .shortAndLong, help: "table, json or yaml.")
    var output: Format = .table

    @Option(name: [.customShort("l"), .long], help: "Label selector, e.g. env=prod,tier!=db.")
    var selector: String?

    func run() async throws {
        try await reportingErrors {
            let plural = try kindPlural(kind)
            let api = try await client.makeClient()
            var documents: [Value] = []
            if let name {
                documents = [try await api.send(.GET, "/v1/\(plural)/\(segment(name))").body ?? .null]
            } else {
                var cursor: String?
                repeat {
                    var path = "/v1/\(plural)?limit=500"
                    if let selector {
                        path += "&selector=\(selector.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? selector)"
                    }
                    if let cursor { path += "&cursor=\(segment(cursor))" }
                    let page = try await api.send(.GET, path).body
                    documents += page?["items"]?.arrayValue ?? []
                    cursor = page?["nextCursor"]?.stringValue
                } while cursor != nil
            }
            switch output {
            case .table:
                print(documents.isEmpty ? "No \(plural) found." : ResourceTable.render(documents), terminator: documents.isEmpty ? "\n" : "")
            case .json:
                print(name == nil ? Value.object(["items": .array(documents)]).prettyJSON : documents[0].prettyJSON)
            case .yaml:
                print(documents.map { $0.yamlText() }.joined(separator: "---\n"), terminator: "")
            }
        }
    }
}
