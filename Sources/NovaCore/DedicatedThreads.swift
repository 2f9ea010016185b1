import Foundation

/// Long-lived threads of their own that run jobs for async callers: for work that must not run
/// on Swift's cooperative pool, whose threads are few, small-stacked and come and go (deep
/// evaluation wants a large stack; a child process's parent-death signal wants a parent thread
/// that never ends). Jobs start in order on whichever thread is free.
///
/// `@unchecked Sendable`: `jobs` is only touched while `condition` is locked.
public final class DedicatedThreads: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    /// - Parameter setUp: runs once on each thread before its first job.
    public init(name: String, count: Int = 1, stackSize: Int, setUp: @escaping @Sendable () -> Void = {}) {
        for index in 0..<max(1, count) {
            let thread = Thread { [condition] in
                setUp()
                while true {
                    condition.lock()
                    while self.jobs.isEmpty { condition.wait() }
                    let job = self.jobs.removeFirst()
                    condition.unlock()
                    job()
                }
            }
            thread.stackSize = stackSize
            thread.name = count > 1 ? "\(name).\(index)" : name
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            enqueue { continuation.resume(returning: body()) }
        }
    }

    private func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }
}
