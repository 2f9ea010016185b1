import Foundation
import NovaCore

/// Evaluation recurses (through continuations), so how deep it may go is bounded by the
/// thread's stack rather than a fixed count: an evaluation may use `budget` bytes of stack
/// below where it started and stops with an error instead of overflowing. The budget is small
/// on an arbitrary thread; `LargeStackExecutor` runs work on a thread with a large stack and a
/// budget to match (the CLI, the tests of deep policies and the policy engine's fallback).
public enum StackGuard {
    /// The thread's own budget when it has more stack than a pool thread (the large-stack
    /// executor's), as a thread-specific value: read on every evaluation, so it must be cheap
    /// (Foundation's thread dictionary cost about a microsecond).
    private static let budgetKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static func setBudget(_ bytes: Int) {
        pthread_setspecific(budgetKey, UnsafeRawPointer(bitPattern: bytes))
    }
    /// Safe on the smallest stacks Swift gives threads (512 KiB).
    static let defaultBudget = 384 * 1024

    /// The lowest stack address an evaluation starting here may use.
    static func floor() -> UInt {
        let budget = pthread_getspecific(budgetKey).map { Int(bitPattern: $0) } ?? defaultBudget
        let position = here()
        return position > UInt(budget) ? position - UInt(budget) : 0
    }

    /// The current stack position.
    @inline(__always)
    static func here() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}

/// Long-lived threads with large stacks that evaluate on behalf of async callers, so deep
/// policies evaluate the same in a server's tasks as on the command line. Jobs start in order,
/// on as many threads as the executor has (one by default: then they also finish in order).
public final class LargeStackExecutor: Sendable {
    private let threads: DedicatedThreads

    /// One for the process, for callers that do not need their own (its thread lives on).
    public static let shared = LargeStackExecutor(stackSize: 512 << 20, name: "novacron.rego.shared")

    public init(stackSize: Int = 256 << 20, name: String = "novacron.rego", threads: Int = 1) {
        self.threads = DedicatedThreads(name: name, count: threads, stackSize: stackSize) { StackGuard.setBudget(stackSize - (4 << 20)) }
    }

    /// Runs `body` on one of the executor's threads and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await threads.run(body)
    }
}
