import APIServer
import ArgumentParser
import CommandSupport
import ControlPlane
import Foundation
import Logging
import NovaCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the API server and reconciler on the embedded store and simulator.")

    @Option(name: .long, help: "Where the SQLite database and the admin key live.")
    var dataDir: String = ".novacron"

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(name: .long, help: "PEM certificate chain; with --tls-key, serve HTTPS.")
    var tlsCert: String?

    @Option(name: .long, help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .long, help: "Seed of the simulated cluster: the same seed gives the same history.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "simulator (default) or libvirt.")
    var driver: String = "simulator"

    @Option(name: .long, help: "With --driver libvirt: the libvirt URI, e.g. qemu:///system or qemu+ssh://host/system.")
    var libvirtURI: String = "qemu:///system"

    @Option(name: .long, help: "With --driver libvirt: the storage pool for volumes, templates and root disks.")
    var libvirtPool: String = "default"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("reconcile-interval"),
        help: "Seconds between the reconciler's full resyncs (every change is worked as it is committed or reported; this catches anything missed).")
    var reconcileInterval: Double = 300

    @Option(
        name: .customLong("allow-command"), help: "A program workflow `command` steps may run (repeat for each); none by default, which turns the action off.")
    var allowedCommands: [String] = []

    @Option(
        name: .customLong("audit-key"),
        help: "The key that signs audit checkpoints (made on first start; default: DATA-DIR/audit-signing.key). Keep it off the database's disk.")
    var auditKey: String?

    @Option(name: .customLong("audit-checkpoints"), help: "Where signed audit checkpoints are appended (default: DATA-DIR/audit-checkpoints.jsonl).")
    var auditCheckpoints: String?

    @Flag(name: .customLong("metrics-auth"), help: "Serve /metrics only to requests with a valid API key.")
    var metricsAuth = false

    @Option(
        name: .customLong("allow-http-to"),
        help: "A CIDR range `http.request` and `notify` may reach although it is loopback, link-local or private (repeat for each).")
    var allowedHTTPRanges: [String] = []

    @Option(name: .customLong("keep-events-days"), help: "Days events are kept (the audit log is always kept whole).")
    var keepEventsDays: Double = 7

    @Option(name: .customLong("keep-events"), help: "At most this many events are kept, the newest.")
    var keepEvents: Int = 100_000

    @Option(name: .customLong("keep-history-days"), help: "Days resource history is kept (each resource keeps its newest entry).")
    var keepHistoryDays: Double = 90

    @Option(name: .customLong("keep-history"), help: "At most this many history entries per resource, the newest.")
    var keepHistory: Int = 100

    func run() async throws {
        try await reportingErrors {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            var logger = Logger(label: "novacron")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let choice: ServerConfiguration.Driver
            switch driver {
            case "simulator": choice = .simulator
            case "libvirt": choice = .libvirt(uri: libvirtURI, storagePool: libvirtPool)
            default: throw NovaError(.invalidRequest, "--driver must be simulator or libvirt, got \(driver)")
            }
            var settings = ServerConfiguration(
                dataDirectory: dataDir, host: host, port: port, tlsCertificatePath: tlsCert,
                tlsKeyPath: tlsKey, seed: seed, driver: choice)
            guard reconcileInterval > 0, reconcileInterval <= 86_400 else {
                throw NovaError(.invalidRequest, "--reconcile-interval must be between 0 and 86400 seconds")
            }
            settings.reconcileInterval = .milliseconds(Int64(reconcileInterval * 1000))
            guard keepEventsDays > 0, keepHistoryDays > 0, keepEvents > 0, keepHistory > 0 else {
                throw NovaError(.invalidRequest, "--keep-events-days, --keep-events, --keep-history-days and --keep-history must be positive")
            }
            settings.retention = RetentionPolicy(
                eventAge: keepEventsDays * 86_400, eventCount: keepEvents, historyAge: keepHistoryDays * 86_400,
                historyPerResource: keepHistory)
            settings.allowedCommands = allowedCommands
            settings.metricsRequireKey = metricsAuth
            settings.auditKeyPath = auditKey
            settings.auditCheckpointPath = auditCheckpoints
            settings.allowedHTTPRanges = try allowedHTTPRanges.map { text in
                guard let range = CIDR(text) else { throw NovaError(.invalidRequest, "--allow-http-to needs a CIDR range such as 10.0.0.0/8, got \(text)") }
                return range
            }
            let configuration = settings
            let (server, issuedKey) = try await NovaCronServer.open(configuration, logger: logger)
            if issuedKey != nil {
                standardError("Created the first admin API key; it is in \(configuration.adminKeyPath) (readable by you only).")
            }
            let scheme = tlsCert == nil ? "http" : "https"
            try await server.run { port in
                let infrastructure = choice == .simulator ? "simulator seed \(configuration.seed)" : "libvirt \(libvirtURI)"
                standardError(
                    "NovaCron \(NovaCronServer.version) serving \(scheme)://\(configuration.host):\(port) (data: \(configuration.dataDirectory), \(infrastructure))"
                )
            }
        }
    }
}
