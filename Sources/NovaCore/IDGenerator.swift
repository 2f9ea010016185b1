import Foundation
import Synchronization

/// Makes unique identifiers. Injected so tests get predictable ones.
public protocol IDGenerator: Sendable {
    func makeID() -> String
}

/// Random UUIDs, lower-case.
public struct UUIDGenerator: IDGenerator {
    public init() {}
    public func makeID() -> String { UUID().uuidString.lowercased() }
}

/// `prefix-1`, `prefix-2`, …: for tests.
public final class SequentialIDGenerator: IDGenerator {
    private let counter = Mutex(0)
    private let prefix: String

    public init(prefix: String = "id") { self.prefix = prefix }

    public func makeID() -> String {
        let n = counter.withLock { value -> Int in
            value += 1; return value
        }
        return "\(prefix)-\(n)"
    }
}
