import Foundation
import GRPCCore
import NovaCore

/// The tfplugin6 `Provider` service: decodes each request against the right schema, hands it
/// to the provider's resources, and encodes the answer. Problems come back as diagnostics,
/// never as RPC failures, so Terraform shows them to the user.
struct ProviderService: Tfplugin6_Provider.SimpleServiceProtocol {
    let provider: NovaCronProvider

    func getMetadata(request: Tfplugin6_GetMetadata.Request, context: ServerContext) async throws -> Tfplugin6_GetMetadata.Response {
        var response = Tfplugin6_GetMetadata.Response()
        response.serverCapabilities = capabilities
        response.resources = provider.resources.keys.sorted().map { name in
            var metadata = Tfplugin6_GetMetadata.ResourceMetadata()
            metadata.typeName = name
            return metadata
        }
        response.dataSources = provider.dataSources.keys.sorted().map { name in
            var metadata = Tfplugin6_GetMetadata.DataSourceMetadata()
            metadata.typeName = name
            return metadata
        }
        return response
    }

    func getProviderSchema(
        request: Tfplugin6_GetProviderSchema.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_GetProviderSchema.Response
    {
        var response = Tfplugin6_GetProviderSchema.Response()
        response.provider = provider.schema.proto
        response.resourceSchemas = provider.resources.mapValues(\.schema.proto)
        response.dataSourceSchemas = provider.dataSources.mapValues(\.schema.proto)
        response.serverCapabilities = capabilities
        return response
    }

    private var capabilities: Tfplugin6_ServerCapabilities {
        var capabilities = Tfplugin6_ServerCapabilities()
        capabilities.planDestroy = true
        return capabilities
    }

    func validateProviderConfig(
        request: Tfplugin6_ValidateProviderConfig.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ValidateProviderConfig.Response
    {
        var response = Tfplugin6_ValidateProviderConfig.Response()
        do {
            let config = try request.config.decode(as: provider.schema.type)
            if let endpoint = config["endpoint"].stringValue, URL(string: endpoint)?.host == nil {
                response.diagnostics = [
                    TerraformDiagnostic.error(
                        "Invalid endpoint", "\"\(endpoint)\" is not a URL such as http://127.0.0.1:8080.",
                        at: "endpoint"
                    ).proto
                ]
            }
        } catch {
            response.diagnostics = [Self.decodingProblem(error).proto]
        }
        return response
    }

    func configureProvider(
        request: Tfplugin6_ConfigureProvider.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ConfigureProvider.Response
    {
        var response = Tfplugin6_ConfigureProvider.Response()
        do {
            response.diagnostics = await provider.configure(try request.config.decode(as: provider.schema.type)).map(\.proto)
        } catch {
            response.diagnostics = [Self.decodingProblem(error).proto]
        }
        return response
    }

    func validateResourceConfig(
        request: Tfplugin6_ValidateResourceConfig.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ValidateResourceConfig.Response
    {
        var response = Tfplugin6_ValidateResourceConfig.Response()
        do {
            let resource = try resource(named: request.typeName)
            response.diagnostics = resource.validate(config: try request.config.decode(as: resource.schema.type)).map(\.proto)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func validateDataResourceConfig(
        request: Tfplugin6_ValidateDataResourceConfig.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ValidateDataResourceConfig.Response
    {
        var response = Tfplugin6_ValidateDataResourceConfig.Response()
        do {
            let source = try dataSource(named: request.typeName)
            _ = try request.config.decode(as: source.schema.type)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func getResourceIdentitySchemas(
        request: Tfplugin6_GetResourceIdentitySchemas.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_GetResourceIdentitySchemas.Response
    {
        Tfplugin6_GetResourceIdentitySchemas.Response()
    }

    func stopProvider(request: Tfplugin6_StopProvider.Request, context: ServerContext) async throws -> Tfplugin6_StopProvider.Response {
        provider.stop()
        return Tfplugin6_StopProvider.Response()
    }

    // MARK: - Helpers

    func resource(named name: String) throws -> any ManagedResource {
        guard let resource = provider.resources[name] else {
            throw DiagnosticsError(diagnostics: [.error("Unknown resource type", "The novacron provider has no resource \(name).")])
        }
        return resource
    }

    func dataSource(named name: String) throws -> any DataSource {
        guard let source = provider.dataSources[name] else {
            throw DiagnosticsError(diagnostics: [.error("Unknown data source", "The novacron provider has no data source \(name).")])
        }
        return source
    }

    static func diagnostics(for error: any Error) -> [TerraformDiagnostic] {
        if let error = error as? DiagnosticsError { return error.diagnostics }
        if error is CancellationError { return [.error("Cancelled", "Terraform stopped the operation.")] }
        return [decodingProblem(error)]
    }

    static func decodingProblem(_ error: any Error) -> TerraformDiagnostic {
        .error("The provider could not read a value from Terraform", String(describing: error))
    }
}
