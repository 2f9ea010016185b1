import Foundation
import NovaCore

/// A type in Terraform's type system (cty), as schemas declare attributes and as values are
/// decoded against. Its JSON form (`"string"`, `["list","string"]`, `["object",{…}]`) is what
/// the protocol carries in `Schema.Attribute.type`.
indirect enum CtyType: Hashable, Sendable {
    case string
    case number
    case bool
    case dynamic
    case list(CtyType)
    case set(CtyType)
    case map(CtyType)
    case object([String: CtyType])
    case tuple([CtyType])

    /// The JSON text Terraform expects, with object attributes in sorted order.
    var json: String { jsonValue.canonicalJSON }

    var jsonValue: Value {
        switch self {
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .dynamic: "dynamic"
        case .list(let element): ["list", element.jsonValue]
        case .set(let element): ["set", element.jsonValue]
        case .map(let element): ["map", element.jsonValue]
        case .object(let attributes): ["object", .object(attributes.mapValues(\.jsonValue))]
        case .tuple(let elements): ["tuple", .array(elements.map(\.jsonValue))]
        }
    }

    /// Reads a type from its JSON form (a dynamic value names its type this way).
    init(json value: Value) throws {
        switch value {
        case .string("string"): self = .string
        case .string("number"): self = .number
        case .string("bool"): self = .bool
        case .string("dynamic"): self = .dynamic
        case .array(let parts) where parts.count == 2:
            switch (parts[0].stringValue, parts[1]) {
            case ("list", let element): self = .list(try CtyType(json: element))
            case ("set", let element): self = .set(try CtyType(json: element))
            case ("map", let element): self = .map(try CtyType(json: element))
            case ("object", .object(let fields)):
                var attributes: [String: CtyType] = [:]
                for (key, type) in fields {
                    guard let name = key.stringValue else { throw TypeError(text: value.canonicalJSON) }
                    attributes[name] = try CtyType(json: type)
                }
                self = .object(attributes)
            case ("tuple", .array(let elements)): self = .tuple(try elements.map(CtyType.init(json:)))
            default: throw TypeError(text: value.canonicalJSON)
            }
        case .array(let parts) where parts.count == 3 && parts[0] == "object":
            // An object type with optional attributes: the third element lists them; decoding ignores it.
            self = try CtyType(json: .array([parts[0], parts[1]]))
        default: throw TypeError(text: value.canonicalJSON)
        }
    }

    struct TypeError: Error, CustomStringConvertible {
        let text: String
        var description: String { "\(text) is not a Terraform type" }
    }
}
