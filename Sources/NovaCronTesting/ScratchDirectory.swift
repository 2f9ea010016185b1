import Foundation

/// Directories tests write into (databases, certificates, node descriptions): each one new,
/// all below one directory per test process, which is removed when the process exits, so a
/// test run leaves nothing in the system's temporary directory.
public enum ScratchDirectory {
    /// `<tmp>/novacron-tests-<pid>`, created on first use; its removal is registered then.
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("novacron-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchDirectory.root) }
        return root
    }()

    /// A new empty directory named `<label>-<uuid>`.
    public static func make(_ label: String) throws -> URL {
        let directory = root.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
