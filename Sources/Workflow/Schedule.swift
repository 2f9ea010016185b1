import Foundation
import NovaCore

/// When a workflow runs by itself: on a cron schedule, or when a matching control-plane event
/// happens (`on: {type: status_changed, kind: VM, phase: failed}`).
public struct Schedule: Sendable, Hashable {
    /// What to do when a slot comes while the schedule's previous run is still going.
    public enum Overlap: String, Sendable, CaseIterable {
        /// Drop the new slot.
        case skip
        /// Keep at most one slot waiting; start it when the running one ends.
        case bufferOne
        /// Keep every slot waiting, in order.
        case bufferAll
        /// Cancel the running run and start the new one.
        case cancelOther
        /// Start regardless.
        case allowAll
    }

    public var name: String
    public var workflow: String
    /// A pinned workflow version; nil runs the latest.
    public var version: Int?
    public var cron: CronExpression?
    /// Fields an event must have for the schedule to fire on it.
    public var trigger: Value?
    public var inputs: Value
    public var overlap: Overlap
    /// How far back missed slots are still run after downtime (seconds).
    public var catchupWindow: Double
    /// Seconds within which each of this schedule's runs should end (overrides the workflow's SLA).
    public var sla: Double?
    public var source: Value
    /// Who wrote the schedule (`apikey:NAME`): its runs act with that principal's rights. Set by
    /// the server from the caller, never taken from what a client sends.
    public var owner: String?

    /// Reads a schedule document (plain, or resource-shaped with `kind: Schedule`).
    public init(document: Value) throws(NovaError) {
        var body = document
        var name: String?
        if document["kind"] != nil || document["spec"] != nil {
            var wrapper = ObjectReader(document, at: "")
            _ = wrapper.string("apiVersion")
            if let kind = wrapper.string("kind"), kind != "Schedule" { wrapper.report("kind", code: "invalid_value", "must be Schedule") }
            name = wrapper.object("metadata") { $0.string("name", required: true) } ?? nil
            body = wrapper.raw("spec") ?? .emptyObject
            let problems = wrapper.finish()
            if !problems.isEmpty { throw NovaError.validation(problems, subject: "the schedule") }
        }
        var reader = ObjectReader(body, at: "")
        if let given = reader.string("name", required: name == nil) { name = given }
        let workflow = reader.string("workflow", required: true) ?? ""
        let version = reader.int("version", in: 1...Int.max)
        let cronText = reader.string("cron")
        let zone = reader.string("timezone") ?? "UTC"
        let trigger = reader.raw("on")
        let inputs = reader.raw("inputs") ?? .emptyObject
        let overlapText = reader.choice("overlap", Overlap.allCases.map(\.rawValue)) ?? Overlap.skip.rawValue
        let catchup = WorkflowDefinition.duration(&reader, "catchupWindow") ?? 3600
        let sla = WorkflowDefinition.duration(&reader, "sla")
        let owner = reader.string("createdBy")
        var diagnostics = reader.finish()
        var cron: CronExpression?
        if let cronText {
            do { cron = try CronExpression(cronText, timeZone: zone) } catch {
                diagnostics.append(Diagnostic(code: error.code, message: error.message, path: "cron"))
            }
        }
        if (cronText == nil) == (trigger == nil) {
            diagnostics.append(Diagnostic(code: "invalid_value", message: "give exactly one of cron and on", path: "cron"))
        }
        if let trigger, trigger.objectValue?.isEmpty ?? true {
            diagnostics.append(
                Diagnostic(
                    code: "invalid_value", message: "must be an object of event fields to match, such as {type: status_changed, kind: VM, phase: failed}",
                    path: "on"))
        }
        if let name, !WorkflowDefinition.isValidName(name) {
            diagnostics.append(Diagnostic(code: "invalid_value", message: "must be lower-case letters, digits and '-', 1–63 characters", path: "name"))
        }
        if !diagnostics.isEmpty { throw NovaError.validation(diagnostics, subject: "schedule \(name ?? "(unnamed)")") }
        self.name = name ?? ""
        self.workflow = workflow
        self.version = version
        self.cron = cron
        self.trigger = trigger
        self.inputs = inputs
        overlap = Overlap(rawValue: overlapText) ?? .skip
        catchupWindow = catchup
        self.sla = sla
        self.owner = owner
        source = document
    }

    /// The document with `createdBy` set to `owner` (replacing whatever the client sent).
    public static func document(_ document: Value, ownedBy owner: String) -> Value {
        if document["kind"] != nil || document["spec"] != nil {
            return document.setting("spec", to: (document["spec"] ?? .emptyObject).setting("createdBy", to: .string(owner)))
        }
        return document.setting("createdBy", to: .string(owner))
    }

    /// Who a run this schedule starts is started by: the owner, through the schedule.
    public var runStarter: String { owner.map { "\($0) via schedule:\(name)" } ?? "schedule:\(name)" }

    /// Whether an event's fields match the trigger (every trigger field equal).
    public func matches(_ event: Value) -> Bool {
        guard let fields = trigger?.objectValue else { return false }
        return fields.allSatisfy { key, value in event[key.stringValue ?? ""] == value }
    }

    /// The deterministic id of the run for a slot, so a slot fires once even across restarts.
    public func runID(forSlot slot: Date) -> String { "\(name)-\(Int64(slot.timeIntervalSince1970))" }
}

/// A schedule's durable state.
public struct ScheduleState: Sendable, Hashable {
    /// The last slot handled (fired, skipped or buffered).
    public var lastSlot: Date?
    public var isPaused: Bool
    /// Slots waiting for the running run to end (buffer policies).
    public var buffered: [Date]

    public init(lastSlot: Date? = nil, isPaused: Bool = false, buffered: [Date] = []) {
        self.lastSlot = lastSlot
        self.isPaused = isPaused
        self.buffered = buffered
    }
}

/// Where schedules live; both workflow stores implement it.
public protocol ScheduleStore: Sendable {
    func saveSchedule(_ schedule: Schedule, state: ScheduleState) async throws
    func schedules() async throws -> [(schedule: Schedule, state: ScheduleState)]
    func updateScheduleState(named name: String, _ state: ScheduleState) async throws
    /// False when there was no such schedule.
    func deleteSchedule(named name: String) async throws -> Bool
}
