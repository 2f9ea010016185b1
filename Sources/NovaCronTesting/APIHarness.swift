import APIServer
import ControlPlane
import Foundation
import Hummingbird
import HummingbirdTesting
import NovaCore
import Policy
import Workflow

/// A server on in-memory stores with one key per built-in role.
public struct APIHarness: Sendable {
    public let environment: TestEnvironment
    public let server: NovaCronServer
    public let adminKey: String
    public let operatorKey: String
    public let viewerKey: String

    /// Workflows' HTTP steps may reach loopback (the tests' own servers) unless told otherwise.
    public static func make(
        admission: [any AdmissionController] = [], policies: Bool = false,
        allowedHTTPRanges: [CIDR] = [CIDR("127.0.0.0/8")!]
    ) async throws -> APIHarness {
        let engine = policies ? PolicyEngine() : nil
        let environment = TestEnvironment(
            admission: admission + (engine.map { [PolicyAdmission(engine: $0)] } ?? []),
            kinds: ResourceKind.builtIn + (policies ? [.policy] : []))
        try await engine?.attach(to: environment.controlPlane)
        var configuration = ServerConfiguration(dataDirectory: "/nonexistent", port: 0)
        configuration.allowedHTTPRanges = allowedHTTPRanges
        let server = NovaCronServer(
            configuration: configuration,
            controlPlane: environment.controlPlane, driver: environment.simulator, policies: engine)
        let cp = environment.controlPlane
        return APIHarness(
            environment: environment, server: server,
            adminKey: try await cp.createAPIKey(name: "admin", roleName: "admin", as: .system("test")).secret,
            operatorKey: try await cp.createAPIKey(name: "ops", roleName: "operator", as: .system("test")).secret,
            viewerKey: try await cp.createAPIKey(name: "dash", roleName: "viewer", as: .system("test")).secret)
    }

    /// Runs `body` against the application, with the workflow engine and scheduler running beside it.
    public func withClient(_ mode: TestingSetup = .router, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        let engine = server.workflows, scheduler = server.scheduler
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            group.addTask { try await scheduler.run() }
            try await server.makeApplication().test(mode) { client in try await body(client) }
            group.cancelAll()
        }
    }
}

extension TestClientProtocol {
    /// Sends a request with a bearer key and a JSON or raw body; returns status and parsed body.
    public func call(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, json: Value? = nil, raw: String? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: Value?, headers: HTTPFields) {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let text = raw ?? json?.canonicalJSON {
            headers[.contentType] = contentType
            body = ByteBuffer(string: text)
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            return (Int(response.status.code), try? Value(json: text), response.headers)
        }
    }
}
