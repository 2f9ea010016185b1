import ControlPlane
import Foundation
import NovaCore

/// How `novacron serve` runs.
public struct ServerConfiguration: Sendable {
    /// Which infrastructure the reconciler drives.
    public enum Driver: Sendable, Equatable {
        /// The seeded, in-process cluster.
        case simulator
        /// A libvirt host: any libvirt URI, and the storage pool for volumes and disks.
        case libvirt(uri: String, storagePool: String)
    }

    public var dataDirectory: String
    public var host: String
    /// 0 picks a free port (tests do this).
    public var port: Int
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Seed of the simulated cluster.
    public var seed: UInt64
    /// Between the reconciler's full resyncs (changes are worked as they are committed).
    public var reconcileInterval: Duration
    public var driver: Driver
    /// Programs workflow `command` steps may run; empty turns the action off (see `CommandAction`).
    public var allowedCommands: [String] = []
    /// Non-public ranges `http.request` and `notify` may reach (see `OutboundPolicy`).
    public var allowedHTTPRanges: [CIDR] = []
    /// Whether `/metrics` needs an API key (any valid one).
    public var metricsRequireKey = false
    /// Bounds on connections, applied before any key is checked (see `ConnectionGuard`).
    public var connectionLimits = ConnectionLimits()
    /// How long events and resource history are kept (the audit log is kept whole).
    public var retention = RetentionPolicy()

    public init(
        dataDirectory: String = ".novacron", host: String = "127.0.0.1", port: Int = 8080, tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil, seed: UInt64 = 42, reconcileInterval: Duration = .seconds(300), driver: Driver = .simulator
    ) {
        self.driver = driver
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.seed = seed
        self.reconcileInterval = reconcileInterval
    }

    /// The SQLite file inside the data directory.
    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("novacron.sqlite") }

    /// The key that signs audit checkpoints: outside the database, and best outside the data
    /// directory too (`--audit-key`), so whoever can rewrite the database cannot re-sign.
    public var auditKeyPath: String?
    /// Where signed audit checkpoints are appended (`--audit-checkpoints`; ship this file elsewhere).
    public var auditCheckpointPath: String?

    public var resolvedAuditKeyPath: String { auditKeyPath ?? (dataDirectory as NSString).appendingPathComponent("audit-signing.key") }
    public var resolvedAuditCheckpointPath: String {
        auditCheckpointPath ?? (dataDirectory as NSString).appendingPathComponent("audit-checkpoints.jsonl")
    }

    /// Where the first admin key is written, readable by the owner only.
    public var adminKeyPath: String { (dataDirectory as NSString).appendingPathComponent("admin.key") }
}
