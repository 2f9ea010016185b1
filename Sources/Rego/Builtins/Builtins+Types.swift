import NovaCore

extension Builtins {
    /// The request keys `http.send` accepts (OPA's list).
    static let httpSendKeys: Set<String> = [
        "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode", "headers", "raw_body", "tls_use_system_certs",
        "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert", "tls_client_cert_file", "tls_client_cert_env_variable",
        "tls_client_key", "tls_client_key_file", "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout",
        "cache", "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts", "cache_ignored_headers",
    ]

    static let types: [String: Builtin] = [
        // Policies may not reach the network from inside an evaluation: http.send exists so a
        // policy written for OPA compiles (and can be tested with `with http.send as …`), and
        // fails when actually called.
        "http.send": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            // The request is checked as OPA checks it, so a malformed one is the same error.
            let request = try a.object(0)
            let keys = Set(request.keys.compactMap(\.stringValue))
            let unknown = keys.subtracting(httpSendKeys)
            if !unknown.isEmpty { throw a.operandError("invalid request parameters(s): \(unknown.sorted())") }
            let missing = ["method", "url"].filter { !keys.contains($0) }
            if !missing.isEmpty { throw a.operandError("missing required request parameters(s): \(missing)") }
            throw a.failure("http.send is disabled: NovaCron policies do not make network calls")
        },
        // NovaCron embeds the engine; there is no OPA runtime configuration to report.
        "opa.runtime": Builtin(0) { (_: Arguments) throws(RegoError) -> Value? in .emptyObject },
        "type_name": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .string(v[0].typeName)
        },
        "is_string": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "string")
        },
        "is_number": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "number")
        },
        "is_boolean": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "boolean")
        },
        "is_array": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "array")
        },
        "is_object": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "object")
        },
        "is_set": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].typeName == "set")
        },
        "is_null": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(v[0].isNull)
        },
        "to_number": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            switch v[0] {
            case .number: return v[0]
            case .bool(let b): return .int(b ? 1 : 0)
            case .null: return .int(0)
            case .string(let s):
                if let i = Int(s) { return .int(i) }
                if let d = Double(s), d.isFinite, !s.lowercased().contains("n") { return .double(d) }
                // OPA refuses infinities and NaN as an operand error, other text as a failure.
                let lowered = s.lowercased()
                throw RegoError(lowered.contains("inf") || lowered.contains("nan") ? .evalType : .builtin, "to_number: invalid syntax: \(s)")
            default: throw typeError("to_number", 1, "any<boolean, null, number, string>", v[0])
            }
        },
    ]
}
