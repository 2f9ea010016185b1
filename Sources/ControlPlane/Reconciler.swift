import Foundation
import Infrastructure
import Logging
import NovaCore
import ServiceLifecycle
import Synchronization

/// Converges the infrastructure to the desired state and writes what it sees into `status`.
///
/// It owns the lifecycle: it creates what is missing, applies new versions of a spec, keeps
/// power state as asked (restarting a crashed VM, rescheduling one whose host failed) and
/// removes what was deleted. It does not undo configuration changed behind NovaCron's back:
/// that shows in `status.observed`, and the drift detector decides what to do about it.
/// Driver errors never stop it: they go into a `ReconcileError` condition and are retried
/// with exponential backoff.
public final class Reconciler: Service, Sendable {
    private let controlPlane: ControlPlane
    private let driver: any InfrastructureDriver
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    struct State {
        var retryAt: [String: (time: Date, delay: TimeInterval)] = [:]
        var stats = ReconcilerStatistics()
    }

    /// Counters for metrics.
    public struct ReconcilerStatistics: Sendable {
        public var passes = 0
        public var errorsByKind: [String: Int] = [:]
        public var actions = 0
    }

    /// The kinds in the order they must exist: a VM needs its template, networks and volumes.
    static let creationOrder = ["Template", "Network", "Volume", "VM"]

    public init(controlPlane: ControlPlane, driver: any InfrastructureDriver, interval: Duration = .seconds(1),
                logger: Logger = Logger(label: "novacron.reconciler")) {
        self.controlPlane = controlPlane
        self.driver = driver
        self.interval = interval
        self.logger = logger
    }

    public var statistics: ReconcilerStatistics { state.withLock { $0.stats } }

