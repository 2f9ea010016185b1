import ControlPlane
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Infrastructure
import Libvirt
import Logging
import NIOSSL
import NovaCore
import Persistence
import Policy
import ServiceLifecycle
import UnixSignals
import Workflow

/// The API server's front door: builds the store, control plane, reconciler and HTTP
/// application from a configuration, and runs them together.
public struct NovaCronServer: Sendable {
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    public let controlPlane: ControlPlane
    public let driver: any InfrastructureDriver
    public let reconciler: Reconciler
    public let workflows: WorkflowEngine
    public let scheduler: WorkflowScheduler
    /// The policy engine enforcing `kind: Policy` resources (nil when the control plane has none).
    public let policies: PolicyEngine?
    let metrics = APIMetrics()
    let connections: ConnectionRegistry
    let logger: Logger

    /// Opens the data directory (creating it), the SQLite store and the simulator, and makes the
    /// first admin key if the store has none.
    public static func open(
        _ configuration: ServerConfiguration, clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "novacron")
    ) async throws -> (server: NovaCronServer, issuedAdminKey: String?) {
        // The data directory holds the database and the admin key: its owner's alone.
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: configuration.dataDirectory)
        let store = try SQLiteStore(path: configuration.databasePath, kinds: ResourceKind.builtIn + [.policy])
        // SQLite gives its -wal and -shm files the database file's mode.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: configuration.databasePath + suffix) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configuration.databasePath + suffix)
        }
        let driver: any InfrastructureDriver
        switch configuration.driver {
        case .simulator:
            driver = SimulatedInfrastructure(configuration: SimulationConfiguration(seed: configuration.seed), clock: clock)
        case .libvirt(let uri, let pool):
            let libvirt = LibvirtDriver(uri: uri, storagePool: pool, clock: clock)
            try await libvirt.connect()
            driver = libvirt
        }
        let policies = PolicyEngine(records: store)
        let anchor = try AuditAnchor(log: store, keyPath: configuration.resolvedAuditKeyPath, checkpointPath: configuration.resolvedAuditCheckpointPath)
        let controlPlane = ControlPlane(
            store: store, auditLog: store, access: store, kinds: ResourceKind.builtIn + [.policy],
            admission: [PolicyAdmission(engine: policies)], clock: clock, auditAnchor: anchor, logger: logger)
        try await policies.attach(to: controlPlane)
        // Before any write: a chain that no longer matches its last signed checkpoint is found now.
        if let problem = try await anchor.checkpoint(at: clock.now) {
            logger.critical("the audit chain does not hold; the server refuses writes: \(problem)")
        }
        let server = NovaCronServer(
            configuration: configuration, controlPlane: controlPlane, driver: driver, workflowStore: store,
            scheduleStore: store, policies: policies, logger: logger)
        var issued: String?
        if let key = try await controlPlane.bootstrapAdminKey() {
            try AdminKeyFile.write(key.secret, to: configuration.adminKeyPath)
            issued = key.secret
            try await anchor.checkpoint(at: clock.now)
        }
        return (server, issued)
    }

    /// Assembles a server around an existing control plane and driver (tests use in-memory ones).
    public init(
        configuration: ServerConfiguration, controlPlane: ControlPlane, driver: any InfrastructureDriver,
        workflowStore: any WorkflowStore = InMemoryWorkflowStore(), scheduleStore: any ScheduleStore = InMemoryScheduleStore(),
        policies: PolicyEngine? = nil, logger: Logger = Logger(label: "novacron")
    ) {
        self.configuration = configuration
        connections = ConnectionRegistry(limits: configuration.connectionLimits)
        self.policies = policies
        self.controlPlane = controlPlane
        self.driver = driver
        self.logger = logger
        reconciler = Reconciler(controlPlane: controlPlane, driver: driver, interval: configuration.reconcileInterval, logger: logger)
        workflows = WorkflowEngine(
            store: workflowStore,
            actions: Self.actions(configuration, controlPlane: controlPlane),
            clock: controlPlane.clock, logger: logger)
        scheduler = WorkflowScheduler(engine: workflows, store: scheduleStore, clock: controlPlane.clock, triggers: controlPlane, logger: logger)
    }

    /// The workflow actions, confined as the configuration says: commands only from the
    /// allow-list and without the server's environment, HTTP only to public addresses and the
    /// allowed ranges, resource writes with the rights of whoever started the run.
    static func actions(_ configuration: ServerConfiguration, controlPlane: ControlPlane) -> [any WorkflowAction] {
        let outbound = OutboundPolicy(allowed: configuration.allowedHTTPRanges)
        let confined: [any WorkflowAction] = [
            CommandAction(allowedPrograms: configuration.allowedCommands), HTTPRequestAction(policy: outbound),
            NotifyAction(policy: outbound),
        ]
        let names = Set(confined.map(\.name))
        return WorkflowEngine.builtInActions.filter { !names.contains($0.name) } + confined
            + [ResourceApplyAction(controlPlane: controlPlane), ResourceDeleteAction(controlPlane: controlPlane)]
    }

    var routes: [APIRoute] {
        let base = APIRoutes(
            controlPlane: controlPlane, driver: driver, reconciler: reconciler, metrics: metrics, workflows: workflows,
            scheduler: scheduler, policies: policies
        ).all
        let document = OpenAPIDocument.make(routes: base + [Self.openAPIRoute(document: .null)], version: Self.version)
        return base + [Self.openAPIRoute(document: document)]
    }

    private static func openAPIRoute(document: Value) -> APIRoute {
        let text = document.prettyJSON
        return APIRoute(
            method: .get, path: "/openapi.json", operationId: "openAPI", summary: "This document", tag: "System", isPublic: true,
            success: (200, "The OpenAPI 3.1 document", nil)
        ) { _, _ in
            APIResponse.text(text, contentType: "application/json")
        }
    }

    /// The router with every route and middleware.
    public func makeRouter() -> Router<NovaRequestContext> {
        let router = Router(context: NovaRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        let routes = routes
        router.add(middleware: ErrorMiddleware(logger: logger, routes: routes.map { ($0.method, $0.path) }))
        router.add(
            middleware: AuthMiddleware(
                controlPlane: controlPlane,
                publicPaths: AuthMiddleware.publicPaths.subtracting(configuration.metricsRequireKey ? ["/metrics"] : [])))
        let controlPlane = controlPlane
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                if let permission = route.permission {
                    let principal = try context.requirePrincipal()
                    switch permission {
                    case .verb(let verb, let resource):
                        try await controlPlane.authorize(principal, verb, resource)
                    case .anyWrite:
                        let kinds = controlPlane.kinds.map(\.plural)
                        if !kinds.contains(where: { principal.isAllowed(.create, on: $0) || principal.isAllowed(.update, on: $0) }) {
                            try await controlPlane.authorize(principal, .create, kinds.first ?? "*")
                        }
                    }
                }
                return try await route.handler(request, context)
            }
        }
        return router
    }

    /// The OpenAPI document this server serves.
    public var openAPIDocument: Value {
        OpenAPIDocument.make(routes: routes, version: Self.version)
    }

    /// The HTTP application (TLS when the configuration names a certificate and key).
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let serverBuilder: HTTPServerBuilder
        let connections = connections
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionGuard(registry: connections)],
                idleTimeout: configuration.connectionLimits.idleTimeout))
        if let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
                let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
                serverBuilder = try .tls(
                    http1,
                    tlsConfiguration: .makeServerConfiguration(
                        certificateChain: chain.map { .certificate($0) },
                        privateKey: .privateKey(key)))
            } catch {
                throw NovaError(.invalidRequest, "cannot load TLS certificate \(certificatePath) or key \(keyPath): \(error)")
            }
        } else if configuration.tlsCertificatePath != nil || configuration.tlsKeyPath != nil {
            throw NovaError(.invalidRequest, "TLS needs both --tls-cert and --tls-key")
        } else {
            serverBuilder = http1
        }
        return Application(
            router: makeRouter(), server: serverBuilder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "novacron"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs the HTTP server, the reconciler, the workflow engine and its scheduler until SIGINT or SIGTERM.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = try makeApplication(onServerRunning: onServerRunning)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app), .init(service: reconciler), .init(service: workflows),
            .init(service: scheduler),
        ]
        if let anchor = controlPlane.auditAnchor {
            services.append(.init(service: AuditAnchorService(anchor: anchor, clock: controlPlane.clock, logger: logger)))
        }
        services.append(.init(service: RetentionService(controlPlane: controlPlane, policy: configuration.retention, logger: logger)))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The first admin key, in a file only its owner can read.
enum AdminKeyFile {
    static func write(_ key: String, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
