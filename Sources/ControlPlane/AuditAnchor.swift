import Crypto
import Foundation
import Logging
import NovaCore
import ServiceLifecycle
import Synchronization

/// A signed statement that the audit chain's entry `sequence` had hash `hash` at `time`. The
/// hash chain alone shows an edit in the middle, but not a cut tail or a chain rewritten whole
/// with recomputed hashes; a checkpoint signed with a key the database does not hold does.
public struct AuditCheckpoint: Sendable, Hashable {
    public var sequence: Int64
    public var hash: String
    /// When it was signed, as RFC 3339 text (signed as written).
    public var time: String
    /// Base64 Ed25519 signature over `signedText`.
    public var signature: String

    var signedText: String { "novacron-audit-checkpoint:\(sequence):\(hash):\(time)" }

    public var value: Value {
        ["sequence": .int(Int(sequence)), "hash": .string(hash), "time": .string(time), "signature": .string(signature)]
    }

    init?(_ value: Value) {
        guard let sequence = value["sequence"]?.intValue, let hash = value["hash"]?.stringValue,
            let time = value["time"]?.stringValue, let signature = value["signature"]?.stringValue
        else { return nil }
        (self.sequence, self.hash, self.time, self.signature) = (Int64(sequence), hash, time, signature)
    }

    init(sequence: Int64, hash: String, time: String, signature: String) {
        (self.sequence, self.hash, self.time, self.signature) = (sequence, hash, time, signature)
    }
}

/// Anchors the audit chain: signs checkpoints of its head with a key kept outside the database,
/// appends them to a file (one JSON object a line, easy to ship elsewhere), checks the chain
/// against the last one, and remembers when the chain no longer holds so the control plane
/// refuses writes and `/readyz` says why.
public final class AuditAnchor: Sendable {
    let log: any AuditLog
    let key: Curve25519.Signing.PrivateKey
    let checkpointPath: String
    private let state = Mutex<(last: AuditCheckpoint?, problem: String?)>((nil, nil))

    /// Loads the signing key from `keyPath` (making one, mode 0600, when there is none) and the
    /// checkpoints already written to `checkpointPath`.
    public init(log: any AuditLog, keyPath: String, checkpointPath: String) throws {
        self.log = log
        self.checkpointPath = checkpointPath
        if let data = FileManager.default.contents(atPath: keyPath) {
            guard let raw = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else {
                throw NovaError(.invalidRequest, "\(keyPath) is not an audit signing key (base64 of a 32-byte Ed25519 key)")
            }
            self.key = key
        } else {
            key = Curve25519.Signing.PrivateKey()
            guard
                FileManager.default.createFile(
                    atPath: keyPath, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                    attributes: [.posixPermissions: 0o600])
            else {
                throw NovaError(.storage, "cannot write the audit signing key to \(keyPath)")
            }
        }
        state.withLock { $0.last = Self.readCheckpoints(checkpointPath).last }
    }

    /// The key's public half, base64: what a verifier elsewhere needs.
    public var publicKey: String { key.publicKey.rawRepresentation.base64EncodedString() }

    /// Why the chain no longer holds, once a check has found it broken.
    public var problem: String? { state.withLock { $0.problem } }
    public var lastCheckpoint: AuditCheckpoint? { state.withLock { $0.last } }

