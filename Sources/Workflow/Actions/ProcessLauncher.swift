import Foundation

/// Starts child processes from one thread that lives as long as the server. A child's
/// parent-death signal (`setpriv --pdeathsig`) fires when the *thread* that made it ends, and
/// the cooperative pool's threads come and go; this one never ends, so the signal means what it
/// says: the server died.
///
/// `@unchecked Sendable`: `jobs` is only touched while `condition` is locked.
final class ProcessLauncher: @unchecked Sendable {
    static let shared = ProcessLauncher()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [condition] in
            while true {
                condition.lock()
                while self.jobs.isEmpty { condition.wait() }
                let job = self.jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "novacron.launcher"
        thread.stackSize = 512 << 10
        thread.start()
    }

    func launch(_ process: Process) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            jobs.append { continuation.resume(with: Result { try process.run() }) }
            condition.signal()
            condition.unlock()
        }
    }
}