    /// Runs passes every `interval`, and promptly after any desired-state change, until shutdown.
    public func run() async throws {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let changes = controlPlane.events.subscribe()
        let interval = interval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in changes where event.type != .statusChanged { wake.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    wake.yield()
                    try? await Task.sleep(for: interval)
                }
            }
            group.addTask {
                for await _ in wakeups.cancelOnGracefulShutdown() {
                    await self.reconcileOnce()
                }
            }
            await group.next()
            group.cancelAll()
        }
        wake.finish()
    }

    /// One pass over every resource. Never throws: failures become conditions and log lines.
    public func reconcileOnce() async {
        state.withLock { $0.stats.passes += 1 }
        let desired: [Resource]
        let observed: [ObservedResource]
        do {
            desired = try await controlPlane.store.allResources()
            observed = try await driver.observeAll()
        } catch {
            countError(kind: "driver")
            logger.error("reconcile pass could not read state: \(error)")
            await markUnreachable(because: error)
            return
        }
        var seen: [String: ObservedResource] = [:]
        for item in observed { seen["\(item.kind.name)/\(item.name)"] = item }
        let ordered = desired.sorted { a, b in
            let ra = Reconciler.creationOrder.firstIndex(of: a.kind.name) ?? 99, rb = Reconciler.creationOrder.firstIndex(of: b.kind.name) ?? 99
            return ra != rb ? ra < rb : a.name < b.name
        }
        for resource in ordered {
            await reconcile(resource, observed: seen[resource.reference])
        }
        // What NovaCron manages but nobody wants any more: VMs first, so volumes detach.
        let wanted = Set(desired.map(\.reference))
        let orphans = observed.filter { !wanted.contains("\($0.kind.name)/\($0.name)") }
            .sorted { (Reconciler.creationOrder.firstIndex(of: $0.kind.name) ?? 99) > (Reconciler.creationOrder.firstIndex(of: $1.kind.name) ?? 99) }
        for orphan in orphans {
            do {
                try await driver.delete(orphan.kind, name: orphan.name)
                state.withLock { $0.stats.actions += 1 }
            } catch {
                countError(kind: orphan.kind.name)
                logger.warning("could not remove \(orphan.kind.name)/\(orphan.name): \(error)")
            }
        }
    }

    private func reconcile(_ resource: Resource, observed: ObservedResource?) async {
        let key = resource.reference
        let now = controlPlane.clock.now
        var status = resource.status
        var current = observed
        let mayAct = state.withLock { $0.retryAt[key].map { $0.time <= now } ?? true }
        do {
            if mayAct {
                current = try await act(on: resource, observed: observed, status: status)
                if let observed, observed.phase == "failed", current?.phase != "failed" {
                    status.setCondition("LastFailure", .true, reason: "Restarted", message: observed.message ?? "failed", at: now)
                }
            }
            if status.condition("InfrastructureReachable")?.status == .false {
                status.setCondition("InfrastructureReachable", .true, reason: "Reconnected", message: "", at: now)
            }
            if let current {
                status.phase = current.phase
                status.host = current.host
                status.message = current.message
                status.observed = current.observed
                if mayAct { status.observedVersion = resource.metadata.resourceVersion }
                if mayAct, status.condition("ReconcileError")?.status == .true {
                    status.setCondition("ReconcileError", .false, reason: "Recovered", message: "", at: now)
                }
                if resource.kind == .vm { status.setCondition("Scheduled", .true, reason: "Placed", message: "on \(current.host ?? "a host")", at: now) }
                let ready = ["running", "ready", "available", "attached"].contains(current.phase)
                status.setCondition("Ready", ready ? .true : .false, reason: current.phase.capitalized, message: current.message ?? "", at: now)
            }
            if mayAct { state.withLock { _ = $0.retryAt.removeValue(forKey: key) } }
        } catch {
            let failure = error as? NovaError ?? NovaError(.infrastructure, "\(error)", isRetryable: true)
            countError(kind: resource.kind.name)
            let delay = state.withLock { state -> TimeInterval in
                let delay = min(60, max(1, (state.retryAt[key]?.delay ?? 0.5) * 2))
                state.retryAt[key] = (now.addingTimeInterval(delay), delay)
                return delay
            }
            logger.info("reconcile \(key) failed (retry in \(Int(delay)) s): \(failure.message)")
            status.setCondition("ReconcileError", .true, reason: failure.code.rawValue, message: failure.message, at: now)
            if failure.code == .unschedulable {
                status.phase = "failed"
                status.message = failure.message
                status.setCondition("Scheduled", .false, reason: "Unschedulable", message: failure.message, at: now)
            } else if current == nil {
                status.phase = "pending"
                status.message = failure.message
            }
            status.setCondition("Ready", .false, reason: "ReconcileError", message: failure.message, at: now)
        }
        guard status.value.setting("updatedAt", to: nil) != resource.status.value.setting("updatedAt", to: nil) else { return }
        status.updatedAt = now
        do {
            try await controlPlane.recordStatus(resource.kind, named: resource.name, status: status)
        } catch {
            // The resource may have been deleted meanwhile; the next pass sees the truth.
            logger.debug("status of \(key) not written: \(error)")
        }
    }

    /// Does what the resource needs and returns what the driver then reports.
    private func act(on resource: Resource, observed: ObservedResource?, status: ResourceStatus) async throws -> ObservedResource {
        var current: ObservedResource
        if let observed {
            current = observed
            if status.observedVersion < resource.metadata.resourceVersion && observed.observed.setting("attachedTo", to: nil) != resource.spec {
                current = try await driver.update(resource)
                state.withLock { $0.stats.actions += 1 }
            }
        } else {
            current = try await driver.create(resource)
            state.withLock { $0.stats.actions += 1 }
        }
        guard resource.kind == .vm, let power = resource.spec["powerState"]?.stringValue else { return current }
        if power == "running", current.phase == "stopped" || current.phase == "failed" {
            if current.phase == "failed" { logger.notice("restarting VM \(resource.name): \(current.message ?? "failed")") }
            current = try await driver.perform(.start, onVM: resource.name)
            state.withLock { $0.stats.actions += 1 }
        } else if power == "stopped", current.phase == "running" || current.phase == "provisioning" {
            current = try await driver.perform(.stop, onVM: resource.name)
            state.withLock { $0.stats.actions += 1 }
        }
        return current
    }

    /// Says on every resource that the infrastructure cannot be seen, so `status` does not
    /// silently go stale while the driver reconnects.
    private func markUnreachable(because error: any Error) async {
        guard let resources = try? await controlPlane.store.allResources() else { return }
        let message = (error as? NovaError)?.message ?? "\(error)"
        let now = controlPlane.clock.now
        for resource in resources where resource.status.condition("InfrastructureReachable")?.status != .false {
            var status = resource.status
            status.setCondition("InfrastructureReachable", .false, reason: "DriverUnavailable", message: message, at: now)
            status.updatedAt = now
            try? await controlPlane.recordStatus(resource.kind, named: resource.name, status: status)
        }
    }

    private func countError(kind: String) {
        state.withLock { $0.stats.errorsByKind[kind, default: 0] += 1 }
    }
}
