import ArgumentParser
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
                try await api.stream("/v1/events?watch=true&after=\(after)&timeoutSeconds=\(watchSeconds)") { print(line(for: $0)) }
            } else {
                let events = try await api.send(.GET, "/v1/events?after=\(after)&limit=1000").body?["items"]?.arrayValue ?? []
                for event in events { print(line(for: event)) }
            }
        }
    }

    private func line(for event: Value) -> String {
        let phase = event["resource"]?["status"]?["phase"]?.stringValue ?? ""
        return ResourceTable.align([[
            "#\(event["sequence"]?.intValue ?? 0)", event["time"]?.stringValue ?? "", event["type"]?.stringValue ?? "",
            "\(event["kind"]?.stringValue?.lowercased() ?? "")/\(event["name"]?.stringValue ?? "")", "v\(event["resourceVersion"]?.intValue ?? 0)",
            phase, event["actor"]?.stringValue ?? "",
        ]]).trimmingCharacters(in: .newlines)
    }
}

import Foundation
