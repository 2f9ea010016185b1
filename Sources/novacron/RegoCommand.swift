import ArgumentParser
import Foundation
import NovaCore
import Rego

struct RegoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rego", abstract: "Work with Rego policies (the parser so far; evaluation is not built yet).",
                                                    subcommands: [Check.self])

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
}
