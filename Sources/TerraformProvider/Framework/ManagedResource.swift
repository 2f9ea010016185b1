import Foundation
import NovaCore
import Synchronization

/// A managed resource type (`resource "novacron_vm" …`): its schema and its four operations.
/// Planning is shared (`ResourcePlanner`); a resource may adjust it in `modifyPlan`.
protocol ManagedResource: Sendable {
    var typeName: String { get }
    var schema: Schema { get }
    func validate(config: TerraformValue) -> [TerraformDiagnostic]
    func modifyPlan(_ change: inout PlannedChange, prior: TerraformValue, config: TerraformValue)
    func create(planned: TerraformValue, context: OperationContext) async throws -> TerraformValue
    /// The resource as it is now, or nil when it no longer exists.
    func read(state: TerraformValue, context: OperationContext) async throws -> TerraformValue?
    func update(prior: TerraformValue, planned: TerraformValue, context: OperationContext) async throws -> TerraformValue
    func delete(state: TerraformValue, context: OperationContext) async throws
}

extension ManagedResource {
    func validate(config: TerraformValue) -> [TerraformDiagnostic] { [] }
    func modifyPlan(_ change: inout PlannedChange, prior: TerraformValue, config: TerraformValue) {}
}

/// A resource that `terraform import` can adopt, given the id the user typed.
protocol ResourceWithImportState: ManagedResource {
    /// The state to read from: enough for `read` to find the object.
    func importState(id: String) throws -> TerraformValue
}

/// A resource whose stored state changed shape between schema versions.
protocol ResourceWithUpgradeState: ManagedResource {
    /// The JSON state written at `version`, rewritten in the current version's shape.
    func upgradeState(from version: Int, json: Value) throws -> Value
}

/// A data source (`data "novacron_vm" …`).
protocol DataSource: Sendable {
    var typeName: String { get }
    var schema: Schema { get }
    func read(config: TerraformValue, context: OperationContext) async throws -> TerraformValue
}

/// What an operation runs with: the API, its deadline, and a place to leave warnings.
final class OperationContext: Sendable {
    let api: NovaCronAPI
    let deadline: ContinuousClock.Instant
    private let collected = Mutex<[TerraformDiagnostic]>([])

    /// Whether Terraform asked the provider to stop (Ctrl-C): every wait ends at its next poll.
    let isStopped: @Sendable () -> Bool

    init(api: NovaCronAPI, timeout: Duration, isStopped: @escaping @Sendable () -> Bool = { false }) {
        self.api = api
        deadline = .now + timeout
        self.isStopped = isStopped
    }

    func warn(_ diagnostic: TerraformDiagnostic) { collected.withLock { $0.append(diagnostic) } }

    var diagnostics: [TerraformDiagnostic] { collected.withLock { $0 } }

    var timeRemaining: Duration { deadline - .now }
}

/// Reads a duration as Terraform users write it: "90s", "10m", "1h30m" (a unit is required).
func parseDuration(_ text: String) -> Duration? {
    DurationText.parse(text, unitRequired: true).map { .milliseconds(Int64(($0 * 1000).rounded())) }
}
