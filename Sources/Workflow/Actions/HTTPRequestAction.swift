import Foundation
import NovaCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Makes an HTTP request. Input: `url`, `method` (GET), `headers` (map), `body` (a string is
/// sent as is; anything else as JSON), `timeout` (seconds, default 30), `expectStatus` (list;
/// default any 2xx). Output: `status`, `headers`, `body` (parsed when the reply is JSON).
/// 5xx, 429 and network errors may be retried; other statuses fail at once.
///
/// The target must pass `policy` (see `OutboundPolicy`), and so must every redirect's.
public struct HTTPRequestAction: WorkflowAction {
    public let policy: OutboundPolicy
    let session: URLSession

    public init(policy: OutboundPolicy = .unrestricted) {
        self.policy = policy
        session = policy.allowsEverything ? .shared : URLSession(configuration: .ephemeral, delegate: RedirectGuard(policy: policy), delegateQueue: nil)
    }
    public var name: String { "http.request" }

    /// Follows a redirect only to a target the policy allows; otherwise the redirect itself is
    /// the answer (and fails the step unless expected).
    final class RedirectGuard: NSObject, URLSessionTaskDelegate, Sendable {
        let policy: OutboundPolicy
        init(policy: OutboundPolicy) { self.policy = policy }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            guard let url = request.url, (try? policy.check(url)) != nil else { return completionHandler(nil) }
            completionHandler(request)
        }
    }

    /// URLSession's completion-handler API with cancellation of our own. Foundation's async
    /// `data(for:)` cancels with `URLSessionTask.cancel()` inside the runtime's task-status lock,
    /// and that call waits on the session's queue — where a finishing transfer may be waiting
    /// for the same lock to resume the task: a deadlock seen in this suite. Here cancelling only
    /// schedules `cancel()` elsewhere.
    static func fetch(_ request: URLRequest, session: URLSession = .shared) async throws -> (Data, URLResponse) {
        // `@unchecked Sendable`: `task` and `cancelled` are only touched while `lock` is held.
        final class Pending: @unchecked Sendable {
            let lock = NSLock()
            var task: URLSessionDataTask?
            var cancelled = false
        }
        let pending = Pending()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let data, let response {
                        continuation.resume(returning: (data, response))
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                let cancelled = pending.lock.withLock { () -> Bool in
                    pending.task = task
                    return pending.cancelled
                }
                task.resume()
                if cancelled { DispatchQueue.global().async { task.cancel() } }
            }
        } onCancel: {
            let task = pending.lock.withLock { () -> URLSessionDataTask? in
                pending.cancelled = true
                return pending.task
            }
            if let task { DispatchQueue.global().async { task.cancel() } }
        }
    }

    public func run(_ input: Value, context: ActionContext) async throws -> Value {
        let request = try Self.makeRequest(input, idempotencyKey: context.idempotencyKey)
        if let url = request.url { try policy.check(url) }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await Self.fetch(request, session: session)
        } catch {
            throw StepError(
                code: "http_unreachable", message: "\(request.httpMethod ?? "GET") \(request.url?.absoluteString ?? ""): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw StepError(code: "http_error", message: "not an HTTP response") }
        var headers: [String: Value] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String { headers[key.lowercased()] = .string("\(value)") }
        }
        let text = String(decoding: data, as: UTF8.self)
        let body: Value = (try? Value(json: text)) ?? .string(text)
        let output: Value = ["status": .int(http.statusCode), "headers": .object(headers), "body": body]
        let expected = input["expectStatus"]?.arrayValue?.compactMap(\.intValue)
        let ok = expected.map { $0.contains(http.statusCode) } ?? (200..<300).contains(http.statusCode)
        guard ok else {
            let retryable = http.statusCode >= 500 || http.statusCode == 429
            throw StepError(
                code: "http_status", message: "\(request.httpMethod ?? "GET") \(request.url?.absoluteString ?? "") answered \(http.statusCode)",
                isRetryable: retryable)
        }
        return output
    }

    static func makeRequest(_ input: Value, idempotencyKey: String) throws -> URLRequest {
        guard let text = input["url"]?.stringValue, let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw StepError(code: "invalid_input", message: "http.request needs an http or https url", isRetryable: false)
        }
        var request = URLRequest(url: url)
        request.httpMethod = (input["method"]?.stringValue ?? "GET").uppercased()
        request.timeoutInterval = input["timeout"]?.doubleValue ?? 30
        request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        for (key, value) in input["headers"]?.objectValue ?? [:] {
            if let key = key.stringValue { request.setValue(value.stringValue ?? value.canonicalJSON, forHTTPHeaderField: key) }
        }
        if let body = input["body"], !body.isNull {
            if let text = body.stringValue {
                request.httpBody = Data(text.utf8)
            } else {
                request.httpBody = body.canonicalJSONData
                if request.value(forHTTPHeaderField: "Content-Type") == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
            }
        }
        return request
    }
}
