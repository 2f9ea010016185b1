import Foundation
import Infrastructure
import NovaCore
import Synchronization

/// A driver that passes every call on, counting how many calls for one resource are in flight
/// at once (the reconciler must never work one resource in two places).
public final class ConcurrencyWatchingDriver: InfrastructureDriver {
    private let inner: any InfrastructureDriver
    private let state = Mutex<(inFlight: [String: Int], maximum: Int)>(([:], 0))

    public init(wrapping inner: any InfrastructureDriver) { self.inner = inner }

    public var name: String { inner.name }
    /// The most calls ever in flight at once for a single resource.
    public var maximumConcurrent: Int { state.withLock { $0.maximum } }

    private func watching<T>(_ key: String, _ body: () async throws -> T) async throws -> T {
        state.withLock { state in
            state.inFlight[key, default: 0] += 1
            state.maximum = max(state.maximum, state.inFlight[key]!)
        }
        defer { state.withLock { $0.inFlight[key, default: 1] -= 1 } }
        return try await body()
    }

    public func observe(_ kind: ResourceKind, name: String) async throws -> ObservedResource? {
        try await watching("\(kind.name)/\(name)") { try await inner.observe(kind, name: name) }
    }
    public func observeAll() async throws -> [ObservedResource] { try await inner.observeAll() }
    public func create(_ resource: Resource) async throws -> ObservedResource {
        try await watching(resource.reference) { try await inner.create(resource) }
    }
    public func update(_ resource: Resource) async throws -> ObservedResource {
        try await watching(resource.reference) { try await inner.update(resource) }
    }
    public func delete(_ kind: ResourceKind, name: String) async throws {
        try await watching("\(kind.name)/\(name)") { try await inner.delete(kind, name: name) }
    }
    public func perform(_ action: PowerAction, onVM name: String) async throws -> ObservedResource {
        try await watching("VM/\(name)") { try await inner.perform(action, onVM: name) }
    }
    public func telemetry(forVM name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        try await inner.telemetry(forVM: name, from: start, to: end)
    }
}
