import ControlPlane
import Hummingbird
import Infrastructure
import NovaCore

/// Everything the routes need, and the full list of routes.
struct APIRoutes: Sendable {
    let controlPlane: ControlPlane
    let driver: any InfrastructureDriver
    let reconciler: Reconciler?
    let metrics: APIMetrics

    var all: [APIRoute] {
        systemRoutes + controlPlane.kinds.flatMap(resourceRoutes) + applyRoutes + eventRoutes + auditRoutes + accessRoutes
    }
}
