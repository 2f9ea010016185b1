import Foundation
import Logging
import NovaCore
import ServiceLifecycle

/// How long events and resource history are kept. The audit chain is never shortened.
public struct RetentionPolicy: Sendable, Hashable {
    /// Events older than this go (7 days)…
    public var eventAge: TimeInterval
    /// …and beyond this many, the oldest go (100,000).
    public var eventCount: Int
    /// History entries older than this go (90 days), except each resource's newest.
    public var historyAge: TimeInterval
    /// At most this many history entries per resource (100), the newest.
    public var historyPerResource: Int

    public init(
        eventAge: TimeInterval = 7 * 86_400, eventCount: Int = 100_000, historyAge: TimeInterval = 90 * 86_400,
        historyPerResource: Int = 100
    ) {
        self.eventAge = eventAge
        self.eventCount = eventCount
        self.historyAge = historyAge
        self.historyPerResource = historyPerResource
    }
}

/// What one compaction removed.
public struct RetentionReport: Sendable, Hashable {
    public var events: Int
    public var historyEntries: Int

    public init(events: Int = 0, historyEntries: Int = 0) {
        self.events = events
        self.historyEntries = historyEntries
    }
}

/// A store that can shorten its event log and resource history.
public protocol RetentionStore: Sendable {
    /// Removes what the policy no longer keeps as of `now`, but no event after `protectedAfter`
    /// (the lowest position of a durable observer: it has not seen them yet).
    func compact(_ policy: RetentionPolicy, now: Date, protectedAfter: Int64?) async throws -> RetentionReport
}

extension ControlPlane {
    /// Compacts events and history as the policy says, under the principal (`delete events`);
    /// what was removed is recorded in the audit log.
    @discardableResult
    public func compact(_ policy: RetentionPolicy, as principal: Principal) async throws -> RetentionReport {
        try await authorize(principal, .delete, "events")
        guard let retention = store as? any RetentionStore else { return RetentionReport() }
        let report = try await retention.compact(policy, now: clock.now, protectedAfter: try await cursors?.lowestObserverCursor())
        if report.events > 0 || report.historyEntries > 0 {
            try await auditLog.append([
                AuditRecord(
                    time: clock.now, actor: principal.name, action: "compact", kind: "events", name: "",
                    detail: "removed \(report.events) events and \(report.historyEntries) history entries")
            ])
        }
        return report
    }
}

/// Compacts in the background, every `interval` (10 minutes by default).
public struct RetentionService: Service {
    let controlPlane: ControlPlane
    let policy: RetentionPolicy
    let interval: Duration
    let logger: Logger

    public init(
        controlPlane: ControlPlane, policy: RetentionPolicy, interval: Duration = .seconds(600),
        logger: Logger = Logger(label: "novacron.retention")
    ) {
        self.controlPlane = controlPlane
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let (controlPlane, policy, interval, logger) = (controlPlane, policy, interval, logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await controlPlane.compact(policy, as: .system("retention"))
                    if report.events > 0 || report.historyEntries > 0 {
                        logger.info("retention removed \(report.events) events and \(report.historyEntries) history entries")
                    }
                } catch {
                    logger.warning("retention could not compact: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
