import Foundation
import NovaCore

extension WorkflowDefinition {
    /// Reads and checks a definition document (plain, or shaped as a resource with `kind: Workflow`,
    /// `metadata.name` and `spec`). Every problem is reported, with its path: unknown fields,
    /// unknown actions, missing or cyclic dependencies, references to steps that may not have run.
    public init(document: Value, knownActions: Set<String>? = nil) throws(NovaError) {
        var body = document
        var name: String?
        if document["kind"] != nil || document["spec"] != nil {
            var wrapper = ObjectReader(document, at: "")
            _ = wrapper.string("apiVersion")
            if let kind = wrapper.string("kind"), kind != "Workflow" {
                wrapper.report("kind", code: "invalid_value", "must be Workflow, got \"\(kind)\"")
            }
            name =
                wrapper.object("metadata") { metadata in
                    let name = metadata.string("name", required: true)
                    _ = metadata.raw("labels"); _ = metadata.raw("annotations")
                    return name
                } ?? nil
            body = wrapper.raw("spec") ?? .emptyObject
            let problems = wrapper.finish()
            if !problems.isEmpty { throw NovaError.validation(problems, subject: "the workflow") }
        }
        var reader = ObjectReader(body, at: "")
        if let given = reader.string("name", required: name == nil) { name = given }
        let description = reader.string("description") ?? ""
        let inputs = reader.object("inputs") { Self.readInputs(&$0) } ?? [:]
        let defaultRetry = reader.object("retry") { Self.readRetry(&$0, base: .standard) } ?? .standard
        let steps = reader.array("steps") { value, path, diagnostics in
            Self.readStep(value, at: path, defaultRetry: defaultRetry, diagnostics: &diagnostics)
        }
        if steps.isEmpty, reader.diagnostics.isEmpty { reader.report("steps", code: "required_field", "must list at least one step") }
        let outputs = reader.raw("outputs") ?? .emptyObject
        let concurrency = reader.int("concurrency", in: 1...10_000)
        let deadline = Self.duration(&reader, "deadline")
        let sla = Self.duration(&reader, "sla")
        let slaNotify = reader.string("slaNotify")
        var diagnostics = reader.finish()
        let workflowName = name ?? ""
        if let name, !Self.isValidName(name) {
            diagnostics.append(Diagnostic(code: "invalid_value", message: "must be lower-case letters, digits and '-', 1–63 characters", path: "name"))
        }
        self.init(
            name: workflowName, description: description, inputs: inputs, steps: steps, outputs: outputs, concurrency: concurrency,
            deadline: deadline, sla: sla, source: document)
        self.slaNotify = slaNotify
        diagnostics += validate(knownActions: knownActions)
        if !diagnostics.isEmpty { throw NovaError.validation(diagnostics, subject: "workflow \(workflowName.isEmpty ? "(unnamed)" : workflowName)") }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" }
            && name.first != "-" && name.last != "-" && name.allSatisfy(\.isASCII)
    }

    static func duration(_ reader: inout ObjectReader, _ field: String) -> Double? {
        guard let value = reader.raw(field) else { return nil }
        if let number = value.doubleValue, number >= 0 { return number }
        if let text = value.stringValue, let seconds = DurationText.parse(text) { return seconds }
        reader.report(field, code: "invalid_value", "must be a duration such as 30s, 5m or 1h, got \(value.canonicalJSON)")
        return nil
    }

    private static func readInputs(_ reader: inout ObjectReader) -> [String: Input] {
        var inputs: [String: Input] = [:]
        reader.eachField { name, nested in
            let required = nested.bool("required") ?? false
            let defaultValue = nested.raw("default")
            let description = nested.string("description") ?? ""
            inputs[name] = Input(isRequired: required, defaultValue: defaultValue, description: description)
        }
        return inputs
    }

    static func readRetry(_ reader: inout ObjectReader, base: RetryPolicy) -> RetryPolicy {
        var policy = base
        let initial = duration(&reader, "initialInterval")
        if let initial { policy.initialInterval = initial }
        if let coefficient = reader.raw("backoffCoefficient") {
            if let c = coefficient.doubleValue, c >= 1 {
                policy.backoffCoefficient = c
            } else {
                reader.report("backoffCoefficient", code: "out_of_range", "must be a number ≥ 1")
            }
        }
        if let maxInterval = duration(&reader, "maxInterval") { policy.maxInterval = maxInterval } else if let initial { policy.maxInterval = initial * 100 }
        if let attempts = reader.int("maxAttempts", in: 1...1000) { policy.maxAttempts = attempts }
        if let jitter = reader.raw("jitter") {
            if let j = jitter.doubleValue, (0...1).contains(j) {
                policy.jitter = j
            } else {
                reader.report("jitter", code: "out_of_range", "must be a fraction between 0 and 1")
            }
        }
        let codes = reader.array("nonRetryable") { value, path, diagnostics -> String? in
            guard let code = value.stringValue else {
                diagnostics.append(Diagnostic(code: "invalid_type", message: "must be an error code string", path: path.text))
                return nil
            }
            return code
        }
        if !codes.isEmpty { policy.nonRetryable = codes }
        if policy.maxInterval < policy.initialInterval {
            reader.report("maxInterval", code: "out_of_range", "must not be shorter than initialInterval")
        }
        return policy
    }

    private static func readStep(_ value: Value, at path: FieldPath, defaultRetry: RetryPolicy, diagnostics: inout [Diagnostic]) -> StepDefinition? {
        var reader = ObjectReader(value, at: path)
        let name = reader.string("name", required: true) ?? ""
        if !name.isEmpty, !isValidName(name) {
            reader.report("name", code: "invalid_value", "must be lower-case letters, digits and '-', 1–63 characters")
        }
        let action = reader.string("action", required: true) ?? ""
        let inputs = reader.raw("inputs") ?? .emptyObject
        let dependsOn = reader.array("dependsOn") { value, path, diagnostics -> String? in
            guard let name = value.stringValue else {
                diagnostics.append(Diagnostic(code: "invalid_type", message: "must be a step name", path: path.text))
                return nil
            }
            return name
        }
        let retry = reader.object("retry") { readRetry(&$0, base: defaultRetry) } ?? defaultRetry
        let timeout = duration(&reader, "timeout")
        let heartbeat = duration(&reader, "heartbeatTimeout")
        let compensate =
            reader.object("compensate") { nested -> StepDefinition.Compensation? in
                guard let action = nested.string("action", required: true) else { return nil }
                return StepDefinition.Compensation(action: action, inputs: nested.raw("inputs") ?? .emptyObject)
            } ?? nil
        var when: StepCondition?
        if let text = reader.string("when") {
            do { when = try StepCondition(parsing: text) } catch { reader.report("when", code: error.code, error.message) }
        }
        var forEach: ReferencePath?
        if let text = reader.string("forEach") {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("${"), trimmed.hasSuffix("}") {
                do { forEach = try ReferencePath(parsing: String(trimmed.dropFirst(2).dropLast()).trimmingCharacters(in: .whitespaces)) } catch {
                    reader.report("forEach", code: error.code, error.message)
                }
            } else {
                reader.report("forEach", code: "invalid_value", "must be one reference to a list, such as ${inputs.names}")
            }
        }
        diagnostics += reader.finish()
        return StepDefinition(
            name: name, action: action, inputs: inputs, dependsOn: dependsOn, retry: retry, timeout: timeout,
            heartbeatTimeout: heartbeat, compensate: compensate, when: when, forEach: forEach)
    }
}
