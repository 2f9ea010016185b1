import Foundation
import NovaCore

/// `opa test`: every rule named `test_…` is a test that passes when it is defined and not
/// false; `todo_test_…` rules are skipped.
public enum PolicyTests {
    public enum Outcome: String, Sendable { case pass = "PASS", fail = "FAIL", error = "ERROR", skip = "SKIPPED" }

    public struct Report: Sendable {
        public var name: String
        public var outcome: Outcome
        public var duration: Duration
        public var message: String?
        public var output: [String]
    }

    /// Runs every test rule of the files' modules, in file then source order.
    public static func run(_ files: PolicyFiles, filter: String? = nil) throws(RegoError) -> [Report] {
        let policy = try CompiledPolicy(modules: files.modules, data: files.data)
        var reports: [Report] = []
        var seen: Set<String> = []
        for module in files.modules {
            for rule in module.rules {
                let ruleName = Parser.names(of: rule.ref).first ?? ""
                guard ruleName.hasPrefix("test_") || ruleName.hasPrefix("todo_test_") else { continue }
                let path = (["data"] + module.packagePath + [ruleName]).joined(separator: ".")
                guard seen.insert(path).inserted, filter.map({ path.contains($0) }) ?? true else { continue }
                if ruleName.hasPrefix("todo_") {
                    reports.append(Report(name: path, outcome: .skip, duration: .zero, message: nil, output: []))
                    continue
                }
                // `@unchecked Sendable`: `print` runs synchronously within this evaluation, on this thread.
                final class Lines: @unchecked Sendable { var lines: [String] = [] }
                let lines = Lines()
                let start = ContinuousClock.now
                do throws(RegoError) {
                    let rows = try PreparedQuery("x := \(path)", policy: policy).solutions(print: { lines.lines.append($0) })
                    let passed = rows.contains { $0.bindings["x"] != .bool(false) }
                    reports.append(
                        Report(name: path, outcome: passed ? .pass : .fail, duration: ContinuousClock.now - start, message: nil, output: lines.lines))
                } catch {
                    reports.append(Report(name: path, outcome: .error, duration: ContinuousClock.now - start, message: error.description, output: lines.lines))
                }
            }
        }
        return reports
    }
}
