import Foundation
import NovaCore
import NovaCronClient
import Synchronization

/// The `novacron` provider: its configuration schema, its resources and data sources, and the
/// API client its configuration yields.
final class NovaCronProvider: Sendable {
    static let version = "0.1.0"

    let schema = Schema(
        description: "Manages NovaCron: VMs, networks, storage and policies.",
        attributes: [
            .optional("endpoint", .string, "NovaCron API URL, e.g. http://127.0.0.1:8080. Defaults to NOVACRON_URL."),
            Attribute.optional("api_key", .string, "API key. Defaults to NOVACRON_API_KEY.").sensitive(),
        ])

    let resources: [String: any ManagedResource]
    let dataSources: [String: any DataSource]
    private let configured = Mutex<NovaCronAPI?>(nil)
    private let stopped = Mutex(false)

    /// Terraform's StopProvider: waits in flight end at their next poll.
    func stop() { stopped.withLock { $0 = true } }
    var isStopped: Bool { stopped.withLock { $0 } }
    private let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        let managed: [any ManagedResource] = [
            KindResource<VMMapping>(), KindResource<NetworkMapping>(), KindResource<StorageMapping>(), KindResource<PolicyMapping>(),
        ]
        resources = Dictionary(uniqueKeysWithValues: managed.map { ($0.typeName, $0) })
        let sources: [any DataSource] = [KindDataSource<VMMapping>(), KindDataSource<NetworkMapping>(), KindDataSource<TemplateMapping>()]
        dataSources = Dictionary(uniqueKeysWithValues: sources.map { ($0.typeName, $0) })
    }

    /// Checks and adopts the provider block; unknown values (from other resources) are refused
    /// as Terraform's own providers refuse them.
    func configure(_ config: TerraformValue) async -> [TerraformDiagnostic] {
        if config["endpoint"] == .unknown || config["api_key"] == .unknown {
            return [.error("Provider configuration is not known yet", "endpoint and api_key must be known at plan time.")]
        }
        let endpoint = config["endpoint"].stringValue ?? environment["NOVACRON_URL"]
        let key = config["api_key"].stringValue ?? environment["NOVACRON_API_KEY"]
        guard let endpoint, !endpoint.isEmpty else {
            return [.error("No NovaCron endpoint", "Set endpoint in the provider block or NOVACRON_URL, e.g. http://127.0.0.1:8080.", at: "endpoint")]
        }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            return [.error("Invalid endpoint", "\"\(endpoint)\" is not an http(s) URL such as http://127.0.0.1:8080.", at: "endpoint")]
        }
        let client = NovaCronClient(baseURL: endpoint, apiKey: key?.isEmpty == false ? key : nil)
        do {
            try await client.checkReachable()
        } catch {
            return NovaCronAPI.diagnostics(for: error, action: "connect")
        }
        configured.withLock { $0 = NovaCronAPI(client: client) }
        return []
    }

    /// The configured API, or a diagnostic saying the provider was not configured.
    func api() throws -> NovaCronAPI {
        guard let api = configured.withLock({ $0 }) else {
            throw DiagnosticsError(diagnostics: [.error("Provider not configured", "ConfigureProvider has not been called.")])
        }
        return api
    }
}
