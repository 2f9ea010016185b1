import Foundation
import Infrastructure
import NovaCore

/// One call the reconciler makes to the driver.
public enum ReconcileStep: String, Sendable, Hashable, CaseIterable {
    case create, update, start, stop, delete
}

/// What the reconciler decides, without doing anything: from the desired resource and what
/// the infrastructure shows, the next driver call; from the outcome, the new status. The loop
/// around it only does I/O, so every case is a row of a table in the tests.
public enum ReconcileDecision {
    /// The next call that brings the infrastructure towards the desired state, or nil when
    /// there is nothing to do. `appliedVersion` is the resource version last applied (the
    /// status's `observedVersion`, or the current version once a create or update succeeded).
    public static func nextStep(desired: Resource?, observed: ObservedResource?, appliedVersion: Int) -> ReconcileStep? {
        guard let desired else { return observed == nil ? nil : .delete }
        guard let observed else { return .create }
        // A volume's `attachedTo` is the infrastructure's to report, never the spec's.
        if appliedVersion < desired.metadata.resourceVersion, observed.observed.setting("attachedTo", to: nil) != desired.spec {
            return .update
        }
        guard desired.kind == .vm, let power = desired.spec["powerState"]?.stringValue else { return nil }
        if power == "running", observed.phase == .stopped || observed.phase == .failed { return .start }
        if power == "stopped", observed.phase == .running || observed.phase == .provisioning { return .stop }
        return nil
    }

    /// The status after a round: what the driver shows now (`after`), what it showed before
    /// the round (`before`), and the failure, if the round failed. `acted` is false when the
    /// resource was inside its retry backoff (so it was only looked at).
    public static func status(
        of resource: Resource, before: ObservedResource?, after: ObservedResource?, failure: NovaError?,
        acted: Bool, now: Date
    ) -> ResourceStatus {
        var status = resource.status
        if status.condition(.infrastructureReachable)?.status == .false {
            status.setCondition(.infrastructureReachable, .true, reason: "Reconnected", message: "", at: now)
        }
        if let failure {
            status.setCondition(.reconcileError, .true, reason: failure.code.rawValue, message: failure.message, at: now)
            if failure.code == .unschedulable {
                status.phase = .failed
                status.message = failure.message
                status.setCondition(.scheduled, .false, reason: "Unschedulable", message: failure.message, at: now)
            } else if after == nil {
                status.phase = .pending
                status.message = failure.message
            }
            if let after { observe(after, into: &status) }
            status.setCondition(.ready, .false, reason: "ReconcileError", message: failure.message, at: now)
            return status
        }
        if acted, let before, before.phase == .failed, after?.phase != .failed {
            status.setCondition(.lastFailure, .true, reason: "Restarted", message: before.message ?? "failed", at: now)
        }
        guard let after else { return status }
        observe(after, into: &status)
        if acted {
            status.observedVersion = resource.metadata.resourceVersion
            if status.condition(.reconcileError)?.status == .true {
                status.setCondition(.reconcileError, .false, reason: "Recovered", message: "", at: now)
            }
        }
        if resource.kind == .vm { status.setCondition(.scheduled, .true, reason: "Placed", message: "on \(after.host ?? "a host")", at: now) }
        status.setCondition(.ready, after.phase.isReady ? .true : .false, reason: after.phase.rawValue.capitalized, message: after.message ?? "", at: now)
        return status
    }

    static func observe(_ observed: ObservedResource, into status: inout ResourceStatus) {
        status.phase = observed.phase
        status.host = observed.host
        status.message = observed.message
        status.observed = observed.observed
    }

    /// Whether a resource in this phase is still on its way and should be looked at again
    /// soon (a VM provisioning), rather than only when something changes.
    public static func isSettling(_ phase: Phase) -> Bool { phase == .provisioning || phase == .pending }

    /// Whether two statuses differ in more than the time they were written.
    public static func differ(_ a: ResourceStatus, _ b: ResourceStatus) -> Bool {
        var a = a, b = b
        a.updatedAt = nil
        b.updatedAt = nil
        return a != b
    }
}