    static func readCheckpoints(_ path: String) -> [AuditCheckpoint] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            (try? Value(json: String(line))).flatMap(AuditCheckpoint.init)
        }
    }

    func isSigned(_ checkpoint: AuditCheckpoint) -> Bool {
        guard let signature = Data(base64Encoded: checkpoint.signature) else { return false }
        return key.publicKey.isValidSignature(signature, for: Data(checkpoint.signedText.utf8))
    }

    /// Checks the chain from the last checkpoint to its head and signs a checkpoint of the head
    /// if it moved. Returns the problem when the chain does not hold (and keeps it).
    @discardableResult
    public func checkpoint(at time: Date) async throws -> String? {
        if let problem { return problem }
        let last = lastCheckpoint
        var previous = last?.hash ?? AuditEntry.genesisHash
        var head: AuditEntry?
        var cursor = (last?.sequence ?? 0) - 1
        if let last {
            guard isSigned(last) else { return fail("the last audit checkpoint's signature does not verify with this server's key") }
            // The checkpointed entry must still be there, unchanged.
            let anchor = try await log.entries(after: last.sequence - 1, limit: 1).first
            if let problem = Self.compare(anchor, with: last) { return fail(problem) }
            head = anchor
            cursor = last.sequence
        }
        while true {
            let page = try await log.entries(after: max(cursor, 0), limit: 1_000)
            for entry in page {
                if entry.previousHash != previous || !entry.isIntact {
                    return fail("entry \(entry.sequence) does not hold after the signed checkpoint of entry \(last?.sequence ?? 0)")
                }
                previous = entry.hash
                head = entry
            }
            guard let end = page.last, page.count == 1_000 else { break }
            cursor = end.sequence
        }
        guard let head, head.sequence != last?.sequence else { return nil }
        try write(sign(head, at: time))
        return nil
    }

    /// The whole chain, then its tail against the last signed checkpoint.
    public func verify() async throws -> AuditVerification {
        var result = try await log.verify()
        guard result.isIntact, let last = lastCheckpoint else { return result }
        guard isSigned(last) else {
            result.firstBrokenSequence = last.sequence
            result.problem = "the last checkpoint's signature does not verify with this server's key"
            return result
        }
        let anchor = try await log.entries(after: last.sequence - 1, limit: 1).first
        if let problem = Self.compare(anchor, with: last) {
            result.firstBrokenSequence = anchor?.sequence ?? last.sequence
            result.problem = problem
        }
        return result
    }

    static func compare(_ entry: AuditEntry?, with checkpoint: AuditCheckpoint) -> String? {
        guard let entry, entry.sequence == checkpoint.sequence else {
            return "the log was truncated: a signed checkpoint covers entry \(checkpoint.sequence), which is gone"
        }
        guard entry.hash == checkpoint.hash else {
            return "the log was rewritten: entry \(checkpoint.sequence)'s hash differs from the one signed at \(checkpoint.time)"
        }
        return nil
    }

    func sign(_ entry: AuditEntry, at time: Date) throws -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(sequence: entry.sequence, hash: entry.hash, time: Timestamp.format(time), signature: "")
        checkpoint.signature = try key.signature(for: Data(checkpoint.signedText.utf8)).base64EncodedString()
        return checkpoint
    }

    private func write(_ checkpoint: AuditCheckpoint) throws {
        let line = Data((checkpoint.value.canonicalJSON + "\n").utf8)
        if !FileManager.default.fileExists(atPath: checkpointPath) {
            _ = FileManager.default.createFile(atPath: checkpointPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: checkpointPath) else { throw NovaError(.storage, "cannot append to \(checkpointPath)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        try handle.synchronize()
        state.withLock { $0.last = checkpoint }
    }

    private func fail(_ problem: String) -> String {
        state.withLock { $0.problem = problem }
        return problem
    }
}

/// Checkpoints the audit chain every `interval` (and once at start, which also checks the chain
/// against the last checkpoint before any write is taken).
public struct AuditAnchorService: Service {
    let anchor: AuditAnchor
    let clock: any WallClock
    let interval: Duration
    let logger: Logger

    public init(anchor: AuditAnchor, clock: any WallClock, interval: Duration = .seconds(30), logger: Logger) {
        (self.anchor, self.clock, self.interval, self.logger) = (anchor, clock, interval, logger)
    }

    /// Checkpoints until the server shuts down, then once more, so the last writes are covered.
    public func run() async throws {
        let (anchor, clock, interval, logger) = (anchor, clock, interval, logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if await Self.checkpoint(anchor, clock, logger) { return }
                try? await Task.sleep(for: interval)
            }
        }
        _ = await Self.checkpoint(anchor, clock, logger)
    }

    /// One checkpoint; true when the chain is found broken (nothing more to sign then).
    private static func checkpoint(_ anchor: AuditAnchor, _ clock: any WallClock, _ logger: Logger) async -> Bool {
        do {
            if let problem = try await anchor.checkpoint(at: clock.now) {
                logger.critical("the audit chain does not hold; writes are refused: \(problem)")
                return true
            }
        } catch {
            logger.error("audit checkpoint failed: \(error)")
        }
        return false
    }
}
