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
///
/// Event-driven: a per-resource work queue is fed by the door's commits (as a commit observer)
/// and by the driver's own change reports; a full resync (every `interval`, 5 minutes by
/// default) catches anything missed. Work per change touches that one resource. Deciding is
/// `ReconcileDecision` (pure); this type only does the I/O. Driver errors go into a
/// `ReconcileError` condition and are retried with per-key exponential backoff.
public final class Reconciler: Service, CommitObserver, Sendable {
    public let observerName = "reconciler"
    private let controlPlane: ControlPlane
    private let driver: any InfrastructureDriver
    private let interval: Duration
    private let observeInterval: Duration
    private let workers: Int
    private let logger: Logger
    private let state = Mutex(State())
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    struct State {
        var queue = WorkQueue()
        var retryAt: [String: (time: Date, delay: TimeInterval)] = [:]
        var stats = ReconcilerStatistics()
        /// Workers busy now.
        var running = 0
    }

    /// Counters for metrics.
    public struct ReconcilerStatistics: Sendable {
        /// Full resyncs.
        public var passes = 0
        public var errorsByKind: [String: Int] = [:]
        /// Driver calls made.
        public var actions = 0
        /// Resources looked at (one per work item).
        public var workItems = 0
        /// Keys waiting (ready or delayed).
        public var queued = 0
    }

    /// The kinds in the order they must exist: a VM needs its template, networks and volumes.
    static let creationOrder = ["Template", "Network", "Volume", "VM"]
    /// How soon a settling resource (a VM provisioning) is looked at again.
    static let settlingRecheck: TimeInterval = 1
    static let timerSlack: TimeInterval = 0.005

    /// - Parameters:
    ///   - interval: between full resyncs (changes are worked at once, not on this timer).
    ///   - workers: resources worked at the same time (never one resource twice at once).
    ///   - observeInterval: for a driver that cannot report changes (libvirt), how often the
    ///     infrastructure is looked at for changes made outside NovaCron (a crashed guest).
    public init(
        controlPlane: ControlPlane, driver: any InfrastructureDriver, interval: Duration = .seconds(300), workers: Int = 4,
        observeInterval: Duration = .seconds(5), logger: Logger = Logger(label: "novacron.reconciler")
    ) {
        self.controlPlane = controlPlane
        self.driver = driver
        self.interval = interval
        self.observeInterval = observeInterval
        self.workers = max(1, workers)
        self.logger = logger
        (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var statistics: ReconcilerStatistics {
        state.withLock { state in
            var stats = state.stats
            stats.queued = state.queue.count
            return stats
        }
    }

    // MARK: - Feeding the queue

    public func observe(_ batch: CommitBatch) async throws {
        // Status changes are the reconciler's own writes.
        let keys = batch.changes.filter { $0.type != .statusChanged }.map { "\($0.kind)/\($0.name)" }
        guard !keys.isEmpty else { return }
        enqueue(Self.ordered(keys))
    }

    /// A change to these resources (a commit, a driver report): they are worked now, their
    /// retry backoff forgotten, since what they failed on may be what changed.
    func enqueue(_ keys: [String]) {
        state.withLock { state in
            for key in keys {
                state.retryAt[key]?.time = .distantPast
                state.queue.add(key)
            }
        }
        signal.yield()
    }

    static func ordered(_ keys: [String]) -> [String] {
        keys.enumerated().sorted { a, b in
            let ra = rank(a.element), rb = rank(b.element)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    static func rank(_ key: String) -> Int {
        creationOrder.firstIndex(of: String(key.prefix { $0 != "/" })) ?? creationOrder.count
    }

    // MARK: - Running

    /// Works the queue until shutdown: commits and driver reports feed it; a full resync runs
    /// at start and every `interval`.
    public func run() async throws {
        let feed = try await controlPlane.addObserver(self)
        defer { controlPlane.removeObserver(feed) }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await feed.run() }
                if let reporting = self.driver as? any ReportsInfrastructureChanges {
                    group.addTask {
                        for await change in reporting.changes() { self.enqueue(["\(change.kind.name)/\(change.name)"]) }
                    }
                } else {
                    group.addTask { await self.watchByObserving() }
                }
                group.addTask {
                    while !Task.isCancelled {
                        await self.resync()
                        try? await Task.sleep(for: self.interval)
                    }
                }
                await self.dispatch(into: &group)
            }
        }
        signal.finish()
    }

    /// Hands ready keys to at most `workers` workers, and wakes when a change, a finished
    /// worker or a delayed key's time comes.
    private func dispatch(into group: inout DiscardingTaskGroup) async {
        var timerDue: Date?
        let workers = workers
        for await _ in signals {
            let now = controlPlane.clock.now
            var keys: [String] = []
            let nextDue = state.withLock { state -> Date? in
                let next = state.queue.promote(now: now)
                while state.running < workers, let key = state.queue.take() {
                    keys.append(key)
                    state.running += 1
                }
                return next
            }
            for key in keys {
                group.addTask {
                    await self.work(key)
                    self.state.withLock { state in
                        state.queue.release(key)
                        state.running -= 1
                    }
                    self.signal.yield()
                }
            }
            // A timer counts as spent a little before its time: sleeps may end a millisecond
            // early, and a key found not quite due must still get a timer of its own.
            if let nextDue, timerDue.map({ nextDue < $0 || $0 <= now.addingTimeInterval(Self.timerSlack) }) ?? true {
                timerDue = nextDue
                // Wall time may be a test's manual clock: wake at least once a minute to look.
                let seconds = min(60, max(0.01, nextDue.timeIntervalSince(now))) + Self.timerSlack
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
                    self.signal.yield()
                }
            }
        }
    }

