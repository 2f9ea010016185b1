import Foundation
import NovaCore
import Testing

@testable import Rego

/// OPA's v1 conformance suite (../shared/rego/opa-testdata-v1), judged as OPA's own runner does:
/// result sets compared as sets, numbers by value, `sort_bindings`, an expected error passes
/// when an error with the expected code (when the case names one) is raised. Prints passed/total per feature directory and fails when a case on
/// the committed allowlist (`conformance-allowlist.txt`) no longer passes; the list only grows
/// (`REGO_UPDATE_ALLOWLIST=1 swift test --filter ConformanceTests` rewrites it).
/// Without ../shared (a bare clone) the test says so and skips, except under CI=true.
@Suite struct ConformanceTests {
    static let allowlistPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("conformance-allowlist.txt").path

    struct Outcome: Sendable {
        var key: String
        var directory: String
        var passed: Bool
        var detail: String
    }

    @Test(.enabled(if: SuiteParsingTests.suitePath != nil || SuiteParsingTests.required, "needs ../shared/rego/opa-testdata-v1"))
    func passesTheAllowlistedCasesOfOPAsSuite() async throws {
        let root = try #require(SuiteParsingTests.suitePath, "CI=true but ../shared/rego/opa-testdata-v1 is missing")
        let outcomes = try await LargeStackExecutor.shared.run { () -> Result<[Outcome], NovaError> in
            Result { () throws(NovaError) -> [Outcome] in try Self.runSuite(root) }
        }.get()
        var perDirectory: [String: (passed: Int, total: Int)] = [:]
        for outcome in outcomes {
            perDirectory[outcome.directory, default: (0, 0)].total += 1
            if outcome.passed { perDirectory[outcome.directory, default: (0, 0)].passed += 1 }
        }
        let passed = outcomes.filter(\.passed).count
        print("OPA v1 conformance: \(passed) / \(outcomes.count) cases pass")
        print(perDirectory.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value.passed)/\($0.value.total)" }.joined(separator: "\n"))

        let passing = Set(outcomes.filter(\.passed).map(\.key))
        if ProcessInfo.processInfo.environment["REGO_UPDATE_ALLOWLIST"] == "1" {
            try (passing.sorted().joined(separator: "\n") + "\n").write(toFile: Self.allowlistPath, atomically: true, encoding: .utf8)
            print("wrote \(passing.count) cases to \(Self.allowlistPath)")
        }
        let allowlist = (try? String(contentsOfFile: Self.allowlistPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        #expect(allowlist.count >= 1_800, "the allowlist is missing or shrank")
        let byKey = Dictionary(outcomes.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let regressions = allowlist.filter { !passing.contains($0) }
        #expect(
            regressions.isEmpty,
            "\(regressions.count) allowlisted cases regressed:\n\(regressions.prefix(20).map { "\($0): \(byKey[$0]?.detail ?? "missing")" }.joined(separator: "\n"))"
        )
        let newPasses = passing.subtracting(allowlist)
        if !newPasses.isEmpty { print("\(newPasses.count) passing cases are not on the allowlist yet (REGO_UPDATE_ALLOWLIST=1 adds them)") }
    }

    static func runSuite(_ root: String) throws(NovaError) -> [Outcome] {
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted()
        var outcomes: [Outcome] = []
        for file in files {
            guard let text = try? String(contentsOfFile: root + "/" + file, encoding: .utf8) else { continue }
            for document in try Value.parseYAMLDocuments(text, file: file) {
                for (index, testCase) in (document.value["cases"]?.arrayValue ?? []).enumerated() {
                    let modules = testCase["modules"]?.arrayValue ?? []
                    // As the harness does: test.sleep exists only in OPA's Go test runner.
                    if modules.contains(where: { $0.stringValue?.contains("test.sleep") ?? false }) { continue }
                    let key = "\(file)#\(index): \(testCase["note"]?.stringValue ?? "")"
                    let (passed, detail) = judge(testCase)
                    outcomes.append(Outcome(key: key, directory: String(file.split(separator: "/").first ?? ""), passed: passed, detail: detail))
                }
            }
        }
        return outcomes
    }

    static func judge(_ testCase: Value) -> (Bool, String) {
        var request: [String: Value] = [
            "modules": testCase["modules"] ?? .array([]), "query": testCase["query"] ?? "",
            "strict_builtin_errors": .bool(testCase["strict_error"]?.boolValue ?? false),
        ]
        if let data = testCase["data"], !data.isNull { request["data"] = data }
        if let input = testCase["input"] { request["input"] = input }
        if let term = testCase["input_term"] { request["input_term"] = term }
        let answer = EngineRequest.answer(.object(request))
        let wantsError = testCase["want_error"] != nil || testCase["want_error_code"] != nil
        if let error = answer["error"] {
            // A case that names its error code passes only with that code.
            if let code = testCase["want_error_code"]?.stringValue, answer["code"]?.stringValue != code {
                return (false, "wanted \(code), got \(answer["code"]?.stringValue ?? "no code"): \(error.stringValue ?? "")")
            }
            return (wantsError, "error: \(error.stringValue ?? "")")
        }
        guard !wantsError else { return (false, "wanted an error, got \(answer.canonicalJSON.prefix(200))") }
        guard let want = testCase["want_result"] else { return (false, "case has no want_result") }
        let sorted = testCase["sort_bindings"]?.boolValue ?? false
        let expected = canonical(want, sortBindings: sorted), got = canonical(answer["result"] ?? .null, sortBindings: sorted)
        return (expected == got, expected == got ? "" : "want \(want.canonicalJSON.prefix(200)) got \((answer["result"] ?? .null).canonicalJSON.prefix(200))")
    }

    /// A result set as a set of binding objects; with `sortBindings`, each array binding sorted.
    static func canonical(_ rows: Value, sortBindings: Bool) -> Set<Value> {
        Set(
            (rows.arrayValue ?? []).map { row in
                guard sortBindings, case .object(let fields) = row else { return row }
                return .object(
                    fields.mapValues { value in
                        if case .array(let items) = value { return .array(items.sorted()) }
                        return value
                    })
            })
    }
}
