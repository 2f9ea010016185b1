import Synchronization

/// Schedules kept in memory beside the runs.
public final class InMemoryScheduleStore: ScheduleStore {
    private let entries = Mutex<[String: (schedule: Schedule, state: ScheduleState)]>([:])

    public init() {}

    public func saveSchedule(_ schedule: Schedule, state: ScheduleState) async throws {
        entries.withLock { $0[schedule.name] = (schedule, state) }
    }

    public func schedules() async throws -> [(schedule: Schedule, state: ScheduleState)] {
        entries.withLock { entries in entries.keys.sorted().compactMap { entries[$0] } }
    }

    public func updateScheduleState(named name: String, _ state: ScheduleState) async throws {
        entries.withLock { if $0[name] != nil { $0[name]!.state = state } }
    }

    public func deleteSchedule(named name: String) async throws -> Bool {
        entries.withLock { $0.removeValue(forKey: name) != nil }
    }
}