    /// For a driver that cannot report changes: looks at the infrastructure (never the store)
    /// every `observeInterval` and queues what changed since the last look.
    private func watchByObserving() async {
        var last: [String: ObservedResource] = [:]
        while !Task.isCancelled {
            try? await Task.sleep(for: observeInterval)
            guard let observed = try? await driver.observeAll() else { continue }
            var now: [String: ObservedResource] = [:]
            for item in observed { now["\(item.kind.name)/\(item.name)"] = item }
            let changed = now.filter { last[$0.key] != $0.value }.map(\.key) + last.keys.filter { now[$0] == nil }
            if !last.isEmpty, !changed.isEmpty { enqueue(Self.ordered(changed)) }
            last = now
        }
    }

    /// Puts every resource, and everything the infrastructure holds that nobody wants, on the
    /// queue; says on every resource when the infrastructure cannot be seen.
    func resync() async {
        state.withLock { $0.stats.passes += 1 }
        do {
            let keys = try await resyncKeys()
            // Keys in backoff keep it: a resync is not a change.
            state.withLock { state in for key in keys where state.retryAt[key] == nil { state.queue.add(key) } }
            signal.yield()
        } catch {
            countError(kind: "driver")
            logger.error("resync could not read state: \(error)")
            await markUnreachable(because: error)
        }
    }

    /// Desired keys in creation order, then orphans (VMs first, so volumes detach).
    private func resyncKeys() async throws -> [String] {
        let desired = try await controlPlane.store.allResources()
        let observed = try await driver.observeAll()
        let wanted = Set(desired.map(\.reference))
        let orphans = observed.map { "\($0.kind.name)/\($0.name)" }.filter { !wanted.contains($0) }
        return Self.ordered(desired.map(\.reference)) + orphans.sorted { Self.rank($0) > Self.rank($1) }
    }

    /// One full pass, worked here and now (tests and `novacron` tools use it): every resource
    /// is looked at; one inside its retry backoff is only observed.
    public func reconcileOnce() async {
        state.withLock { $0.stats.passes += 1 }
        let keys: [String]
        do {
            keys = try await resyncKeys()
        } catch {
            countError(kind: "driver")
            logger.error("reconcile pass could not read state: \(error)")
            await markUnreachable(because: error)
            return
        }
        for key in keys { await work(key) }
    }

    // MARK: - Working one resource

