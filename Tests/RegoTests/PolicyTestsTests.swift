import Foundation
import NovaCore
import Testing

@testable import Rego

/// `novacron rego test`: test rules found and judged, and the example policies stay green.
@Suite struct PolicyTestsTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/rego").path

    @Test func theExamplePoliciesPassTheirTests() async throws {
        let files = try PolicyFiles(paths: [Self.examples])
        // As the CLI does: evaluation gets a thread with a large stack.
        let reports = try await LargeStackExecutor.shared.run { Result { () throws(RegoError) in try PolicyTests.run(files) } }.get()
        #expect(reports.count == 4)
        #expect(reports.allSatisfy { $0.outcome == .pass }, "\(reports.filter { $0.outcome != .pass }.map { "\($0.name): \($0.outcome) \($0.message ?? "")" })")
    }

    @Test func theStarterPolicyPackPassesItsTests() async throws {
        let pack = URL(fileURLWithPath: Self.examples).deletingLastPathComponent().appendingPathComponent("policies").path
        let files = try PolicyFiles(paths: [pack])
        let reports = try await LargeStackExecutor.shared.run { Result { () throws(RegoError) in try PolicyTests.run(files) } }.get()
        #expect(reports.count >= 16)
        #expect(reports.allSatisfy { $0.outcome == .pass }, "\(reports.filter { $0.outcome != .pass }.map { "\($0.name): \($0.outcome)" })")
    }

    @Test func failuresErrorsAndSkipsAreReported() throws {
        var files = PolicyFiles()
        files.modules = [
            try Parser.parseModule(
                """
                package t
                test_holds if 1 + 1 == 2
                test_fails if 1 + 1 == 3
                test_errors if 1 / 0 == 0
                todo_test_later if false
                """, file: "t.rego")
        ]
        let reports = try PolicyTests.run(files)
        let outcomes = Dictionary(uniqueKeysWithValues: reports.map { ($0.name, $0.outcome) })
        #expect(outcomes["data.t.test_holds"] == .pass)
        #expect(outcomes["data.t.test_fails"] == .fail)
        #expect(outcomes["data.t.test_errors"] == .fail || outcomes["data.t.test_errors"] == .error)
        #expect(outcomes["data.t.todo_test_later"] == .skip)
    }

    @Test func evaluationStopsAtItsDeadline() throws {
        let policy = try CompiledPolicy(modules: [
            try Parser.parseModule(
                """
                package slow
                n := count([x | some i in numbers.range(1, 300); some j in numbers.range(1, 300); x := i * j])
                """, file: "slow.rego")
        ])
        let query = try PreparedQuery("x := data.slow.n", policy: policy)
        do {
            _ = try query.evaluate(limits: .timeout(.milliseconds(1)))
            Issue.record("expected the deadline to stop evaluation")
        } catch {
            #expect(error.code == .cancelled)
        }
    }
}
