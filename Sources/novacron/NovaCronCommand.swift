import APIServer
import ArgumentParser

@main
struct NovaCronCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "novacron",
        abstract: "NovaCron: a declarative control plane for virtual-machine infrastructure.",
        version: NovaCronServer.version,
        subcommands: [
            ServeCommand.self, ApplyCommand.self, GetCommand.self, DeleteCommand.self, EventsCommand.self,
            APIKeyCommand.self, RoleCommand.self, AuditCommand.self, WorkflowCommand.self, ScheduleCommand.self, RegoCommand.self, PolicyCommand.self,
            MLCommand.self,
        ]
    )
}
