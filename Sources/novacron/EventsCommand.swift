import ArgumentParser
import CommandSupport
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "List resource events, or follow them with --watch.")

    @OptionGroup var client: ClientOptions

    @Option(name: .long, help: "Start after this sequence number.")
    var after: Int = 0

    @Flag(name: .shortAndLong, help: "Keep following new events.")
    var watch = false

    @Option(name: .long, help: "With --watch, stop after this many seconds.")
    var watchSeconds: Int = 300

    func run() async throws {
        try await reportingErrors {
            let api = try await client.makeClient()
            if watch {
                // Streamed lines cannot be aligned on what is still to come: fixed widths instead.
                print(Self.fixed(Self.header))
                try await api.stream("/v1/events?watch=true&after=\(after)&timeoutSeconds=\(watchSeconds)") { print(Self.fixed(cells(for: $0))) }
            } else {
                let events = try await api.send(.GET, "/v1/events?after=\(after)&limit=1000").body?["items"]?.arrayValue ?? []
                print(ResourceTable.align([Self.header] + events.map(cells)), terminator: "")
            }
        }
    }

    static let header = ["SEQ", "TIME", "TYPE", "RESOURCE", "VERSION", "PHASE", "ACTOR"]
    static let widths = [7, 25, 10, 28, 8, 13, 0]

    static func fixed(_ cells: [String]) -> String {
        zip(cells, widths).map { cell, width in
            width == 0 || cell.count >= width ? cell + (width == 0 ? "" : " ") : cell.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        .joined()
    }

    private func cells(for event: Value) -> [String] {
        [
            "#\(event["sequence"]?.intValue ?? 0)", event["time"]?.stringValue ?? "", event["type"]?.stringValue ?? "",
            "\(event["kind"]?.stringValue?.lowercased() ?? "")/\(event["name"]?.stringValue ?? "")", "v\(event["resourceVersion"]?.intValue ?? 0)",
            event["resource"]?["status"]?["phase"]?.stringValue ?? "", event["actor"]?.stringValue ?? "",
        ]
    }
}
