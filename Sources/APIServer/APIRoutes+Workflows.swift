import ControlPlane
import Foundation
import Hummingbird
import NovaCore
import Workflow

extension APIRoutes {
    var workflowRoutes: [APIRoute] {
        let cp = controlPlane, engine = workflows
        @Sendable func allowed(_ context: NovaRequestContext, _ verb: Verb, _ resource: String, name: String = "") async throws -> Principal {
            let principal = try context.requirePrincipal()
            try await cp.authorize(principal, verb, resource, name: name)
            return principal
        }
        @Sendable func runID(_ context: NovaRequestContext) throws -> String { try context.parameters.require("id") }
        return [
            APIRoute(
                method: .get, path: "/v1/workflows", operationId: "listWorkflows", summary: "The latest version of every workflow", tag: "Workflows",
                success: (200, "Workflows", "WorkflowList"), errorStatuses: [401, 403]
            ) { _, context in
                _ = try await allowed(context, .list, "workflows")
                return APIResponse.json(["items": .array(try await engine.store.definitions().map(Self.summary))])
            },
            APIRoute(
                method: .post, path: "/v1/workflows", operationId: "registerWorkflow",
                summary: "Register a workflow definition (JSON or YAML); an identical one keeps its version", tag: "Workflows",
                requestSchema: "Workflow", success: (201, "The stored definition; 200 when unchanged", "WorkflowSummary"),
                errorStatuses: [400, 401, 403, 422], permission: .verb(.create, "workflows")
            ) { request, context in
                let document = try await RequestBody.document(of: request, context: context)
                let name = document["metadata"]?["name"]?.stringValue ?? document["name"]?.stringValue ?? ""
                _ = try await allowed(context, .create, "workflows", name: name)
                let (definition, created) = try await engine.register(document)
                var summary = Self.summary(definition)
                summary = summary.setting("created", to: .bool(created))
                return APIResponse.json(summary, status: created ? .created : .ok)
            },
            APIRoute(
                method: .get, path: "/v1/workflows/:name", operationId: "getWorkflow",
                summary: "A workflow definition, with the optimizer's suggested concurrency", tag: "Workflows",
                query: [.init(name: "version", description: "a version (default: the latest)", type: "integer")],
                success: (200, "The definition", "WorkflowSummary"), errorStatuses: [401, 403, 404]
            ) { request, context in
                let name = try context.parameters.require("name")
                _ = try await allowed(context, .get, "workflows", name: name)
                let version = request.query("version").flatMap { Int($0) }
                let definition = try await engine.definition(named: name, version: version)
                let durations = try await engine.store.stepDurations(workflow: name)
                return APIResponse.json(
                    Self.summary(definition).setting("source", to: definition.source)
                        .setting("suggestedConcurrency", to: .int(StepOptimizer.suggestedConcurrency(for: definition, durations: durations)))
                        .setting("meanStepSeconds", to: .object(durations.mapValues { .double($0) })))
            },
            APIRoute(
                method: .post, path: "/v1/workflows/:name/runs", operationId: "startRun", summary: "Start a run", tag: "Runs",
                requestSchema: "RunRequest", success: (201, "The run, as started", "Run"), errorStatuses: [400, 401, 403, 404, 422],
                permission: .verb(.create, "runs")
            ) { request, context in
                let name = try context.parameters.require("name")
                let principal = try await allowed(context, .create, "runs", name: name)
                let body = try await Self.optionalDocument(request, context)
                let run = try await engine.start(name, version: body["version"]?.intValue, inputs: body["inputs"] ?? .emptyObject, by: principal.name)
                return APIResponse.json(run.value, status: .created)
            },
            APIRoute(
                method: .get, path: "/v1/runs", operationId: "listRuns", summary: "Runs, newest first", tag: "Runs",
                query: [
                    .init(name: "workflow", description: "only this workflow's runs"),
                    .init(name: "status", description: "only runs in this state"),
                    .init(name: "limit", description: "page size (default 100)", type: "integer"),
                ],
                success: (200, "Runs", "RunList"), errorStatuses: [400, 401, 403]
            ) { request, context in
                _ = try await allowed(context, .list, "runs")
                var status: RunStatus?
                if let text = request.query("status") {
                    guard let parsed = RunStatus(rawValue: text) else {
                        throw NovaError(.invalidRequest, "status must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    status = parsed
                }
                let runs = try await engine.store.runs(workflow: request.query("workflow"), status: status, limit: try request.intQuery("limit", default: 100))
                return APIResponse.json(SecretRedaction.redact(["items": .array(runs.map(\.value))]))
            },
            APIRoute(
                method: .get, path: "/v1/runs/:id", operationId: "getRun", summary: "A run with the state of each step", tag: "Runs",
                success: (200, "The run", "RunState"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let id = try runID(context)
                _ = try await allowed(context, .get, "runs", name: id)
                return APIResponse.json(SecretRedaction.redact(try await engine.describe(id)))
            },
            APIRoute(
                method: .get, path: "/v1/runs/:id/history", operationId: "runHistory", summary: "A run's events, oldest first", tag: "Runs",
                success: (200, "Events", "RunHistory"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let id = try runID(context)
                _ = try await allowed(context, .get, "runs", name: id)
                guard try await engine.store.run(id: id) != nil else { throw NovaError(.notFound, "run \(id) not found") }
                return APIResponse.json(SecretRedaction.redact(["items": .array(try await engine.store.history(run: id).map(\.value))]))
            },
            APIRoute(
                method: .post, path: "/v1/runs/:id/cancel", operationId: "cancelRun", summary: "Cancel a run", tag: "Runs",
                requestSchema: "RunCancel", success: (202, "Cancellation recorded", "Status"), errorStatuses: [401, 403, 404, 409]
            ) { request, context in
                let id = try runID(context)
                let principal = try await allowed(context, .update, "runs", name: id)
                let body = try await Self.optionalDocument(request, context)
                try await engine.cancel(id, by: principal.name, reason: body["reason"]?.stringValue ?? "")
                return APIResponse.json(["status": "cancelled"], status: .accepted)
            },
            APIRoute(
                method: .post, path: "/v1/runs/:id/signal", operationId: "signalRun", summary: "Send a named signal to a run", tag: "Runs",
                requestSchema: "RunSignal", success: (202, "Signal recorded", "Status"), errorStatuses: [400, 401, 403, 404, 409],
                permission: .verb(.update, "runs")
            ) { request, context in
                let id = try runID(context)
                let principal = try await allowed(context, .update, "runs", name: id)
                let body = try await RequestBody.document(of: request, context: context)
                guard let name = body["name"]?.stringValue, !name.isEmpty else { throw NovaError(.invalidRequest, "a signal needs a name") }
                try await engine.signal(id, name: name, payload: body["payload"] ?? .null, by: principal.name)
                return APIResponse.json(["status": "signalled"], status: .accepted)
            },
            decisionRoute(approve: true) { try await allowed($0, $1, $2, name: $3) },
            decisionRoute(approve: false) { try await allowed($0, $1, $2, name: $3) },
        ]
    }

    private func decisionRoute(approve: Bool, allowed: @escaping @Sendable (NovaRequestContext, Verb, String, String) async throws -> Principal) -> APIRoute {
        let engine = workflows
        let verb = approve ? "approve" : "reject"
        return APIRoute(
            method: .post, path: "/v1/runs/:id/\(verb)", operationId: "\(verb)Task",
            summary: approve ? "Approve a task waiting for approval" : "Reject a task waiting for approval", tag: "Runs",
            requestSchema: "RunDecision", success: (202, "Decision recorded", "Status"), errorStatuses: [400, 401, 403, 404, 409]
        ) { request, context in
            let id: String = try context.parameters.require("id")
            let principal = try await allowed(context, .update, "runs", id)
            let body = try await Self.optionalDocument(request, context)
            guard let text = body["task"]?.stringValue, let task = TaskKey(text) else {
                throw NovaError(.invalidRequest, "name the task to \(verb), as in {\"task\": \"approve-change\"}")
            }
            try await engine.decide(
                id, task: task, approve: approve, by: principal.name, roles: [principal.role.name], comment: body["comment"]?.stringValue ?? "")
            return APIResponse.json(["status": .string(approve ? "approved" : "rejected")], status: .accepted)
        }
    }

    static func optionalDocument(_ request: Request, _ context: NovaRequestContext) async throws -> Value {
        let text = try await RequestBody.text(of: request, context: context)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .emptyObject }
        return RequestBody.isYAML(request) ? try Value(yaml: text, file: "request body") : try Value(json: text, file: "request body")
    }

    static func summary(_ definition: WorkflowDefinition) -> Value {
        [
            "name": .string(definition.name), "version": .int(definition.version), "description": .string(definition.description),
            "steps": .array(
                definition.steps.map { ["name": .string($0.name), "action": .string($0.action), "dependsOn": .array($0.dependsOn.map(Value.string))] }),
        ]
    }
}
