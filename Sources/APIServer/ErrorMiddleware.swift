import Hummingbird
import Logging
import NovaCore

/// Turns every failure into the API's JSON error shape, so no client ever sees an HTML page or a
/// bare status. Unexpected errors are logged and answered as `internal_error` without detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as NovaError {
            return APIResponse.error(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                return APIResponse.error(NovaError(.routeNotFound, "no route for \(request.method) \(request.uri.path)"))
                    .with(status: .notFound)
            case .contentTooLarge:
                return APIResponse.error(NovaError(.payloadTooLarge, "the request body is larger than the server accepts"))
            case .methodNotAllowed:
                return APIResponse.error(NovaError(.invalidRequest, "\(request.method) is not allowed on \(request.uri.path)")).with(status: .methodNotAllowed)
            default:
                return APIResponse.error(NovaError(.invalidRequest, error.body ?? "\(error.status)")).with(status: error.status)
            }
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
