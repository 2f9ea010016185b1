import Foundation
import Logging
import NovaCore
import ServiceLifecycle

/// Starts workflow runs on cron schedules and on events. A slot's run has a deterministic id
/// (`<schedule>-<slot epoch>`), so a slot fires once even when the process restarts between
/// starting the run and recording the slot. After downtime, missed slots within the schedule's
/// catch-up window run; older ones are dropped.
public actor WorkflowScheduler: Service {
    struct Entry: Sendable {
        var schedule: Schedule
        var state: ScheduleState
    }

    public let engine: WorkflowEngine
    let store: any ScheduleStore
    let clock: any WallClock
    let triggers: (any TriggerSource)?
    let logger: Logger
    let wakeup = Wakeup()
    var entries: [String: Entry] = [:]
    var isLoaded = false
    /// Slots skipped because of the overlap policy, by schedule (for the API and tests).
    public private(set) var skipped: [String: Int] = [:]

    public init(
        engine: WorkflowEngine, store: any ScheduleStore, clock: any WallClock = SystemClock(), triggers: (any TriggerSource)? = nil,
        logger: Logger = Logger(label: "novacron.scheduler")
    ) {
        self.engine = engine
        self.store = store
        self.clock = clock
        self.triggers = triggers
        self.logger = logger
    }

    // MARK: - Managing schedules

    /// Creates or replaces a schedule; its workflow must exist. A replaced schedule keeps its
    /// last slot and pause state.
    @discardableResult
    public func apply(_ document: Value, owner: String? = nil) async throws -> Schedule {
        let schedule = try Schedule(document: owner.map { Schedule.document(document, ownedBy: $0) } ?? document)
        _ = try await engine.definition(named: schedule.workflow, version: schedule.version)
        try await load()
        let state = entries[schedule.name]?.state ?? ScheduleState(lastSlot: clock.now)
        try await store.saveSchedule(schedule, state: state)
        entries[schedule.name] = Entry(schedule: schedule, state: state)
        wakeup.signal()
        return schedule
    }

    public func delete(_ name: String) async throws {
        try await load()
        guard try await store.deleteSchedule(named: name) else { throw NovaError(.notFound, "schedule \(name) not found") }
        entries[name] = nil
    }

    /// Pauses or resumes a schedule. Slots that pass while paused never run.
    public func setPaused(_ name: String, _ paused: Bool) async throws {
        try await load()
        guard var entry = entries[name] else { throw NovaError(.notFound, "schedule \(name) not found") }
        entry.state.isPaused = paused
        if !paused { entry.state.lastSlot = clock.now }
        try await store.updateScheduleState(named: name, entry.state)
        entries[name] = entry
        wakeup.signal()
    }

    /// Starts a run for every slot of a cron schedule in `(from, through]` that has not run yet
    /// (at most 1,000); returns their run ids.
    public func backfill(_ name: String, from: Date, through: Date) async throws -> [String] {
        try await load()
        guard let entry = entries[name] else { throw NovaError(.notFound, "schedule \(name) not found") }
        guard let cron = entry.schedule.cron else { throw NovaError(.invalidRequest, "schedule \(name) fires on events, not on a clock") }
        guard from < through else { throw NovaError(.invalidRequest, "backfill needs from before to") }
        var started: [String] = []
        for slot in cron.times(after: from.addingTimeInterval(-0.001), through: through, limit: 1000) {
            if let id = try await start(entry.schedule, runID: entry.schedule.runID(forSlot: slot), inputs: entry.schedule.inputs) { started.append(id) }
        }
        return started
    }

    /// Every schedule with its state and next firing time.
    public func describeAll() async throws -> [Value] {
        try await load()
        return entries.keys.sorted().compactMap { entries[$0].map(describe) }
    }

    public func describe(_ name: String) async throws -> Value {
        try await load()
        guard let entry = entries[name] else { throw NovaError(.notFound, "schedule \(name) not found") }
        return describe(entry)
    }

    private func describe(_ entry: Entry) -> Value {
        var fields: [String: Value] = [
            "name": .string(entry.schedule.name), "workflow": .string(entry.schedule.workflow), "overlap": .string(entry.schedule.overlap.rawValue),
            "paused": .bool(entry.state.isPaused), "skipped": .int(skipped[entry.schedule.name] ?? 0),
            "buffered": .array(entry.state.buffered.map { .string(Timestamp.format($0)) }), "source": entry.schedule.source,
        ]
        if let cron = entry.schedule.cron {
            fields["cron"] = .string(cron.source)
            fields["timezone"] = .string(cron.timeZone.identifier)
            if !entry.state.isPaused, let next = cron.next(after: max(entry.state.lastSlot ?? clock.now, clock.now)) {
                fields["nextFire"] = .string(Timestamp.format(next))
            }
        }
        if let trigger = entry.schedule.trigger { fields["on"] = trigger }
        if let last = entry.state.lastSlot { fields["lastSlot"] = .string(Timestamp.format(last)) }
        return .object(fields)
    }

    // MARK: - Running

    public func run() async throws {
        try await load()
        catchUp()
        let triggers = triggers
        await withDiscardingTaskGroup { group in
            if let triggers {
                group.addTask {
                    for await event in triggers.triggerEvents() { await self.fire(on: event) }
                }
            }
            await withGracefulShutdownHandler {
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    await self.fireDueSlots()
                    await self.wakeup.wait(seconds: self.secondsUntilNextSlot())
                }
            } onGracefulShutdown: {
                self.wakeup.signal()
            }
            group.cancelAll()
        }
    }

    func load() async throws {
        guard !isLoaded else { return }
        for (schedule, state) in try await store.schedules() where entries[schedule.name] == nil {
            entries[schedule.name] = Entry(schedule: schedule, state: state)
        }
        isLoaded = true
    }

    /// Slots missed while the process was down: those older than the catch-up window are dropped.
    private func catchUp() {
        let now = clock.now
        for (name, entry) in entries where entry.schedule.cron != nil {
            let earliest = now.addingTimeInterval(-entry.schedule.catchupWindow)
            if entry.state.lastSlot.map({ $0 < earliest }) ?? true {
                entries[name]?.state.lastSlot = earliest
            }
        }
    }

    func secondsUntilNextSlot() -> Double {
        let now = clock.now
        var wait = 60.0
        for entry in entries.values where !entry.state.isPaused {
            if !entry.state.buffered.isEmpty { wait = min(wait, 0.25) }
            if let cron = entry.schedule.cron, let next = cron.next(after: entry.state.lastSlot ?? now) {
                wait = min(wait, next.timeIntervalSince(now))
            }
        }
        return max(0, wait)
    }

    /// Fires every slot that has come, then starts buffered slots whose predecessor ended.
    func fireDueSlots() async {
        let now = clock.now
        for name in entries.keys.sorted() {
            guard let entry = entries[name], !entry.state.isPaused, let cron = entry.schedule.cron else { continue }
            let due = cron.times(after: entry.state.lastSlot ?? now, through: now, limit: 1000)
            for slot in due {
                await handle(name, runID: entry.schedule.runID(forSlot: slot), slot: slot)
                entries[name]?.state.lastSlot = slot
            }
            await drainBuffer(name)
            if let state = entries[name]?.state, state != entry.state {
                do { try await store.updateScheduleState(named: name, state) } catch {
                    logger.error("schedule \(name): cannot save its state: \(error)")
                }
            }
        }
    }

    func fire(on event: Value) async {
        for name in entries.keys.sorted() {
            guard let entry = entries[name], !entry.state.isPaused, entry.schedule.matches(event) else { continue }
            let sequence = event["sequence"]?.intValue ?? 0
            await handle(name, runID: "\(name)-event-\(sequence)", slot: nil, event: event)
        }
    }

    /// Applies the overlap policy to one slot (or event) and starts, buffers or skips it.
    private func handle(_ name: String, runID: String, slot: Date?, event: Value? = nil) async {
        guard let schedule = entries[name]?.schedule else { return }
        do {
            if try await engine.store.run(id: runID) != nil { return }
            let active = try await activeRuns(of: name)
            if !active.isEmpty {
                switch schedule.overlap {
                case .skip:
                    skipped[name, default: 0] += 1
                    logger.info("schedule \(name): slot skipped, run \(active[0]) is still going")
                    return
                case .bufferOne:
                    if let slot, entries[name]?.state.buffered.isEmpty == true {
                        entries[name]?.state.buffered = [slot]
                    } else {
                        skipped[name, default: 0] += 1
                    }
                    return
                case .bufferAll:
                    if let slot { entries[name]?.state.buffered.append(slot) }
                    return
                case .cancelOther:
                    for id in active { try? await engine.cancel(id, by: "schedule:\(name)", reason: "overlap policy cancelOther") }
                case .allowAll:
                    break
                }
            }
            var inputs = schedule.inputs
            if let event { inputs = try await withEvent(event, inputs: inputs, schedule: schedule) }
            _ = try await start(schedule, runID: runID, inputs: inputs)
        } catch {
            logger.error("schedule \(name): cannot start \(runID): \(error)")
        }
    }

    private func drainBuffer(_ name: String) async {
        guard let entry = entries[name], let slot = entry.state.buffered.first else { return }
        do {
            guard try await activeRuns(of: name).isEmpty else { return }
            entries[name]?.state.buffered.removeFirst()
            _ = try await start(entry.schedule, runID: entry.schedule.runID(forSlot: slot), inputs: entry.schedule.inputs)
        } catch {
            logger.error("schedule \(name): cannot start a buffered slot: \(error)")
        }
    }

    /// Passes the event as the `event` input when the workflow takes one (or declares none).
    private func withEvent(_ event: Value, inputs: Value, schedule: Schedule) async throws -> Value {
        let definition = try await engine.definition(named: schedule.workflow, version: schedule.version)
        guard definition.inputs.isEmpty || definition.inputs["event"] != nil else { return inputs }
        return inputs.setting("event", to: event)
    }

    private func start(_ schedule: Schedule, runID: String, inputs: Value) async throws -> String? {
        do {
            return try await engine.start(
                schedule.workflow, version: schedule.version, inputs: inputs, by: schedule.runStarter, runID: runID,
                sla: schedule.sla
            ).id
        } catch let error as NovaError where error.code == .alreadyExists {
            return nil
        }
    }

    private func activeRuns(of name: String) async throws -> [String] {
        guard let workflow = entries[name]?.schedule.workflow else { return [] }
        var active: [String] = []
        for status in [RunStatus.running, .compensating] {
            active += try await engine.store.runs(workflow: workflow, status: status, limit: 10_000).map(\.id).filter { $0.hasPrefix("\(name)-") }
        }
        return active
    }
}
