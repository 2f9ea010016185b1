import ControlPlane
import Foundation
import Hummingbird
import NovaCore
import ServiceLifecycle

extension APIRoutes {
    var eventRoutes: [APIRoute] {
        let cp = controlPlane
        return [
            APIRoute(
                method: .get, path: "/v1/events", operationId: "events",
                summary: "Resource events after a sequence number; with watch=true, a stream of newline-delimited JSON", tag: "Events",
                query: [
                    .init(name: "after", description: "sequence number to start after (default 0)", type: "integer"),
                    .init(name: "limit", description: "page size when polling (default 100)", type: "integer"),
                    .init(name: "watch", description: "keep the connection open and stream events as they happen", type: "boolean"),
                    .init(name: "timeoutSeconds", description: "end a watch after this long (default 300)", type: "integer"),
                ],
                success: (200, "Events, oldest first", "EventList"), errorStatuses: [400, 401, 403]
            ) { request, context in
                let principal = try context.requirePrincipal()
                let after = Int64(try request.intQuery("after", default: 0))
                guard request.boolQuery("watch") else {
                    let limit = try request.intQuery("limit", default: 100)
                    guard (1...1_000).contains(limit) else { throw NovaError(.invalidRequest, "limit must be between 1 and 1000, got \(limit)") }
                    let page = try await cp.events(after: after, limit: limit, as: principal)
                    return APIResponse.json(["items": .array(page.items.map(\.value)), "lastSequence": .int(Int(page.lastSequence))])
                }
                try await cp.authorize(principal, .watch, "events")
                let timeout = Duration.seconds(max(1, min(try request.intQuery("timeoutSeconds", default: 300), 3_600)))
                // Checked now for a clear 429; taken by the stream itself, so a response that is
                // never written holds no slot.
                try watches.acquire(principal.name)
                watches.release(principal.name)
                // Subscribe before reading the backlog so nothing falls between the two.
                let live = cp.events.subscribe()
                var backlog: [ResourceEvent] = []
                var read = after
                while backlog.count <= WatchLimiter.maximumBacklog {
                    let page = try await cp.events(after: read, limit: 1_000, as: principal)
                    backlog += page.items
                    if page.lastSequence == read { break }
                    read = page.lastSequence
                }
                guard backlog.count <= WatchLimiter.maximumBacklog else {
                    throw NovaError(
                        .watchTooOld,
                        "a watch replays at most \(WatchLimiter.maximumBacklog) events; page from sequence \(after) with GET /v1/events?after=\(after)&limit=1000, then watch from the last sequence"
                    )
                }
                let watches = watches
                let replayedThrough = read
                let replay = backlog
                return Response(
                    status: .ok, headers: [.contentType: "application/x-ndjson"],
                    body: ResponseBody { writer in
                        // Lost to a race since the check above: the stream ends at once.
                        guard (try? watches.acquire(principal.name)) != nil else { return try await writer.finish(nil) }
                        defer { watches.release(principal.name) }
                        for event in replay { try await writer.write(ByteBuffer(string: event.value.canonicalJSON + "\n")) }
                        let last = replayedThrough
                        let deadline = ContinuousClock.now + timeout
                        // nil is a heartbeat: a blank line every 15 s, so a client that went away is noticed.
                        let (merged, feed) = AsyncStream<ResourceEvent?>.makeStream()
                        await withTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for await event in live { feed.yield(event) }
                                feed.finish()
                            }
                            group.addTask {
                                while ContinuousClock.now < deadline {
                                    try? await Task.sleep(for: min(.seconds(15), deadline - ContinuousClock.now))
                                    if Task.isCancelled { return }
                                    feed.yield(nil)
                                }
                                feed.finish()
                            }
                            group.addTask {
                                // A server shutting down ends its watches instead of waiting for them.
                                try? await gracefulShutdown()
                                feed.finish()
                            }
                            for await item in merged {
                                if let event = item, event.sequence <= last || !cp.mayRead(event, principal) { continue }
                                let line = item.map { $0.value.canonicalJSON + "\n" } ?? "\n"
                                do { try await writer.write(ByteBuffer(string: line)) } catch { break }
                            }
                            group.cancelAll()
                        }
                        try await writer.finish(nil)
                    })
            }
        ]
    }
}
