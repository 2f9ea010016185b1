import Foundation
import HTTPTypes
import Hummingbird
import NovaCore

/// Builds the API's JSON responses and its one error shape:
/// `{"error": {"code", "message", "details": [diagnostics]}}`.
enum APIResponse {
    static func json(_ value: Value, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        var bytes = value.prettyJSONBytes
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ error: NovaError) -> Response {
        var body: [String: Value] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        body["details"] = .array(error.diagnostics.map(\.value))
        var headers: HTTPFields = [:]
        if error.code == .unauthenticated { headers[.wwwAuthenticate] = "Bearer realm=\"novacron\"" }
        return json(["error": .object(body)], status: status(for: error.code), headers: headers)
    }

    /// The HTTP status each stable error code answers with.
    static func status(for code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .invalidJSON, .invalidYAML, .invalidRequest: .badRequest
        case .validationFailed: .unprocessableContent
        case .unauthenticated: .unauthorized
        case .forbidden, .admissionDenied: .forbidden
        case .notFound, .routeNotFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .tooManyRequests: .tooManyRequests
        case .watchTooOld: .gone
        case .alreadyExists, .conflict, .managedElsewhere: .conflict
        case .unsupported: .unsupportedMediaType
        case .payloadTooLarge: .contentTooLarge
        case .unschedulable, .infrastructure: .badGateway
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }

    /// `Warning` headers (RFC 7234 code 299) for admission warnings, as Kubernetes sends them.
    static func warningHeaders(_ warnings: [Diagnostic]) -> HTTPFields {
        var headers = HTTPFields()
        for warning in warnings {
            let text = warning.description.replacingOccurrences(of: "\"", with: "'")
            headers.append(HTTPField(name: .warning, value: "299 novacron \"\(text)\""))
        }
        return headers
    }
}

extension HTTPField.Name {
    static let warning = HTTPField.Name("Warning")!
}
