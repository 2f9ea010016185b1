import ControlPlane
import Foundation
import Hummingbird
import NovaCore

/// Finds the principal behind `Authorization: Bearer <key>`. Routes other than the public ones
/// (health, readiness, metrics, the OpenAPI document) answer 401 without a valid key.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = NovaRequestContext

    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    let controlPlane: ControlPlane
    /// The paths served without a key (`/metrics` leaves them with `--metrics-auth`).
    var publicPaths = AuthMiddleware.publicPaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw NovaError(.unauthenticated, "this route needs an API key: send Authorization: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw NovaError(.unauthenticated, "the Authorization header must be Bearer <key>")
        }
        guard let principal = try await controlPlane.authenticate(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw NovaError(.unauthenticated, "the API key is unknown or revoked")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}

extension NovaRequestContext {
    /// The caller; routes behind the auth middleware always have one.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw NovaError(.unauthenticated, "this route needs an API key") }
        return principal
    }
}
