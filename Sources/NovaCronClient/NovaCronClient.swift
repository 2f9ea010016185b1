import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NovaCore

/// Talks to a NovaCron server over HTTP: what the CLI (and, later, other tools) use.
/// Server errors come back as `NovaError` with the server's code, message and diagnostics.
public struct NovaCronClient: Sendable {
    public let baseURL: String
    public let apiKey: String?
    private let http: HTTPClient
    private let timeout: TimeAmount

    /// A connection failure in a person's words; the transport's own description (NIO's
    /// nested error values) stays out of what users read.
    static func plainReason(_ error: any Error) -> String {
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "the connection was refused" }
        if text.contains("timeout") || text.contains("timed out") || text.contains("deadline") { return "no answer in time" }
        if text.contains("resolv") || text.contains("nxdomain") || text.contains("lookup") || text.contains("unknown host") {
            return "the host name does not resolve"
        }
        if text.contains("unreachable") { return "the network is unreachable" }
        if text.contains("tls") || text.contains("ssl") || text.contains("certificate") { return "the TLS handshake failed" }
        return "the connection failed"
    }

    public init(baseURL: String, apiKey: String?, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(60)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        http = httpClient
        self.timeout = timeout
    }

    /// A response: status, headers and the body parsed as JSON (nil when empty).
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Value?

        /// Admission warnings sent in `Warning` headers.
        public var warnings: [String] {
            headers.filter { $0.0.lowercased() == "warning" }.map { header in
                var text = header.1
                if let start = text.firstIndex(of: "\""), let end = text.lastIndex(of: "\""), start < end {
                    text = String(text[text.index(after: start)..<end])
                }
                return text
            }
        }
    }

    /// Sends a request; a non-2xx answer throws the server's error.
    @discardableResult
    public func send(_ method: HTTPMethod, _ path: String, json body: Value? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.canonicalJSON))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw NovaError(
                .unavailable,
                "cannot reach the NovaCron server at \(baseURL): \(Self.plainReason(error)). Is `novacron serve` running? (--server or NOVACRON_URL)",
                isRetryable: true)
        }
        let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let text = String(buffer: buffer)
        let value: Value? = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : try? Value(json: text)
        let reply = Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: value)
        guard (200..<300).contains(reply.status) else {
            var error = Self.error(from: reply, raw: text)
            if reply.status == 401, apiKey == nil {
                error.message =
                    "no API key was given: pass --api-key, set NOVACRON_API_KEY, or run where the server's data directory holds admin.key (--data-dir)"
            }
            throw error
        }
        return reply
    }

    /// Streams newline-delimited JSON (the event watch), calling `handle` for each line.
    public func stream(_ path: String, handle: (Value) async throws -> Void) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let response = try await http.execute(request, timeout: .hours(24))
        guard response.status.code == 200 else {
            let buffer = try await response.body.collect(upTo: 1024 * 1024)
            let text = String(buffer: buffer)
            throw Self.error(from: Reply(status: Int(response.status.code), headers: [], body: try? Value(json: text)), raw: text)
        }
        var pending = ""
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                if !line.isEmpty { try await handle(try Value(json: line)) }
            }
        }
    }

    static func error(from reply: Reply, raw: String) -> NovaError {
        guard let error = reply.body?["error"], let code = error["code"]?.stringValue else {
            return NovaError(.internal, "the server answered \(reply.status): \(raw.prefix(300))")
        }
        let diagnostics: [Diagnostic] =
            error["details"]?.arrayValue?.map { detail in
                var location: SourceLocation?
                if let line = detail["location"]?["line"]?.intValue, let column = detail["location"]?["column"]?.intValue {
                    location = SourceLocation(file: detail["location"]?["file"]?.stringValue, line: line, column: column)
                }
                return Diagnostic(
                    code: detail["code"]?.stringValue ?? "", message: detail["message"]?.stringValue ?? "",
                    path: detail["path"]?.stringValue, location: location)
            } ?? []
        return NovaError(ErrorCode(rawValue: code), error["message"]?.stringValue ?? "request failed", diagnostics: diagnostics)
    }
}

extension NovaCronClient {
    /// Fails fast, with a clear message, when nothing listens at the server's address. (The HTTP
    /// client itself keeps retrying a refused connection until the request's deadline.)
    public func checkReachable(within seconds: Int64 = 3) async throws {
        guard let url = URL(string: baseURL), let host = url.host else {
            throw NovaError(.invalidRequest, "\(baseURL) is not a server URL such as http://127.0.0.1:8080")
        }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(seconds))
                .connect(host: host, port: port).get()
            try? await channel.close()
        } catch {
            throw NovaError(
                .unavailable,
                "cannot reach the NovaCron server at \(baseURL): \(Self.plainReason(error)). Is `novacron serve` running? (--server or NOVACRON_URL)",
                isRetryable: true)
        }
    }
}
