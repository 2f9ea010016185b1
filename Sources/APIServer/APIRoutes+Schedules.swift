import ControlPlane
import Hummingbird
import NovaCore
import Workflow

extension APIRoutes {
    var scheduleRoutes: [APIRoute] {
        let cp = controlPlane, scheduler = scheduler
        @Sendable func allowed(_ context: NovaRequestContext, _ verb: Verb, name: String = "") async throws -> Principal {
            let principal = try context.requirePrincipal()
            try await cp.authorize(principal, verb, "schedules", name: name)
            return principal
        }
        @Sendable func pause(_ paused: Bool) -> APIRoute {
            let verb = paused ? "pause" : "unpause"
            return APIRoute(
                method: .post, path: "/v1/schedules/:name/\(verb)", operationId: "\(verb)Schedule",
                summary: paused ? "Pause a schedule: slots that pass are not run" : "Resume a schedule from now (no catch-up of the pause)",
                tag: "Schedules", success: (200, "The schedule", "Schedule"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let name = try context.parameters.require("name")
                _ = try await allowed(context, .update, name: name)
                try await scheduler.setPaused(name, paused)
                return APIResponse.json(try await scheduler.describe(name))
            }
        }
        return [
            APIRoute(
                method: .get, path: "/v1/schedules", operationId: "listSchedules", summary: "Schedules with their state and next firing time",
                tag: "Schedules", success: (200, "Schedules", "ScheduleList"), errorStatuses: [401, 403]
            ) { _, context in
                _ = try await allowed(context, .list)
                return APIResponse.json(["items": .array(try await scheduler.describeAll())])
            },
            APIRoute(
                method: .post, path: "/v1/schedules", operationId: "applySchedule",
                summary: "Create or replace a schedule (cron with time zone, or an event trigger), JSON or YAML", tag: "Schedules",
                requestSchema: "ScheduleRequest", success: (200, "The schedule", "Schedule"), errorStatuses: [400, 401, 403, 404, 422],
                permission: .verb(.create, "schedules")
            ) { request, context in
                let document = try await RequestBody.document(of: request, context: context)
                let principal = try await allowed(context, .create, name: document["name"]?.stringValue ?? "")
                let schedule = try await scheduler.apply(document, owner: principal.name)
                return APIResponse.json(try await scheduler.describe(schedule.name))
            },
            APIRoute(
                method: .get, path: "/v1/schedules/:name", operationId: "getSchedule", summary: "A schedule", tag: "Schedules",
                success: (200, "The schedule", "Schedule"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let name = try context.parameters.require("name")
                _ = try await allowed(context, .get, name: name)
                return APIResponse.json(try await scheduler.describe(name))
            },
            APIRoute(
                method: .delete, path: "/v1/schedules/:name", operationId: "deleteSchedule", summary: "Delete a schedule (its runs stay)",
                tag: "Schedules", success: (200, "Deleted", "Status"), errorStatuses: [401, 403, 404]
            ) { _, context in
                let name = try context.parameters.require("name")
                _ = try await allowed(context, .delete, name: name)
                try await scheduler.delete(name)
                return APIResponse.json(["status": "deleted"])
            },
            pause(true),
            pause(false),
            APIRoute(
                method: .post, path: "/v1/schedules/:name/backfill", operationId: "backfillSchedule",
                summary: "Run every slot of a time range that has not run (at most 1,000)", tag: "Schedules",
                requestSchema: "BackfillRequest", success: (200, "The runs started", "BackfillResult"), errorStatuses: [400, 401, 403, 404],
                permission: .verb(.update, "schedules")
            ) { request, context in
                let name = try context.parameters.require("name")
                _ = try await allowed(context, .update, name: name)
                let body = try await RequestBody.document(of: request, context: context)
                guard let from = body["from"]?.stringValue.flatMap(Timestamp.parse), let to = body["to"]?.stringValue.flatMap(Timestamp.parse) else {
                    throw NovaError(.invalidRequest, "backfill needs from and to as RFC 3339 times")
                }
                let runs = try await scheduler.backfill(name, from: from, through: to)
                return APIResponse.json(["runs": .array(runs.map(Value.string))])
            },
        ]
    }
}
