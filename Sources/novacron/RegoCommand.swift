import ArgumentParser
import CommandSupport
import Foundation
import NovaCore
import Rego

struct RegoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rego", abstract: "Check, evaluate and test Rego policies.",
        subcommands: [Check.self, Eval.self, Test.self])

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a query against Rego files and data, as opa eval does.")
        @Option(name: .shortAndLong, help: "A Rego file, a data file, or a directory of them; repeatable.") var data: [String] = []
        @Option(name: .shortAndLong, help: "Output: json (as opa eval) or pretty.") var format = "json"
        @Option(name: .shortAndLong, help: "A JSON input document.") var input: String?
        @Flag(help: "Read modules as Rego v0.") var v0 = false
        @Argument(help: "The query, e.g. data.authz.allow.") var query: String?

        func run() async throws {
            guard let query else { throw ValidationError("give a query") }
            let files: PolicyFiles
            var inputValue: Value?
            do {
                files = try PolicyFiles(paths: data, version: v0 ? .v0 : .v1)
                if let input { inputValue = try Value(json: try readText(input), file: input) }
            } catch let error as RegoError {
                print(Self.errorDocument(error).prettyJSON)
                throw ExitCode(1)
            }
            let version: Module.Version = v0 ? .v0 : .v1, format = format, given = inputValue
            let outcome: Result<(PreparedQuery, [PreparedQuery.Solution]), RegoError> = await LargeStackExecutor.shared.run {
                Result { () throws(RegoError) in
                    let prepared = try PreparedQuery(query, policy: try CompiledPolicy(modules: files.modules, data: files.data), version: version)
                    return (prepared, try prepared.solutions(input: given))
                }
            }
            switch outcome {
            case .failure(let error):
                if format == "pretty" { standardError(error.description) } else { print(Self.errorDocument(error).prettyJSON) }
                throw ExitCode(1)
            case .success(let (prepared, solutions)):
                if format == "pretty" { Self.printPretty(prepared, solutions) } else { print(Self.resultDocument(prepared, solutions).prettyJSON) }
            }
        }

        /// `opa eval`'s JSON: per solution, each expression's value, text and location, and the
        /// bindings; `{}` when the query is undefined.
        static func resultDocument(_ query: PreparedQuery, _ solutions: [PreparedQuery.Solution]) -> Value {
            guard !solutions.isEmpty else { return .emptyObject }
            return [
                "result": .array(
                    solutions.map { solution in
                        var row: [String: Value] = [
                            "expressions": .array(
                                zip(solution.expressions, query.expressionTexts).map { value, source in
                                    [
                                        "value": EngineRequest.jsonShaped(value), "text": .string(source.text),
                                        "location": ["row": .int(source.line), "col": .int(source.column)],
                                    ]
                                })
                        ]
                        if !solution.bindings.isEmpty {
                            row["bindings"] = EngineRequest.jsonShaped(
                                .object(Dictionary(uniqueKeysWithValues: solution.bindings.map { (Value.string($0.key), $0.value) })))
                        }
                        return .object(Dictionary(uniqueKeysWithValues: row.map { (Value.string($0.key), $0.value) }))
                    })
            ]
        }

        static func errorDocument(_ error: RegoError) -> Value {
            var entry: [String: Value] = ["message": .string(error.message), "code": .string(error.code.rawValue)]
            if let span = error.span { entry["location"] = ["file": .string(span.file), "row": .int(span.line), "col": .int(span.column)] }
            return ["errors": [.object(Dictionary(uniqueKeysWithValues: entry.map { (Value.string($0.key), $0.value) }))]]
        }

        /// `-f pretty`: the value when the query is one expression without variables, otherwise
        /// one `name = value` line per binding per solution.
        static func printPretty(_ query: PreparedQuery, _ solutions: [PreparedQuery.Solution]) {
            guard !solutions.isEmpty else { return print("undefined") }
            for (i, solution) in solutions.enumerated() {
                if solution.bindings.isEmpty {
                    for value in solution.expressions { print(EngineRequest.jsonShaped(value).prettyJSON) }
                } else {
                    if i > 0 { print("") }
                    for name in query.variables { if let value = solution.bindings[name] { print("\(name) = \(EngineRequest.jsonShaped(value).prettyJSON)") } }
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse Rego files and report every syntax error with file:line:col.")
        @Argument(help: "Rego files.") var files: [String]
        @Flag(help: "Read the files as Rego v0 (rules without if, p[x] { … }, chained bodies).") var v0 = false

        func run() async throws {
            var failed = 0
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    standardError("\(path): cannot read")
                    failed += 1
                    continue
                }
                do {
                    _ = try Parser.parseModule(String(decoding: data, as: UTF8.self), file: path, version: v0 ? .v0 : .v1)
                } catch {
                    standardError(error.description)
                    failed += 1
                }
            }
            if failed > 0 {
                standardError("\(failed) of \(files.count) file(s) have errors")
                throw ExitCode(1)
            }
            print("\(files.count) file(s) parsed")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the test_ rules of Rego files or directories, like opa test (exit 1 when one fails).")
        @Argument(help: "Rego files, data files or directories.") var paths: [String]
        @Flag(name: .shortAndLong, help: "Report every test, not only failures.") var verbose = false
        @Option(name: .shortAndLong, help: "Only tests whose name contains this text.") var run: String?
        @Flag(help: "Read the files as Rego v0.") var v0 = false

        func run() async throws {
            let files: PolicyFiles
            do { files = try PolicyFiles(paths: paths, version: v0 ? .v0 : .v1) } catch let error as RegoError {
                standardError(error.description)
                throw ExitCode(1)
            }
            let filter = run
            let outcome: Result<[PolicyTests.Report], RegoError> = await LargeStackExecutor.shared.run {
                Result { () throws(RegoError) in try PolicyTests.run(files, filter: filter) }
            }
            let reports: [PolicyTests.Report]
            switch outcome {
            case .failure(let error):
                standardError(error.description)
                throw ExitCode(1)
            case .success(let r): reports = r
            }
            for report in reports where verbose || report.outcome == .fail || report.outcome == .error {
                let micros = Double(report.duration.components.attoseconds) / 1e12 + Double(report.duration.components.seconds) * 1e6
                print("\(report.name): \(report.outcome.rawValue) (\(String(format: "%.0f", micros))µs)")
                if let message = report.message { print("  " + message.replacingOccurrences(of: "\n", with: "\n  ")) }
                for line in report.output { print("  " + line) }
            }
            let counts = Dictionary(grouping: reports, by: \.outcome).mapValues(\.count)
            print(String(repeating: "-", count: 80))
            let summary = [PolicyTests.Outcome.pass, .fail, .error, .skip].compactMap { outcome in
                counts[outcome].map { "\(outcome.rawValue): \($0)/\(reports.count)" }
            }
            print(summary.isEmpty ? "no tests found" : summary.joined(separator: ", "))
            if (counts[.fail] ?? 0) + (counts[.error] ?? 0) > 0 || reports.isEmpty { throw ExitCode(1) }
        }
    }
}
