import ControlPlane
import Hummingbird
import NovaCore

extension APIRoutes {
    /// The query parameters every write takes: who it writes for, why, and whether it takes over.
    static let writeQuery: [APIRoute.Parameter] = [
        .init(name: "managedBy", description: "the manager writing (cli, terraform, workflow:NAME…); recorded as metadata.managedBy"),
        .init(name: "reason", description: "why: recorded with the events and audit entries of the write"),
        .init(name: "force", description: "take over resources another manager owns (audited)", type: "boolean"),
    ]
}

extension Request {
    /// `managedBy`, `reason` and `force` from the query.
    func writeOptions() throws -> WriteOptions {
        let reason = query("reason")
        if let reason, reason.utf8.count > 1_024 { throw NovaError(.invalidRequest, "reason is limited to 1024 bytes") }
        return WriteOptions(manager: query("managedBy"), reason: reason, force: boolQuery("force"))
    }
}
