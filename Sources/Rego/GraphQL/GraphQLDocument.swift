/// GraphQL documents (executable and type-system) as gqlparser models them, which is the shape
/// OPA's graphql built-ins return.
enum GraphQL {
    struct Failure: Error { var message: String }

    indirect enum TypeRef: Equatable {
        case named(String, nonNull: Bool)
        case list(TypeRef, nonNull: Bool)

        var name: String {
            switch self {
            case .named(let n, _): n
            case .list(let inner, _): inner.name
            }
        }
        var nonNull: Bool {
            switch self {
            case .named(_, let n), .list(_, let n): n
            }
        }
        var text: String {
            switch self {
            case .named(let n, let nn): n + (nn ? "!" : "")
            case .list(let inner, let nn): "[" + inner.text + "]" + (nn ? "!" : "")
            }
        }
    }

    enum ValueKind: Int { case variable = 0, int, float, string, block, boolean, null, enumeration, list, object }

    /// A literal or variable in a document; list items (with empty names) and object fields
    /// are its children.
    final class InputValue {
        let kind: ValueKind
        let raw: String
        let children: [(name: String, value: InputValue)]
        init(kind: ValueKind, raw: String, children: [(name: String, value: InputValue)] = []) {
            self.kind = kind
            self.raw = raw
            self.children = children
        }
    }

    struct Argument { var name: String; var value: InputValue }
    struct Directive { var name: String; var arguments: [Argument] }

    indirect enum Selection {
        case field(alias: String, name: String, arguments: [Argument], directives: [Directive], selections: [Selection])
        case spread(name: String, directives: [Directive])
        case inline(typeCondition: String, directives: [Directive], selections: [Selection])
    }

    struct VariableDefinition { var name: String; var type: TypeRef; var defaultValue: InputValue?; var directives: [Directive] }

    struct Operation {
        var kind: String
        var name: String
        var variables: [VariableDefinition]
        var directives: [Directive]
        var selections: [Selection]
    }

    struct Fragment { var name: String; var typeCondition: String; var directives: [Directive]; var selections: [Selection] }

    struct QueryDocument { var operations: [Operation] = []; var fragments: [Fragment] = [] }

    struct ArgumentDefinition { var description: String; var name: String; var type: TypeRef; var defaultValue: InputValue?; var directives: [Directive] }

    struct FieldDefinition {
        var description: String
        var name: String
        var arguments: [ArgumentDefinition]
        var type: TypeRef
        var defaultValue: InputValue?
        var directives: [Directive]
    }

    struct EnumValueDefinition { var description: String; var name: String; var directives: [Directive] }

    struct Definition {
        var kind: String
        var description: String
        var name: String
        var directives: [Directive] = []
        var interfaces: [String] = []
        var fields: [FieldDefinition] = []
        var types: [String] = []
        var enumValues: [EnumValueDefinition] = []
        var builtIn = false
    }

    struct DirectiveDefinition { var description: String; var name: String; var arguments: [ArgumentDefinition]; var locations: [String]; var repeatable: Bool }

    struct SchemaDefinition { var description: String; var directives: [Directive]; var operationTypes: [(operation: String, type: String)] }

    struct SchemaDocument {
        var schema: [SchemaDefinition] = []
        var schemaExtensions: [SchemaDefinition] = []
        var directives: [DirectiveDefinition] = []
        var definitions: [Definition] = []
        var extensions: [Definition] = []
    }
}
