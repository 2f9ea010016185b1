import ControlPlane
import Hummingbird
import NovaCore
import Workflow

extension APIRoutes {
    var systemRoutes: [APIRoute] {
        let cp = controlPlane
        let metrics = metrics
        let workflows = workflows
        let reconciler = reconciler
        return [
            APIRoute(
                method: .get, path: "/healthz", operationId: "health", summary: "The process is up", tag: "System", isPublic: true,
                success: (200, "Up", "Status")
            ) { _, _ in
                APIResponse.json(["status": "ok"])
            },
            APIRoute(
                method: .get, path: "/readyz", operationId: "ready", summary: "The store answers and requests can be served", tag: "System",
                isPublic: true, success: (200, "Ready", "Status"), errorStatuses: [503]
            ) { _, _ in
                if let problem = cp.auditAnchor?.problem {
                    throw NovaError(.unavailable, "the audit log does not hold, so writes are refused: \(problem)")
                }
                try await cp.checkStore()
                return APIResponse.json(["status": "ready"])
            },
            APIRoute(
                method: .get, path: "/metrics", operationId: "metrics", summary: "Prometheus metrics", tag: "System", isPublic: true,
                success: (200, "Prometheus text format", nil), produces: "text/plain"
            ) { _, _ in
                let text =
                    try await metrics.render(controlPlane: cp, reconciler: reconciler, policies: policies)
                    + workflows.metrics.prometheusText(queueDepth: workflows.queueDepth)
                return APIResponse.text(text, contentType: "text/plain; version=0.0.4")
            },
        ]
    }
}
