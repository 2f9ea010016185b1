import Foundation
import Hummingbird
import NovaCore

/// Reads request bodies as documents: JSON by default, YAML (several documents allowed) when the
/// Content-Type says so. Errors name the line and column.
enum RequestBody {
    static func text(of request: Request, context: NovaRequestContext) async throws -> String {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        // Strictly: a byte that is not UTF-8 is refused, never replaced by U+FFFD.
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw NovaError(.invalidRequest, "the request body is not valid UTF-8 text")
        }
        return text
    }

    static func isYAML(_ request: Request) -> Bool {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        return type.contains("yaml")
    }

    /// How many documents one request may carry: one batch is one transaction, and a batch of
    /// 60,000 held the server for half a minute.
    static let maximumDocuments = 1_000

    /// The body as a list of documents: a JSON object, a JSON array, `{"items": [...]}`, or a
    /// YAML stream.
    static func documents(of request: Request, context: NovaRequestContext) async throws -> [Value] {
        let text = try await text(of: request, context: context)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw NovaError(.invalidRequest, "the request body is empty")
        }
        let documents: [Value]
        if isYAML(request) {
            documents = try Value.parseYAMLDocuments(text, file: "request body").map(\.value).filter { !$0.isNull }
        } else {
            let value = try Value(json: text, file: "request body")
            if case .array(let items) = value {
                documents = items
            } else if let items = value["items"]?.arrayValue, value.objectValue?.count == 1 {
                documents = items
            } else {
                documents = [value]
            }
        }
        guard documents.count <= maximumDocuments else {
            throw NovaError(
                .payloadTooLarge, "a request may carry at most \(maximumDocuments) documents, this one has \(documents.count); send them in batches")
        }
        return documents
    }

    /// The body as exactly one document.
    static func document(of request: Request, context: NovaRequestContext) async throws -> Value {
        let text = try await text(of: request, context: context)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw NovaError(.invalidRequest, "the request body is empty")
        }
        if isYAML(request) { return try Value(yaml: text, file: "request body") }
        return try Value(json: text, file: "request body")
    }
}

extension Request {
    func query(_ name: String) -> String? { uri.queryParameters.get(name) }

    func intQuery(_ name: String, default value: Int) throws -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text) else { throw NovaError(.invalidRequest, "query parameter \(name) must be an integer, got \"\(text)\"") }
        return number
    }

    func boolQuery(_ name: String) -> Bool {
        guard let text = query(name)?.lowercased() else { return false }
        return text == "true" || text == "1" || text == "yes" || text.isEmpty
    }
}
