import GRPCCore

/// go-plugin's controller: Terraform calls `Shutdown` when it is done with the process.
struct ControllerService: Plugin_GRPCController.SimpleServiceProtocol {
    let onShutdown: @Sendable () -> Void

    func shutdown(request: Plugin_Empty, context: ServerContext) async throws -> Plugin_Empty {
        onShutdown()
        return Plugin_Empty()
    }
}
