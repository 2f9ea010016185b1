import ArgumentParser
import CommandSupport
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Run workflows on cron schedules or on events; pause, resume and backfill.",
        subcommands: [Apply.self, List.self, Pause.self, Resume.self, Backfill.self, Delete.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace schedules from YAML or JSON files.")
        @OptionGroup var client: ClientOptions
        @Option(name: .shortAndLong, help: "A schedule file; repeat for several.") var file: [String]

        func run() async throws {
            try await reportingErrors {
                try await postDocuments(in: file, to: "/v1/schedules", with: try await client.makeClient()) { reply in
                    "schedule/\(reply["name"]?.stringValue ?? "?") applied, next \(reply["nextFire"]?.stringValue ?? "on event")"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List schedules.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let items = try await client.makeClient().send(.GET, "/v1/schedules").body?["items"]?.arrayValue ?? []
                let rows = items.map { s in
                    [
                        s["name"]?.stringValue ?? "", s["workflow"]?.stringValue ?? "",
                        s["cron"].flatMap { $0.stringValue.map { "\($0) \(s["timezone"]?.stringValue ?? "")" } } ?? "on \(s["on"]?.canonicalJSON ?? "")",
                        s["overlap"]?.stringValue ?? "", s["paused"]?.boolValue == true ? "paused" : (s["nextFire"]?.stringValue ?? "-"),
                    ]
                }
                print(ResourceTable.align([["NAME", "WORKFLOW", "WHEN", "OVERLAP", "NEXT"]] + rows), terminator: "")
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws { try await ScheduleCommand.setPaused(true, name: name, client: client) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused schedule from now.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws { try await ScheduleCommand.setPaused(false, name: name, client: client) }
    }

    static func setPaused(_ paused: Bool, name: String, client: ClientOptions) async throws {
        try await reportingErrors {
            try await client.makeClient().send(.POST, "/v1/schedules/\(segment(name))/\(paused ? "pause" : "unpause")")
            print("schedule/\(name) \(paused ? "paused" : "resumed")")
        }
    }

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every slot between two RFC 3339 times that has not run yet.")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        @Option(help: "Start, e.g. 2026-11-01T00:00:00Z.") var from: String
        @Option(help: "End (included).") var to: String
        func run() async throws {
            try await reportingErrors {
                let runs =
                    try await client.makeClient().send(
                        .POST, "/v1/schedules/\(segment(name))/backfill",
                        json: ["from": .string(from), "to": .string(to)]
                    ).body?["runs"]?.arrayValue ?? []
                print("started \(runs.count) run(s)")
                for run in runs { print(run.stringValue ?? "") }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule (its runs stay).")
        @OptionGroup var client: ClientOptions
        @Argument var name: String
        func run() async throws {
            try await reportingErrors {
                try await client.makeClient().send(.DELETE, "/v1/schedules/\(segment(name))")
                print("schedule/\(name) deleted")
            }
        }
    }
}
