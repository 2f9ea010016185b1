import Foundation
import NovaCore

/// A JSON Schema (draft 4 to 7 keywords) checked and applied the way gojsonschema, which OPA
/// uses, reports: each failure with its field, a type and a description.
struct JSONSchema {
    struct Failure: Error { var message: String }

    static let primitiveTypes = ["array", "boolean", "integer", "number", "null", "object", "string"]

    let root: Value

    init(_ schema: Value) throws(Failure) {
        root = schema
        try Self.check(schema)
    }

    /// Refuses schemas with keywords of the wrong shape (the check `json.verify_schema` makes).
    static func check(_ schema: Value) throws(Failure) {
        guard case .object(let fields) = schema else {
            if case .bool = schema { return }
            throw Failure(message: "jsonschema: schema must be an object")
        }
        if let type = fields["type"] {
            let names: [Value] = type.arrayValue ?? [type]
            for name in names {
                guard let text = name.stringValue, primitiveTypes.contains(text) else {
                    throw Failure(
                        message:
                            "jsonschema: has a primitive type that is NOT VALID -- given: /\(name.stringValue ?? name.regoText)/ Expected valid values are:[\(primitiveTypes.joined(separator: " "))]"
                    )
                }
            }
        }
        for key in ["properties", "definitions", "patternProperties"] {
            for (_, sub) in fields[.string(key)]?.objectValue ?? [:] { try check(sub) }
        }
        for key in ["items", "additionalProperties", "not", "additionalItems"] {
            if let sub = fields[.string(key)] { for s in sub.arrayValue ?? [sub] { try check(s) } }
        }
        for key in ["allOf", "anyOf", "oneOf"] { for sub in fields[.string(key)]?.arrayValue ?? [] { try check(sub) } }
    }

    struct Problem {
        var field: String
        var type: String
        var description: String

        var value: Value {
            ["desc": .string(description), "error": .string("\(field): \(description)"), "field": .string(field), "type": .string(type)]
        }
    }

    func validate(_ document: Value) -> [Problem] {
        var problems: [Problem] = []
        validate(document, root, path: [], into: &problems)
        return problems
    }

