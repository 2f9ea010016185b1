import ControlPlane
import Foundation
import Infrastructure
import NovaCore
import NovaCronTesting
import Testing

/// The reconciler's decisions as a table: each observed phase × each desired power state, with
/// and without a new version to apply, and the resource missing on either side.
@Suite struct ReconcileDecisionTests {
    static func vm(power: String, version: Int = 1, vcpus: Int = 2) -> Resource {
        var resource = Fixtures.resource(Fixtures.vmDocument("a", vcpus: vcpus, extra: ["powerState": .string(power)]))
        resource.metadata.resourceVersion = version
        return resource
    }

    static func seen(_ phase: Phase, vcpus: Int = 2, power: String) -> ObservedResource {
        let spec = vm(power: power, vcpus: vcpus).spec
        return ObservedResource(kind: .vm, name: "a", phase: phase, host: "host-1", observed: spec)
    }

    /// (observed phase, desired power, the step expected) with the spec already applied.
    static let powerTable: [(Phase, String, ReconcileStep?)] = [
        (.pending, "running", nil), (.provisioning, "running", nil), (.running, "running", nil),
        (.stopped, "running", .start), (.failed, "running", .start),
        (.pending, "stopped", nil), (.provisioning, "stopped", .stop), (.running, "stopped", .stop),
        (.stopped, "stopped", nil), (.failed, "stopped", nil),
    ]

    @Test(arguments: powerTable.indices)
    func powerStateIsKeptAsAsked(row: Int) {
        let (phase, power, expected) = Self.powerTable[row]
        let step = ReconcileDecision.nextStep(desired: Self.vm(power: power), observed: Self.seen(phase, power: power), appliedVersion: 1)
        #expect(step == expected, "\(phase) wanting \(power)")
    }

    @Test(arguments: [Phase.pending, .provisioning, .running, .stopped, .failed])
    func aNewVersionIsAppliedFirstWhateverThePhase(phase: Phase) {
        let step = ReconcileDecision.nextStep(
            desired: Self.vm(power: "running", version: 2, vcpus: 4),
            observed: Self.seen(phase, vcpus: 2, power: "running"), appliedVersion: 1)
        #expect(step == .update)
    }

    @Test func aNewVersionTheInfrastructureAlreadyHasIsNotAppliedAgain() {
        let step = ReconcileDecision.nextStep(
            desired: Self.vm(power: "running", version: 2), observed: Self.seen(.running, power: "running"),
            appliedVersion: 1)
        #expect(step == nil)
    }

    @Test func missingOnEitherSide() {
        #expect(ReconcileDecision.nextStep(desired: Self.vm(power: "running"), observed: nil, appliedVersion: 0) == .create)
        #expect(ReconcileDecision.nextStep(desired: nil, observed: Self.seen(.running, power: "running"), appliedVersion: 0) == .delete)
        #expect(ReconcileDecision.nextStep(desired: nil, observed: nil, appliedVersion: 0) == nil)
    }

    /// An out-of-band edit of an applied version is observed, never reverted.
    @Test func anEditBehindOurBackIsNotReverted() {
        let step = ReconcileDecision.nextStep(
            desired: Self.vm(power: "running"), observed: Self.seen(.running, vcpus: 16, power: "running"),
            appliedVersion: 1)
        #expect(step == nil)
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [(Phase.running, true), (.provisioning, false), (.stopped, false), (.failed, false)])
    func statusFollowsWhatIsObserved(phase: Phase, ready: Bool) {
        let status = ReconcileDecision.status(
            of: Self.vm(power: "running"), before: nil, after: Self.seen(phase, power: "running"),
            failure: nil, acted: true, now: Self.now)
        #expect(status.phase == phase)
        #expect(status.host == "host-1")
        #expect(status.observedVersion == 1)
        #expect(status.condition(.ready)?.status == (ready ? .true : .false))
        #expect(status.condition(.scheduled)?.status == .true)
    }

    @Test func aRestartRecordsWhyItFailed() {
        var before = Self.seen(.failed, power: "running")
        before.message = "crashed: guest kernel panic"
        let status = ReconcileDecision.status(
            of: Self.vm(power: "running"), before: before, after: Self.seen(.provisioning, power: "running"),
            failure: nil, acted: true, now: Self.now)
        #expect(status.condition(.lastFailure)?.message == "crashed: guest kernel panic")
    }

    @Test func failuresBecomeConditions() {
        let unschedulable = ReconcileDecision.status(
            of: Self.vm(power: "running"), before: nil, after: nil,
            failure: NovaError(.unschedulable, "no host can take it"), acted: true, now: Self.now)
        #expect(unschedulable.phase == .failed)
        #expect(unschedulable.condition(.scheduled)?.reason == "Unschedulable")
        #expect(unschedulable.condition(.reconcileError)?.status == .true)
        let missing = ReconcileDecision.status(
            of: Self.vm(power: "running"), before: nil, after: nil,
            failure: NovaError(.infrastructure, "needs Network/n"), acted: true, now: Self.now)
        #expect(missing.phase == .pending)
        #expect(missing.condition(.ready)?.reason == "ReconcileError")
        // Inside the backoff the resource is only looked at: the error stays, no version is claimed.
        var failing = Self.vm(power: "running", version: 2)
        failing.status = missing
        let looked = ReconcileDecision.status(
            of: failing, before: nil, after: Self.seen(.running, power: "running"), failure: nil,
            acted: false, now: Self.now)
        #expect(looked.condition(.reconcileError)?.status == .true)
        #expect(looked.observedVersion == 0)
    }
}
