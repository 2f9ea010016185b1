import GRPCCore

/// The protocol's other RPCs (ephemeral resources, functions, state stores, actions, list
/// resources, moves): the provider offers none of them, and says so as gRPC expects.
extension ProviderService {
    func upgradeResourceIdentity(
        request: Tfplugin6_UpgradeResourceIdentity.Request, context: ServerContext
    ) async throws -> Tfplugin6_UpgradeResourceIdentity.Response {
        throw Self.unimplemented("upgradeResourceIdentity")
    }

    func moveResourceState(request: Tfplugin6_MoveResourceState.Request, context: ServerContext) async throws -> Tfplugin6_MoveResourceState.Response {
        throw Self.unimplemented("moveResourceState")
    }

    func generateResourceConfig(
        request: Tfplugin6_GenerateResourceConfig.Request, context: ServerContext
    ) async throws -> Tfplugin6_GenerateResourceConfig.Response {
        throw Self.unimplemented("generateResourceConfig")
    }

    func validateEphemeralResourceConfig(
        request: Tfplugin6_ValidateEphemeralResourceConfig.Request, context: ServerContext
    ) async throws -> Tfplugin6_ValidateEphemeralResourceConfig.Response {
        throw Self.unimplemented("validateEphemeralResourceConfig")
    }

    func openEphemeralResource(
        request: Tfplugin6_OpenEphemeralResource.Request, context: ServerContext
    ) async throws -> Tfplugin6_OpenEphemeralResource.Response {
        throw Self.unimplemented("openEphemeralResource")
    }

    func renewEphemeralResource(
        request: Tfplugin6_RenewEphemeralResource.Request, context: ServerContext
    ) async throws -> Tfplugin6_RenewEphemeralResource.Response {
        throw Self.unimplemented("renewEphemeralResource")
    }

    func closeEphemeralResource(
        request: Tfplugin6_CloseEphemeralResource.Request, context: ServerContext
    ) async throws -> Tfplugin6_CloseEphemeralResource.Response {
        throw Self.unimplemented("closeEphemeralResource")
    }

    func listResource(request: Tfplugin6_ListResource.Request, response: RPCWriter<Tfplugin6_ListResource.Event>, context: ServerContext) async throws {
        throw Self.unimplemented("listResource")
    }

    func validateListResourceConfig(
        request: Tfplugin6_ValidateListResourceConfig.Request, context: ServerContext
    ) async throws -> Tfplugin6_ValidateListResourceConfig.Response {
        throw Self.unimplemented("validateListResourceConfig")
    }

    func getFunctions(request: Tfplugin6_GetFunctions.Request, context: ServerContext) async throws -> Tfplugin6_GetFunctions.Response {
        throw Self.unimplemented("getFunctions")
    }

    func callFunction(request: Tfplugin6_CallFunction.Request, context: ServerContext) async throws -> Tfplugin6_CallFunction.Response {
        throw Self.unimplemented("callFunction")
    }

    func validateStateStoreConfig(request: Tfplugin6_ValidateStateStore.Request, context: ServerContext) async throws -> Tfplugin6_ValidateStateStore.Response {
        throw Self.unimplemented("validateStateStoreConfig")
    }

    func configureStateStore(request: Tfplugin6_ConfigureStateStore.Request, context: ServerContext) async throws -> Tfplugin6_ConfigureStateStore.Response {
        throw Self.unimplemented("configureStateStore")
    }

    func readStateBytes(request: Tfplugin6_ReadStateBytes.Request, response: RPCWriter<Tfplugin6_ReadStateBytes.Response>, context: ServerContext) async throws
    {
        throw Self.unimplemented("readStateBytes")
    }

    func writeStateBytes(
        request: RPCAsyncSequence<Tfplugin6_WriteStateBytes.RequestChunk, any Swift.Error>, context: ServerContext
    ) async throws -> Tfplugin6_WriteStateBytes.Response {
        throw Self.unimplemented("writeStateBytes")
    }

    func lockState(request: Tfplugin6_LockState.Request, context: ServerContext) async throws -> Tfplugin6_LockState.Response {
        throw Self.unimplemented("lockState")
    }

    func unlockState(request: Tfplugin6_UnlockState.Request, context: ServerContext) async throws -> Tfplugin6_UnlockState.Response {
        throw Self.unimplemented("unlockState")
    }

    func getStates(request: Tfplugin6_GetStates.Request, context: ServerContext) async throws -> Tfplugin6_GetStates.Response {
        throw Self.unimplemented("getStates")
    }

    func deleteState(request: Tfplugin6_DeleteState.Request, context: ServerContext) async throws -> Tfplugin6_DeleteState.Response {
        throw Self.unimplemented("deleteState")
    }

    func planAction(request: Tfplugin6_PlanAction.Request, context: ServerContext) async throws -> Tfplugin6_PlanAction.Response {
        throw Self.unimplemented("planAction")
    }

    func invokeAction(request: Tfplugin6_InvokeAction.Request, response: RPCWriter<Tfplugin6_InvokeAction.Event>, context: ServerContext) async throws {
        throw Self.unimplemented("invokeAction")
    }

    func validateActionConfig(request: Tfplugin6_ValidateActionConfig.Request, context: ServerContext) async throws -> Tfplugin6_ValidateActionConfig.Response {
        throw Self.unimplemented("validateActionConfig")
    }

    static func unimplemented(_ method: String) -> RPCError {
        RPCError(code: .unimplemented, message: "the novacron provider does not implement \(method)")
    }
}
