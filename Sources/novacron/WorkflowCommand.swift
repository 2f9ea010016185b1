import ArgumentParser
import CommandSupport
import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient

struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "Register workflows, start and follow runs, approve, signal and cancel.",
        subcommands: [Apply.self, List.self, Show.self, Run.self, Runs.self, Get.self, History.self, Approve.self, Reject.self, Signal.self, Cancel.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register workflow definitions from YAML or JSON files (one per document).")
        @OptionGroup var client: ClientOptions
        @Option(name: .shortAndLong, help: "A definition file; repeat for several.") var file: [String]

        func run() async throws {
            try await reportingErrors {
                try await postDocuments(in: file, to: "/v1/workflows", with: try await client.makeClient()) { reply in
                    let state = reply["created"]?.boolValue == true ? "registered" : "unchanged"
                    return "workflow/\(reply["name"]?.stringValue ?? "?") version \(reply["version"]?.intValue ?? 0) \(state)"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workflows (latest versions).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingErrors {
                let items = try await client.makeClient().send(.GET, "/v1/workflows").body?["items"]?.arrayValue ?? []
                let rows = items.map {
                    [
                        "\($0["name"]?.stringValue ?? "")", "\($0["version"]?.intValue ?? 0)", "\($0["steps"]?.arrayValue?.count ?? 0)",
                        $0["description"]?.stringValue ?? "",
                    ]
                }
                print(ResourceTable.align([["NAME", "VERSION", "STEPS", "DESCRIPTION"]] + rows), terminator: "")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a workflow definition as JSON.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Workflow name.") var name: String
        @Option(name: .long, help: "A version (default: the latest).") var version: Int?

        func run() async throws {
            try await reportingErrors {
                let query = version.map { "?version=\($0)" } ?? ""
                print(try await client.makeClient().send(.GET, "/v1/workflows/\(segment(name))\(query)").body?.prettyJSON ?? "")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a run; with --wait, follow it to the end (exit 1 unless it succeeds).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Workflow name.") var name: String
        @Option(name: .long, help: "An input as key=value (the value is read as JSON when it parses, else as a string); repeatable.")
        var input: [String] = []
        @Option(name: .long, help: "A JSON or YAML file with the inputs object.") var inputsFile: String?
        @Flag(name: .long, help: "Wait for the run to end and print its result.") var wait = false

        func run() async throws {
            try await reportingErrors {
                var inputs: [String: Value] = [:]
                if let inputsFile {
                    guard let data = FileManager.default.contents(atPath: inputsFile) else { throw NovaError(.notFound, "cannot read \(inputsFile)") }
                    for (key, value) in try Value(yaml: String(decoding: data, as: UTF8.self), file: inputsFile).objectValue ?? [:] {
                        inputs[key.stringValue ?? key.canonicalJSON] = value
                    }
                }
                for pair in input {
                    guard let equals = pair.firstIndex(of: "=") else { throw NovaError(.invalidRequest, "--input takes key=value, got \(pair)") }
                    let text = String(pair[pair.index(after: equals)...])
                    inputs[String(pair[..<equals])] = (try? Value(json: text)) ?? .string(text)
                }
                let api = try await client.makeClient()
                let run = try await api.send(.POST, "/v1/workflows/\(segment(name))/runs", json: ["inputs": .object(inputs)]).body ?? .null
                let id = run["id"]?.stringValue ?? ""
                guard wait else {
                    print(id)
                    return
                }
                standardError("run \(id) started")
                var announced: Set<String> = []
                while true {
                    let state = try await api.send(.GET, "/v1/runs/\(segment(id))").body ?? .null
                    let status = state["run"]?["status"]?.stringValue ?? ""
                    // A run waiting for a person says so once per approval, with what to type.
                    for task in state["tasks"]?.arrayValue ?? [] where task["state"] == "awaiting_approval" {
                        let step = task["task"]?.stringValue ?? ""
                        guard announced.insert(step).inserted else { continue }
                        let role = task["approval"]?["role"]?.stringValue.map { " (role \($0))" } ?? ""
                        let message = task["approval"]?["message"]?.stringValue.map { ": \($0)" } ?? ""
                        standardError(
                            "waiting for approval of step \(step)\(role)\(message)\n  novacron workflow approve \(id) \(step)   or   novacron workflow reject \(id) \(step) --comment WHY"
                        )
                    }
                    if ["succeeded", "failed", "cancelled", "compensated", "compensation_failed"].contains(status) {
                        print(state["run"]?.prettyJSON ?? "")
                        if status != "succeeded" { throw ExitCode(1) }
                        return
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "Only this workflow's runs.") var workflow: String?
        @Option(name: .long, help: "Only runs in this state.") var status: String?
        @Option(name: .long, help: "How many.") var limit = 50

        func run() async throws {
            try await reportingErrors {
                var query = "limit=\(limit)"
                if let workflow { query += "&workflow=\(segment(workflow))" }
                if let status { query += "&status=\(segment(status))" }
                let items = try await client.makeClient().send(.GET, "/v1/runs?\(query)").body?["items"]?.arrayValue ?? []
                let rows = items.map { r in
                    [
                        r["id"]?.stringValue ?? "", "\(r["workflow"]?.stringValue ?? "")@\(r["version"]?.intValue ?? 0)", r["status"]?.stringValue ?? "",
                        r["createdAt"]?.stringValue ?? "", r["startedBy"]?.stringValue ?? "",
                    ]
                }
                print(ResourceTable.align([["RUN", "WORKFLOW", "STATUS", "STARTED", "BY"]] + rows), terminator: "")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run and the state of each task.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Run id.") var run: String
        @Flag(name: .long, help: "Print the full JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let state = try await client.makeClient().send(.GET, "/v1/runs/\(segment(run))").body ?? .null
                if json {
                    print(state.prettyJSON)
                    return
                }
                let record = state["run"] ?? .null
                print(
                    "run \(record["id"]?.stringValue ?? "") of \(record["workflow"]?.stringValue ?? "") v\(record["version"]?.intValue ?? 0): \(record["status"]?.stringValue ?? "")"
                )
                if let error = record["error"], !error.isNull { print("error: \(error.canonicalJSON)") }
                let rows = (state["tasks"]?.arrayValue ?? []).map { t in
                    [
                        t["task"]?.stringValue ?? "", t["state"]?.stringValue ?? t["status"]?.stringValue ?? "", "\(t["attempt"]?.intValue ?? 0)",
                        t["error"]?["message"]?.stringValue ?? t["approval"]?["message"]?.stringValue ?? "",
                    ]
                }
                print(ResourceTable.align([["TASK", "STATE", "ATTEMPT", "NOTE"]] + rows), terminator: "")
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a run's events, oldest first.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Run id.") var run: String

        func run() async throws {
            try await reportingErrors {
                let items = try await client.makeClient().send(.GET, "/v1/runs/\(segment(run))/history").body?["items"]?.arrayValue ?? []
                let rows = items.map { e in
                    [
                        "\(e["sequence"]?.intValue ?? 0)", e["time"]?.stringValue ?? "", e["type"]?.stringValue ?? "", e["task"]?.stringValue ?? "",
                        e["error"]?["message"]?.stringValue ?? e["by"]?.stringValue ?? "",
                    ]
                }
                print(ResourceTable.align([["SEQ", "TIME", "EVENT", "TASK", "DETAIL"]] + rows), terminator: "")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a task waiting for approval.")
        @OptionGroup var decision: DecisionOptions
        func run() async throws { try await decision.send(approve: true) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a task waiting for approval (the run fails and compensates).")
        @OptionGroup var decision: DecisionOptions
        func run() async throws { try await decision.send(approve: false) }
    }

    struct DecisionOptions: ParsableArguments {
        @OptionGroup var client: ClientOptions
        @Argument(help: "Run id.") var run: String
        @Argument(help: "The approval step's name.") var task: String
        @Option(name: .long, help: "A note kept in the history.") var comment = ""

        func send(approve: Bool) async throws {
            try await reportingErrors {
                let verb = approve ? "approve" : "reject"
                try await client.makeClient().send(.POST, "/v1/runs/\(segment(run))/\(verb)", json: ["task": .string(task), "comment": .string(comment)])
                print("\(approve ? "approved" : "rejected") \(task) in run \(run)")
            }
        }
    }

    struct Signal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a named signal (later steps read ${signals.NAME}).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Run id.") var run: String
        @Argument(help: "Signal name.") var name: String
        @Option(name: .long, help: "A JSON payload.") var payload = "null"

        func run() async throws {
            try await reportingErrors {
                let value = try Value(json: payload, file: "--payload")
                try await client.makeClient().send(.POST, "/v1/runs/\(segment(run))/signal", json: ["name": .string(name), "payload": value])
                print("signalled \(name) to run \(run)")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a run.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Run id.") var run: String
        @Option(name: .long, help: "Why, kept in the history.") var reason = ""

        func run() async throws {
            try await reportingErrors {
                try await client.makeClient().send(.POST, "/v1/runs/\(segment(run))/cancel", json: ["reason": .string(reason)])
                print("cancelled run \(run)")
            }
        }
    }
}
