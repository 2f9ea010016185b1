import Hummingbird
import Logging
import NIOCore
import NovaCore

/// Turns every failure into the API's JSON error shape, so no client ever sees an HTML page or a
/// bare status. Unexpected errors are logged and answered as `internal_error` without detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// Every route's method and path template, to tell "no such path" (404) from "not with
    /// this method" (405, with `Allow`).
    var routes: [(method: HTTPRequest.Method, path: String)] = []

    func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        return routes.filter { route in
            let template = route.path.split(separator: "/")
            return template.count == segments.count && zip(template, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }.map(\.method)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as NovaError {
            return APIResponse.error(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                let allowed = allowedMethods(for: request.uri.path)
                if !allowed.isEmpty {
                    var response = APIResponse.error(
                        NovaError(
                            .methodNotAllowed,
                            "\(request.method) is not allowed on \(request.uri.path); it takes \(allowed.map(\.rawValue).joined(separator: ", "))")
                    )
                    .with(status: .methodNotAllowed)
                    response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                    return response
                }
                return APIResponse.error(NovaError(.routeNotFound, "no route for \(request.method) \(request.uri.path)"))
                    .with(status: .notFound)
            case .contentTooLarge:
                return APIResponse.error(NovaError(.payloadTooLarge, "the request body is larger than the server accepts"))
            case .methodNotAllowed:
                return APIResponse.error(NovaError(.invalidRequest, "\(request.method) is not allowed on \(request.uri.path)")).with(status: .methodNotAllowed)
            default:
                return APIResponse.error(NovaError(.invalidRequest, error.body ?? "\(error.status)")).with(status: error.status)
            }
        } catch is NIOTooManyBytesError {
            return APIResponse.error(NovaError(.payloadTooLarge, "the request body is larger than the server accepts (16 MiB)"))
        } catch {
            logger.error("unhandled error for \(request.method) \(request.uri.path): \(error)")
            return APIResponse.error(NovaError(.internal, "the server failed to handle the request; see its log"))
        }
    }
}

extension Response {
    func with(status: HTTPResponse.Status) -> Response {
        var copy = self
        copy.status = status
        return copy
    }
}