    static func typeName(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isInteger ? "integer" : "number"
        case .string: "string"
        case .array, .set: "array"
        case .object: "object"
        }
    }

    func resolve(_ schema: Value) -> Value {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#") else { return schema }
        var current = root
        for part in ref.dropFirst().split(separator: "/") { current = current[String(part)] ?? .null }
        return current
    }

    func validate(_ value: Value, _ schemaValue: Value, path: [String], into problems: inout [Problem]) {
        let schema = resolve(schemaValue)
        let field = path.isEmpty ? "(root)" : path.joined(separator: ".")
        func fail(_ type: String, _ description: String) { problems.append(Problem(field: field, type: type, description: description)) }
        if case .bool(let allowed) = schema {
            if !allowed { fail("false", "False always fails validation") }
            return
        }
        guard case .object = schema else { return }
        if let type = schema["type"] {
            let allowed = (type.arrayValue ?? [type]).compactMap(\.stringValue)
            let actual = Self.typeName(value)
            if !allowed.contains(actual), !(actual == "integer" && allowed.contains("number")) {
                fail("invalid_type", "Invalid type. Expected: \(allowed.joined(separator: ", ")), given: \(actual)")
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            fail("enum", "\(field) must be one of the following: \(options.map(\.canonicalJSON).joined(separator: ", "))")
        }
        if let constant = schema["const"], constant != value { fail("const", "\(field) does not match: \(constant.canonicalJSON)") }
        switch value {
        case .number(let n):
            let x = n.doubleValue
            if let m = schema["minimum"]?.doubleValue, x < m { fail("number_gte", "Must be greater than or equal to \(m)") }
            if let m = schema["maximum"]?.doubleValue, x > m { fail("number_lte", "Must be less than or equal to \(m)") }
            if let m = schema["exclusiveMinimum"]?.doubleValue, x <= m { fail("number_gt", "Must be greater than \(m)") }
            if let m = schema["exclusiveMaximum"]?.doubleValue, x >= m { fail("number_lt", "Must be less than \(m)") }
            if let m = schema["multipleOf"]?.doubleValue, m != 0, (x / m).rounded() != x / m { fail("multiple_of", "Must be a multiple of \(m)") }
        case .string(let s):
            let length = s.unicodeScalars.count
            if let m = schema["minLength"]?.intValue, length < m { fail("string_gte", "String length must be greater than or equal to \(m)") }
            if let m = schema["maxLength"]?.intValue, length > m { fail("string_lte", "String length must be less than or equal to \(m)") }
            if let pattern = schema["pattern"]?.stringValue, let regex = try? Pattern.cached(pattern), !regex.matches(s) {
                fail("pattern", "Does not match pattern '\(pattern)'")
            }
        case .array(let items):
            if let m = schema["minItems"]?.intValue, items.count < m { fail("array_min_items", "Array must have at least \(m) items") }
            if let m = schema["maxItems"]?.intValue, items.count > m { fail("array_max_items", "Array must have at most \(m) items") }
            if schema["uniqueItems"]?.boolValue == true, Set(items).count != items.count { fail("unique", "array items must be unique") }
            if let itemSchemas = schema["items"]?.arrayValue {
                for (i, item) in items.enumerated() where i < itemSchemas.count { validate(item, itemSchemas[i], path: path + [String(i)], into: &problems) }
            } else if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { validate(item, itemSchema, path: path + [String(i)], into: &problems) }
            }
        case .object(let fields):
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[.string(required)] == nil {
                problems.append(Problem(field: field, type: "required", description: "\(required) is required"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (key, sub) in properties.sorted(by: { $0.key < $1.key }) {
                if let member = fields[key] { validate(member, sub, path: path + [key.stringValue ?? key.canonicalJSON], into: &problems) }
            }
            if let additional = schema["additionalProperties"] {
                for (key, member) in fields.sorted(by: { $0.key < $1.key }) where properties[key] == nil {
                    if case .bool(false) = additional {
                        fail("additional_property_not_allowed", "Additional property \(key.stringValue ?? key.canonicalJSON) is not allowed")
                    } else {
                        validate(member, additional, path: path + [key.stringValue ?? key.canonicalJSON], into: &problems)
                    }
                }
            }
            if let m = schema["minProperties"]?.intValue, fields.count < m { fail("array_min_properties", "Must have at least \(m) properties") }
            if let m = schema["maxProperties"]?.intValue, fields.count > m { fail("array_max_properties", "Must have at most \(m) properties") }
        default:
            break
        }
        for sub in schema["allOf"]?.arrayValue ?? [] { validate(value, sub, path: path, into: &problems) }
        if let options = schema["anyOf"]?.arrayValue {
            let matches = options.contains { option in
                var p: [Problem] = []; validate(value, option, path: path, into: &p); return p.isEmpty
            }
            if !matches { fail("number_any_of", "Must validate at least one schema (anyOf)") }
        }
        if let options = schema["oneOf"]?.arrayValue {
            let matches = options.filter { option in
                var p: [Problem] = []; validate(value, option, path: path, into: &p); return p.isEmpty
            }.count
            if matches != 1 { fail("number_one_of", "Must validate one and only one schema (oneOf)") }
        }
        if let negated = schema["not"] {
            var p: [Problem] = []
            validate(value, negated, path: path, into: &p)
            if p.isEmpty { fail("number_not", "Must not validate the schema (not)") }
        }
    }
}

extension Builtins {
    static let jsonSchema: [String: Builtin] = [
        "json.verify_schema": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let schema = try schemaValue(a, 0)
            do throws(JSONSchema.Failure) {
                _ = try JSONSchema(schema)
                return .array([true, .null])
            } catch {
                return .array([false, .string(error.message)])
            }
        },
        "json.match_schema": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let document = try schemaValue(a, 0), schemaDocument = try schemaValue(a, 1)
            let schema: JSONSchema
            do throws(JSONSchema.Failure) { schema = try JSONSchema(schemaDocument) } catch { throw a.failure(error.message) }
            let problems = schema.validate(document)
            return .array([.bool(problems.isEmpty), .array(problems.map(\.value))])
        },
    ]

    /// A JSON document given as a value or as JSON text.
    static func schemaValue(_ a: Arguments, _ i: Int) throws(RegoError) -> Value {
        guard case .string(let text) = a[i] else { return a[i] }
        do throws(NovaError) { return try JSONParser.parse(text) } catch { throw a.failure("invalid JSON: \(error.message)") }
    }
}
