import Foundation
import NovaCore

/// Starts child processes from one thread that lives as long as the server. A child's
/// parent-death signal (`setpriv --pdeathsig`) fires when the *thread* that made it ends, and
/// the cooperative pool's threads come and go; this one never ends, so the signal means what it
/// says: the server died.
enum ProcessLauncher {
    static let thread = DedicatedThreads(name: "novacron.launcher", stackSize: 512 << 10)

    static func launch(_ process: Process) async throws {
        // Handed to the launcher thread and not touched elsewhere until `run()` has returned.
        try await thread.run { try process.run() }
    }
}
