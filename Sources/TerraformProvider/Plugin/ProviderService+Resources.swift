import Foundation
import GRPCCore
import NovaCore

extension ProviderService {
    func planResourceChange(
        request: Tfplugin6_PlanResourceChange.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_PlanResourceChange.Response
    {
        var response = Tfplugin6_PlanResourceChange.Response()
        do {
            let resource = try resource(named: request.typeName)
            let type = resource.schema.type
            let prior = try request.priorState.decode(as: type)
            let config = try request.config.decode(as: type)
            var change = ResourcePlanner.plan(
                schema: resource.schema, prior: prior, proposed: try request.proposedNewState.decode(as: type),
                config: config)
            if !change.planned.isNull { resource.modifyPlan(&change, prior: prior, config: config) }
            response.plannedState = try Tfplugin6_DynamicValue(change.planned, as: type)
            response.requiresReplace = change.requiresReplace.map(\.proto)
            response.plannedPrivate = request.priorPrivate
            response.diagnostics = change.diagnostics.map(\.proto)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func applyResourceChange(
        request: Tfplugin6_ApplyResourceChange.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ApplyResourceChange.Response
    {
        var response = Tfplugin6_ApplyResourceChange.Response()
        var diagnostics: [TerraformDiagnostic] = []
        do {
            let resource = try resource(named: request.typeName)
            let type = resource.schema.type
            let prior = try request.priorState.decode(as: type)
            let planned = try request.plannedState.decode(as: type)
            let operation = planned.isNull ? "delete" : prior.isNull ? "create" : "update"
            let timeouts = planned.isNull ? prior["timeouts"] : planned["timeouts"]
            let timeout = timeouts[operation].stringValue.flatMap(parseDuration) ?? (operation == "delete" ? .seconds(300) : .seconds(600))
            let operationContext = OperationContext(api: try provider.api(), timeout: timeout, isStopped: { [provider] in provider.isStopped })
            var newState = prior
            do {
                switch operation {
                case "delete":
                    try await resource.delete(state: prior, context: operationContext)
                    newState = .null
                case "create":
                    newState = try await resource.create(planned: planned, context: operationContext)
                default:
                    newState = try await resource.update(prior: prior, planned: planned, context: operationContext)
                }
            } catch {
                diagnostics += Self.diagnostics(for: error)
            }
            diagnostics += operationContext.diagnostics
            response.newState = try Tfplugin6_DynamicValue(newState, as: type)
        } catch {
            diagnostics += Self.diagnostics(for: error)
        }
        response.diagnostics = diagnostics.map(\.proto)
        return response
    }

    func readResource(request: Tfplugin6_ReadResource.Request, context: ServerContext) async throws -> Tfplugin6_ReadResource.Response {
        var response = Tfplugin6_ReadResource.Response()
        do {
            let resource = try resource(named: request.typeName)
            let type = resource.schema.type
            let current = try request.currentState.decode(as: type)
            let operationContext = OperationContext(api: try provider.api(), timeout: .seconds(60), isStopped: { [provider] in provider.isStopped })
            let state = try await resource.read(state: current, context: operationContext) ?? .null
            response.newState = try Tfplugin6_DynamicValue(state, as: type)
            response.private = request.private
            response.diagnostics = operationContext.diagnostics.map(\.proto)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func importResourceState(
        request: Tfplugin6_ImportResourceState.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_ImportResourceState.Response
    {
        var response = Tfplugin6_ImportResourceState.Response()
        do {
            guard let resource = try resource(named: request.typeName) as? any ResourceWithImportState else {
                throw DiagnosticsError(diagnostics: [.error("Import not supported", "\(request.typeName) cannot be imported.")])
            }
            var imported = Tfplugin6_ImportResourceState.ImportedResource()
            imported.typeName = request.typeName
            imported.state = try Tfplugin6_DynamicValue(try resource.importState(id: request.id), as: resource.schema.type)
            response.importedResources = [imported]
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func upgradeResourceState(
        request: Tfplugin6_UpgradeResourceState.Request, context: ServerContext
    ) async throws
        -> Tfplugin6_UpgradeResourceState.Response
    {
        var response = Tfplugin6_UpgradeResourceState.Response()
        do {
            let resource = try resource(named: request.typeName)
            let current = resource.schema.version
            guard request.version <= current else {
                throw DiagnosticsError(diagnostics: [
                    .error(
                        "State from a newer provider",
                        "This state was written by a provider whose \(request.typeName) schema is version \(request.version); this provider knows version \(current). Upgrade the provider."
                    )
                ])
            }
            guard !request.rawState.json.isEmpty else {
                throw DiagnosticsError(diagnostics: [
                    .error("Unsupported state format", "Only JSON state can be upgraded; this state is in the legacy flatmap format.")
                ])
            }
            var json = try Value(json: String(decoding: request.rawState.json, as: UTF8.self))
            if request.version < current, let upgradable = resource as? any ResourceWithUpgradeState {
                json = try upgradable.upgradeState(from: Int(request.version), json: json)
            }
            response.upgradedState = try Tfplugin6_DynamicValue(try TerraformValue(json: json, as: resource.schema.type), as: resource.schema.type)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }

    func readDataSource(request: Tfplugin6_ReadDataSource.Request, context: ServerContext) async throws -> Tfplugin6_ReadDataSource.Response {
        var response = Tfplugin6_ReadDataSource.Response()
        do {
            let source = try dataSource(named: request.typeName)
            let config = try request.config.decode(as: source.schema.type)
            let operationContext = OperationContext(api: try provider.api(), timeout: .seconds(60), isStopped: { [provider] in provider.isStopped })
            response.state = try Tfplugin6_DynamicValue(try await source.read(config: config, context: operationContext), as: source.schema.type)
            response.diagnostics = operationContext.diagnostics.map(\.proto)
        } catch {
            response.diagnostics = Self.diagnostics(for: error).map(\.proto)
        }
        return response
    }
}
