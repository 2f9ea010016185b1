import Foundation
import GRDB
import NovaCore
import Workflow

/// Schedules and their durable state (last slot handled, paused, buffered slots).
extension SQLiteStore: ScheduleStore {
    public func saveSchedule(_ schedule: Schedule, state: ScheduleState) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO workflow_schedules (name, document, last_slot, paused, buffered) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET document = excluded.document, paused = excluded.paused
                    """,
                arguments: [
                    schedule.name, schedule.source.canonicalJSON, state.lastSlot?.timeIntervalSince1970, state.isPaused,
                    Self.buffered(state.buffered),
                ])
        }
    }

    public func schedules() async throws -> [(schedule: Schedule, state: ScheduleState)] {
        try readNow { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_schedules ORDER BY name").map { row in
                let slot: Double? = row["last_slot"]
                let buffered = (try Value(json: row["buffered"] as String)).arrayValue?.compactMap(\.doubleValue) ?? []
                return (
                    try Schedule(document: try Value(json: row["document"] as String)),
                    ScheduleState(
                        lastSlot: slot.map { Date(timeIntervalSince1970: $0) }, isPaused: row["paused"],
                        buffered: buffered.map { Date(timeIntervalSince1970: $0) })
                )
            }
        }
    }

    public func updateScheduleState(named name: String, _ state: ScheduleState) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE workflow_schedules SET last_slot = ?, paused = ?, buffered = ? WHERE name = ?",
                arguments: [state.lastSlot?.timeIntervalSince1970, state.isPaused, Self.buffered(state.buffered), name])
        }
    }

    public func deleteSchedule(named name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM workflow_schedules WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    private static func buffered(_ slots: [Date]) -> String {
        Value.array(slots.map { .double($0.timeIntervalSince1970) }).canonicalJSON
    }
}
