import ControlPlane
import Hummingbird
import NovaCore

extension APIRoutes {
    var applyRoutes: [APIRoute] {
        let cp = controlPlane
        return [
            APIRoute(
                method: .post, path: "/v1/apply", operationId: "apply",
                summary: "Server-side apply of a batch of documents: all or nothing", tag: "Apply",
                query: [.init(name: "dryRun", description: "check and report without writing", type: "boolean")] + APIRoutes.writeQuery,
                requestSchema: "ApplyRequest", success: (200, "What happened to each resource", "ApplyResult"),
                errorStatuses: [400, 401, 403, 409, 422], permission: .anyWrite
            ) { request, context in
                let principal = try context.requirePrincipal()
                let resources = try cp.resources(from: try await RequestBody.documents(of: request, context: context))
                let outcomes = try await cp.apply(resources, dryRun: request.boolQuery("dryRun"), options: try request.writeOptions(), as: principal)
                let results: [Value] = outcomes.map { outcome in
                    [
                        "kind": .string(outcome.resource.kind.name), "name": .string(outcome.resource.name), "action": .string(outcome.action.rawValue),
                        "resourceVersion": .int(outcome.resource.metadata.resourceVersion), "warnings": .array(outcome.warnings.map(\.value)),
                    ]
                }
                return APIResponse.json(["dryRun": .bool(request.boolQuery("dryRun")), "results": .array(results)])
            }
        ]
    }
}
