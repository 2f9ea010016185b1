import NovaCore

/// The conformance and benchmark harnesses' engine contract: one JSON request in, one JSON
/// answer out (`{"result": [...]}`, `{"error", "code"}` or `{"unsupported"}`).
public enum EngineRequest {
    /// Answers one request.
    public static func answer(_ request: Value) -> Value {
        let version: Module.Version = request["rego_version"]?.stringValue == "v0" ? .v0 : .v1
        do throws(RegoError) {
            var modules: [Module] = []
            for (i, source) in (request["modules"]?.arrayValue ?? []).enumerated() {
                guard let text = source.stringValue else { return ["error": "modules must be strings"] }
                modules.append(try Parser.parseModule(text, file: "module\(i).rego", version: version))
            }
            var input = request["input"]
            if let term = request["input_term"]?.stringValue {
                let parsed = try PreparedQuery("x := \(term)", policy: try CompiledPolicy(modules: []), version: version).evaluate()
                guard let value = parsed.first?["x"] else { return ["unsupported": "input_term is not a constant term"] }
                input = value
            }
            let policy = try CompiledPolicy(modules: modules, data: request["data"] ?? .emptyObject)
            let query = try PreparedQuery(request["query"]?.stringValue ?? "", policy: policy, version: version)
            let rows = try query.evaluate(input: input, strictBuiltinErrors: request["strict_builtin_errors"]?.boolValue ?? false)
            return ["result": .array(rows.map { row in .object(row.mapValues(jsonShaped)) })]
        } catch {
            return ["error": .string(error.description), "code": .string(error.code.rawValue)]
        }
    }

    /// Sets as arrays, non-string object keys as their JSON text, as the contract asks.
    public static func jsonShaped(_ value: Value) -> Value {
        switch value {
        case .set(let items): return .array(items.sorted().map(jsonShaped))
        case .array(let items): return .array(items.map(jsonShaped))
        case .object(let fields):
            var result: [Value: Value] = [:]
            for (key, field) in fields { result[.string(key.stringValue ?? key.canonicalJSON)] = jsonShaped(field) }
            return .object(result)
        default: return value
        }
    }
}
