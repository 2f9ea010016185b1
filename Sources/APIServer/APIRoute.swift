import ControlPlane
import Hummingbird
import NovaCore

/// One route of the HTTP API: how it is matched, how it is described in the OpenAPI document,
/// and what handles it. The router and the OpenAPI document are both built from the same list,
/// so they cannot disagree.
struct APIRoute: Sendable {
    /// What a caller must hold before a route reads its body.
    enum Permission: Sendable {
        case verb(Verb, String)
        /// Some write (create or update) on some resource kind: `apply` learns the kinds from the
        /// body, and checks each one after reading it.
        case anyWrite
    }

    struct Parameter: Sendable {
        var name: String
        var description: String
        var type: String = "string"
    }

    var method: HTTPRequest.Method
    /// Hummingbird's form: `/v1/vms/:name`.
    var path: String
    var operationId: String
    var summary: String
    var tag: String
    var isPublic: Bool = false
    var query: [Parameter] = []
    /// The request body's schema name in the OpenAPI document, if the route takes one.
    var requestSchema: String?
    /// Status code and description of the success responses; the schema name, if any.
    var success: (status: Int, description: String, schema: String?)
    var errorStatuses: [Int] = []
    var produces: String = "application/json"
    /// Checked before the handler runs, so a caller without it never has its body read,
    /// parsed, validated or compiled.
    var permission: Permission?
    var handler: @Sendable (Request, NovaRequestContext) async throws -> Response

    /// The OpenAPI form of the path: `/v1/vms/{name}`.
    var openAPIPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }

    var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }
}