    /// Looks at one resource, makes the driver calls it needs, writes its status, and says when
    /// to look again. Never throws: failures become conditions and log lines.
    func work(_ key: String) async {
        guard let slash = key.firstIndex(of: "/"), let kind = controlPlane.kind(named: String(key[..<slash])) else { return }
        let name = String(key[key.index(after: slash)...])
        state.withLock { $0.stats.workItems += 1 }
        let now = controlPlane.clock.now
        let desired: Resource?
        let before: ObservedResource?
        do {
            desired = try await controlPlane.store.resource(kind, named: name)
            before = try await driver.observe(kind, name: name)
        } catch {
            countError(kind: kind.name)
            logger.warning("cannot look at \(key): \(error)")
            backOff(key, now: now)
            return
        }
        let mayAct = state.withLock { $0.retryAt[key].map { $0.time <= now } ?? true }
        var current = before
        var failure: NovaError?
        if mayAct {
            var applied = desired?.status.observedVersion ?? 0
            do {
                for _ in 0..<4 {
                    guard let step = ReconcileDecision.nextStep(desired: desired, observed: current, appliedVersion: applied) else { break }
                    current = try await perform(step, kind: kind, name: name, desired: desired)
                    state.withLock { $0.stats.actions += 1 }
                    if step == .create || step == .update { applied = desired?.metadata.resourceVersion ?? applied }
                }
            } catch {
                failure = error as? NovaError ?? NovaError(.infrastructure, "\(error)", isRetryable: true)
            }
        }
        if let failure {
            countError(kind: kind.name)
            let delay = backOff(key, now: now)
            logger.info("reconcile \(key) failed (retry in \(Int(delay)) s): \(failure.message)")
        } else if mayAct {
            state.withLock { _ = $0.retryAt.removeValue(forKey: key) }
            if let current, ReconcileDecision.isSettling(current.phase), desired != nil {
                state.withLock { $0.queue.add(key, at: now.addingTimeInterval(Self.settlingRecheck)) }
            }
            if kind != .vm, desired != nil { expediteWaiting() }
        }
        guard let desired else { return }
        let status = ReconcileDecision.status(of: desired, before: before, after: current, failure: failure, acted: mayAct, now: now)
        guard ReconcileDecision.differ(status, desired.status) else { return }
        var written = status
        written.updatedAt = now
        do {
            try await controlPlane.recordStatus(kind, named: name, status: written)
        } catch {
            // The resource may have been deleted meanwhile; its deletion is on the queue.
            logger.debug("status of \(key) not written: \(error)")
        }
    }

    private func perform(_ step: ReconcileStep, kind: ResourceKind, name: String, desired: Resource?) async throws -> ObservedResource? {
        switch step {
        case .create: return try await driver.create(desired!)
        case .update: return try await driver.update(desired!)
        case .start:
            logger.notice("starting VM \(name)")
            return try await driver.perform(.start, onVM: name)
        case .stop: return try await driver.perform(.stop, onVM: name)
        case .delete:
            try await driver.delete(kind, name: name)
            return nil
        }
    }

    /// Schedules the key's next try after a doubling delay (1 s to a minute); returns the delay.
    @discardableResult
    private func backOff(_ key: String, now: Date) -> TimeInterval {
        state.withLock { state in
            let delay = min(60, max(1, (state.retryAt[key]?.delay ?? 0.5) * 2))
            let time = now.addingTimeInterval(delay)
            state.retryAt[key] = (time, delay)
            state.queue.add(key, at: time)
            return delay
        }
    }

    /// A template, network or volume converged: resources backing off (waiting for one,
    /// perhaps) are tried now rather than at the end of their backoff.
    private func expediteWaiting() {
        let waiting = state.withLock { state in state.retryAt.filter { $0.key.hasPrefix("VM/") && $0.value.time > .distantPast }.map(\.key) }
        if !waiting.isEmpty { enqueue(waiting) }
    }

    /// Says on every resource that the infrastructure cannot be seen, so `status` does not
    /// silently go stale while the driver reconnects.
    private func markUnreachable(because error: any Error) async {
        guard let resources = try? await controlPlane.store.allResources() else { return }
        let message = (error as? NovaError)?.message ?? "\(error)"
        let now = controlPlane.clock.now
        for resource in resources where resource.status.condition(.infrastructureReachable)?.status != .false {
            var status = resource.status
            status.setCondition(.infrastructureReachable, .false, reason: "DriverUnavailable", message: message, at: now)
            status.updatedAt = now
            try? await controlPlane.recordStatus(resource.kind, named: resource.name, status: status)
        }
    }

    private func countError(kind: String) {
        state.withLock { $0.stats.errorsByKind[kind, default: 0] += 1 }
    }
}
