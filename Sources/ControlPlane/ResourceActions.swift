import NovaCore
import Workflow

/// `resource.apply`: applies documents through the one door (authorisation, admission, audit),
/// all or nothing. Input: `documents` (a list) or `document`, and `force` to take over resources
/// another manager owns. Output: what happened to each. The run acts as `workflow:<who started
/// it>` with the rights of who started it, and writes as manager `workflow:<workflow name>`.
public struct ResourceApplyAction: WorkflowAction {
    let controlPlane: ControlPlane

    public init(controlPlane: ControlPlane) { self.controlPlane = controlPlane }

    public var name: String { "resource.apply" }
    public var isLongRunning: Bool { false }

    public func run(_ input: Value, context: ActionContext) async throws -> Value {
        let documents = input["documents"]?.arrayValue ?? input["document"].map { [$0] } ?? []
        guard !documents.isEmpty else {
            throw StepError(code: "invalid_input", message: "resource.apply needs documents (a list) or document", isRetryable: false)
        }
        do {
            let resources = try controlPlane.resources(from: documents)
            let outcomes = try await controlPlane.apply(
                resources, options: Self.options(input, context),
                as: try await Self.principal(context, controlPlane))
            return [
                "results": .array(
                    outcomes.map { outcome in
                        [
                            "kind": .string(outcome.resource.kind.name), "name": .string(outcome.resource.name), "action": .string(outcome.action.rawValue),
                            "resourceVersion": .int(outcome.resource.metadata.resourceVersion),
                        ]
                    })
            ]
        } catch let error as NovaError {
            throw StepError(error)
        }
    }

    /// Writes as the workflow's manager, for the run.
    static func options(_ input: Value, _ context: ActionContext) -> WriteOptions {
        WriteOptions(manager: "workflow:\(context.workflow)", reason: "run \(context.run), step \(context.task)", force: input["force"]?.boolValue ?? false)
    }

    /// Who started the run, with that principal's rights now; a step of a run whose starter is
    /// gone (its key revoked) fails for good.
    static func principal(_ context: ActionContext, _ controlPlane: ControlPlane) async throws -> Principal {
        guard let starter = try await controlPlane.principal(startedBy: context.startedBy) else {
            throw StepError(code: "forbidden", message: "\(context.startedBy), who started this run, no longer holds an active key", isRetryable: false)
        }
        return Principal(name: "workflow:\(context.startedBy)", role: starter.role)
    }
}

/// `resource.delete`: deletes `kind`/`name` through the one door. Deleting what is already gone
/// succeeds with `deleted: false`, so a repeated attempt is harmless.
public struct ResourceDeleteAction: WorkflowAction {
    let controlPlane: ControlPlane

    public init(controlPlane: ControlPlane) { self.controlPlane = controlPlane }

    public var name: String { "resource.delete" }
    public var isLongRunning: Bool { false }

    public func run(_ input: Value, context: ActionContext) async throws -> Value {
        guard let kindName = input["kind"]?.stringValue, let name = input["name"]?.stringValue else {
            throw StepError(code: "invalid_input", message: "resource.delete needs kind and name", isRetryable: false)
        }
        guard let kind = controlPlane.kind(named: kindName) else {
            throw StepError(code: "invalid_input", message: "unknown kind \(kindName)", isRetryable: false)
        }
        do {
            _ = try await controlPlane.delete(
                kind, named: name, options: ResourceApplyAction.options(input, context),
                as: try await ResourceApplyAction.principal(context, controlPlane))
            return ["deleted": true, "kind": .string(kind.name), "name": .string(name)]
        } catch let error as NovaError where error.code == .notFound {
            return ["deleted": false, "kind": .string(kind.name), "name": .string(name)]
        } catch let error as NovaError {
            throw StepError(error)
        }
    }
}
