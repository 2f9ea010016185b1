import ControlPlane
import Foundation
import Hummingbird
import Infrastructure
import NovaCore

extension APIRoutes {
    /// CRUD for one kind under `/v1/<plural>`.
    func resourceRoutes(for kind: ResourceKind) -> [APIRoute] {
        let base = "/v1/\(kind.plural)"
        let cp = controlPlane
        var routes = [
            APIRoute(
                method: .get, path: base, operationId: "list\(kind.name)s", summary: "List \(kind.name) resources", tag: kind.name,
                query: [
                    .init(name: "selector", description: "label selector, e.g. env=prod,tier!=db"),
                    .init(name: "limit", description: "page size (1–1000, default 100)", type: "integer"),
                    .init(name: "cursor", description: "continue after this name (the previous page's nextCursor)"),
                ],
                success: (200, "A page of resources", "ResourceList"), errorStatuses: [400, 401, 403]
            ) { request, context in
                let principal = try context.requirePrincipal()
                let selector = try LabelSelector(parsing: request.query("selector") ?? "")
                let page = try await cp.list(
                    kind, matching: selector, after: request.query("cursor"),
                    limit: try request.intQuery("limit", default: 100), as: principal)
                var body: [String: Value] = ["items": .array(page.items.map(\.document))]
                body["nextCursor"] = page.nextCursor.map(Value.string) ?? .null
                return APIResponse.json(.object(body))
            },
            APIRoute(
                method: .post, path: base, operationId: "create\(kind.name)", summary: "Create a \(kind.name)", tag: kind.name,
                query: APIRoutes.writeQuery, requestSchema: "Resource", success: (201, "Created", "Resource"), errorStatuses: [400, 401, 403, 409, 422],
                permission: .verb(.create, kind.plural)
            ) { request, context in
                let principal = try context.requirePrincipal()
                let resource = try cp.resources(from: [try await RequestBody.document(of: request, context: context)], expectedKind: kind)[0]
                let outcome = try await cp.create(resource, options: try request.writeOptions(), as: principal)
                return APIResponse.json(outcome.resource.document, status: .created, headers: APIResponse.warningHeaders(outcome.warnings))
            },
            APIRoute(
                method: .get, path: "\(base)/:name", operationId: "get\(kind.name)", summary: "Read a \(kind.name)", tag: kind.name,
                success: (200, "The resource", "Resource"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let resource = try await cp.get(kind, named: try context.parameters.require("name"), as: try context.requirePrincipal())
                return APIResponse.json(resource.document)
            },
            APIRoute(
                method: .put, path: "\(base)/:name", operationId: "replace\(kind.name)",
                summary: "Replace a \(kind.name)'s desired state (metadata.resourceVersion required)", tag: kind.name,
                query: APIRoutes.writeQuery, requestSchema: "Resource", success: (200, "Replaced", "Resource"), errorStatuses: [400, 401, 403, 404, 409, 422],
                permission: .verb(.update, kind.plural)
            ) { request, context in
                let name = try context.parameters.require("name")
                let resource = try cp.resources(from: [try await RequestBody.document(of: request, context: context)], expectedKind: kind)[0]
                guard resource.name == name else {
                    throw NovaError(.invalidRequest, "metadata.name is \(resource.name) but the address names \(name)")
                }
                let outcome = try await cp.replace(resource, options: try request.writeOptions(), as: try context.requirePrincipal())
                return APIResponse.json(outcome.resource.document, headers: APIResponse.warningHeaders(outcome.warnings))
            },
            APIRoute(
                method: .patch, path: "\(base)/:name", operationId: "patch\(kind.name)", summary: "Change a \(kind.name) with a JSON merge patch",
                tag: kind.name, query: APIRoutes.writeQuery, requestSchema: "MergePatch", success: (200, "Patched", "Resource"),
                errorStatuses: [400, 401, 403, 404, 409, 422], permission: .verb(.update, kind.plural)
            ) { request, context in
                let patch = try await RequestBody.document(of: request, context: context)
                let outcome = try await cp.patch(
                    kind, named: try context.parameters.require("name"), with: patch, options: try request.writeOptions(),
                    as: try context.requirePrincipal())
                return APIResponse.json(outcome.resource.document, headers: APIResponse.warningHeaders(outcome.warnings))
            },
            APIRoute(
                method: .delete, path: "\(base)/:name", operationId: "delete\(kind.name)", summary: "Delete a \(kind.name)", tag: kind.name,
                query: [.init(name: "resourceVersion", description: "delete only if still at this version", type: "integer")] + APIRoutes.writeQuery,
                success: (200, "Deleted; the resource as it was", "Resource"), errorStatuses: [401, 403, 404, 409]
            ) { request, context in
                let version = request.query("resourceVersion").flatMap { Int($0) }
                let outcome = try await cp.delete(
                    kind, named: try context.parameters.require("name"), expectedVersion: version,
                    options: try request.writeOptions(), as: try context.requirePrincipal())
                return APIResponse.json(outcome.resource.document)
            },
            APIRoute(
                method: .get, path: "\(base)/:name/history", operationId: "history\(kind.name)", summary: "Every change to a \(kind.name)",
                tag: kind.name, success: (200, "History entries, oldest first", "History"), errorStatuses: [401, 403]
            ) { _, context in
                let entries = try await cp.history(kind, named: try context.parameters.require("name"), as: try context.requirePrincipal())
                return APIResponse.json(["items": .array(entries.map(\.value))])
            },
        ]
        if kind == .vm {
            let driver = driver
            routes.append(
                APIRoute(
                    method: .get, path: "\(base)/:name/telemetry", operationId: "telemetryVM", summary: "A VM's telemetry samples", tag: kind.name,
                    query: [.init(name: "minutes", description: "how far back to look (default 60)", type: "integer")],
                    success: (200, "Samples, oldest first", "Telemetry"), errorStatuses: [401, 403, 404]
                ) { request, context in
                    let name = try context.parameters.require("name")
                    _ = try await cp.get(.vm, named: name, as: try context.requirePrincipal())
                    let minutes = max(1, min(try request.intQuery("minutes", default: 60), 10_080))
                    let end = cp.clock.now
                    let samples = try await driver.telemetry(forVM: name, from: end.addingTimeInterval(-Double(minutes) * 60), to: end)
                    return APIResponse.json(["items": .array(samples.map(\.value))])
                })
        }
        return routes
    }
}
