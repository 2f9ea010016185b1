import Foundation
import NovaCore

/// What a reader may see of the whole estate: the resources of every kind it may list, and the
/// kinds it may not (left out, never summarised).
public struct Inventory: Sendable {
    public var resources: [Resource]
    /// Kinds left out because the reader may not list them.
    public var hiddenKinds: [String]
    /// The inventory reflects at least every commit up to this event sequence.
    public var sequence: Int64
}

extension ControlPlane {
    /// Every resource of the kinds asked for (all kinds by default) that the principal may
    /// list: the read for previews, reports and scanners, checked per kind so that nothing
    /// tells a reader about a kind it cannot read.
    public func inventory(of kinds: [ResourceKind]? = nil, as principal: Principal) async throws -> Inventory {
        let wanted = kinds ?? self.kinds
        let readable = Set(wanted.filter { principal.isAllowed(.list, on: $0.plural) }.map(\.name))
        let sequence = try await store.latestEventSequence()
        let resources = try await store.allResources().filter { readable.contains($0.kind.name) }
        return Inventory(resources: resources, hiddenKinds: wanted.map(\.name).filter { !readable.contains($0) }, sequence: sequence)
    }

    /// How many resources of each kind are in each phase, for kinds the principal may list.
    public func resourceCounts(as principal: Principal) async throws -> [ResourceCount] {
        let readable = Set(kinds.filter { principal.isAllowed(.list, on: $0.plural) }.map(\.name))
        return try await store.resourceCounts().filter { readable.contains($0.kind) }
    }

    /// Throws `unavailable` unless the store answers (for readiness checks).
    public func checkStore() async throws {
        do {
            _ = try await store.latestEventSequence()
        } catch {
            throw NovaError(.unavailable, "the store does not answer: \(error)")
        }
    }
}
