import ControlPlane
import Hummingbird
import NovaCore

extension APIRoutes {
    var auditRoutes: [APIRoute] {
        let cp = controlPlane
        return [
            APIRoute(
                method: .get, path: "/v1/audit", operationId: "auditEntries", summary: "Audit log entries after a sequence number", tag: "Audit",
                query: [
                    .init(name: "after", description: "sequence number to start after", type: "integer"),
                    .init(name: "limit", description: "page size (default 100)", type: "integer"),
                ],
                success: (200, "Entries, oldest first", "AuditList"), errorStatuses: [400, 401, 403]
            ) { request, context in
                let entries = try await cp.auditEntries(
                    after: Int64(try request.intQuery("after", default: 0)),
                    limit: try request.intQuery("limit", default: 100), as: try context.requirePrincipal())
                return APIResponse.json(["items": .array(entries.map(\.value))])
            },
            APIRoute(
                method: .get, path: "/v1/audit/verify", operationId: "verifyAudit",
                summary: "Walk the hash chain and report the first broken link", tag: "Audit",
                success: (200, "The verification result", "AuditVerification"), errorStatuses: [401, 403]
            ) { _, context in
                APIResponse.json(try await cp.verifyAudit(as: try context.requirePrincipal()).value)
            },
        ]
    }
}
