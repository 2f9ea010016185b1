import ControlPlane
import Hummingbird
import Infrastructure
import NovaCore
import Policy
import Workflow

/// Everything the routes need, and the full list of routes.
struct APIRoutes: Sendable {
    let controlPlane: ControlPlane
    let driver: any InfrastructureDriver
    let reconciler: Reconciler?
    let metrics: APIMetrics
    let workflows: WorkflowEngine
    let scheduler: WorkflowScheduler
    let policies: PolicyEngine?
    var watches = WatchLimiter()

    var all: [APIRoute] {
        systemRoutes + controlPlane.kinds.flatMap(resourceRoutes) + applyRoutes + eventRoutes + auditRoutes + accessRoutes + workflowRoutes + scheduleRoutes
            + (policies.map(policyRoutes) ?? [])
    }
}
