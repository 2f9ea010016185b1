// libyaml's event parser, which Yams builds and carries; its module is visible to every target
// that depends on Yams. Reading events ourselves (instead of Yams' composer) is what lets the
// reader bound what a document may make: Yams expands nothing but hashes every mapping key,
// and an alias used as a key made that hash exponential.
import CYaml

/// Reads YAML streams into `Value`s from libyaml's events, with an explicit stack (no
/// recursion), a nesting limit, and a bound on what aliases may expand to (a "billion laughs"
/// document of a few hundred bytes is refused, not expanded).
///
/// Plain scalars are typed by YAML 1.2's core schema, as manifests expect: `1:30`, `0x10`,
/// `0o7` and `1_6` are strings, not the numbers YAML 1.1 made of them. `yes`/`no`/`on`/`off`
/// stay booleans (YAML 1.1 and Kubernetes agree on them; quote them for strings).
struct YAMLReader {
    /// How many nodes aliases may add in all, counting each node an alias repeats.
    static let maximumAliasedNodes = 100_000

    let file: String?

    /// A finished node: its value, how many nodes it stands for, and a scalar's text (its
    /// name when it is a mapping key).
    private struct Node {
        var value: Value
        var size: Int
        var keyText: String?
    }

    private enum Frame {
        case sequence(items: [Value], anchor: String?, size: Int)
        case mapping(fields: [Value: Value], key: (name: String, mark: SourceLocation)?, anchor: String?, size: Int)
    }

    func documents(_ text: String) throws(NovaError) -> [YAMLDocument] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw NovaError(.internal, "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(NovaError) -> [YAMLDocument] in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return try read(&parser)
        }
    }

    private func read(_ parser: inout yaml_parser_t) throws(NovaError) -> [YAMLDocument] {
        var documents: [YAMLDocument] = []
        var stack: [Frame] = []
        var anchors: [String: Node] = [:]
        var aliased = 0
        var documentLine = 1
        var root: Value?
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
            defer { yaml_event_delete(&event) }
            let mark = location(event.start_mark)
            if stack.isEmpty, [YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT].contains(event.type) {
                documentLine = mark.line
            }
            var finished: Node?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
                root = nil
            case YAML_DOCUMENT_END_EVENT:
                documents.append(YAMLDocument(value: root ?? .null, line: documentLine))
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = string(scalar.value, count: scalar.length) ?? ""
                let tag = string(scalar.tag)
                let value = try Self.resolve(text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: tag, at: mark, file: file)
                finished = Node(value: value, size: 1, keyText: text)
                if let anchor = string(scalar.anchor) { anchors[anchor] = finished }
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else { throw failure("unknown alias *\(name)", at: mark) }
                aliased += target.size
                if aliased > Self.maximumAliasedNodes {
                    throw failure("aliases expand to more than \(Self.maximumAliasedNodes) nodes", at: mark)
                }
                finished = target
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if case .mapping(_, nil, _, _) = stack.last { throw failure("mapping keys must be plain strings", at: mark) }
                if stack.count >= JSONParser.maximumDepth { throw failure("nesting deeper than \(JSONParser.maximumDepth) levels", at: mark) }
                if event.type == YAML_SEQUENCE_START_EVENT {
                    stack.append(.sequence(items: [], anchor: string(event.data.sequence_start.anchor), size: 1))
                } else {
                    stack.append(.mapping(fields: [:], key: nil, anchor: string(event.data.mapping_start.anchor), size: 1))
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                switch stack.removeLast() {
                case .sequence(let items, let anchor, let size):
                    finished = Node(value: .array(items), size: size)
                    if let anchor { anchors[anchor] = finished }
                case .mapping(let fields, _, let anchor, let size):
                    finished = Node(value: .object(fields), size: size)
                    if let anchor { anchors[anchor] = finished }
                }
            default:
                break
            }
            guard let node = finished else { continue }
            switch stack.popLast() {
            case nil:
                root = node.value
            case .sequence(var items, let anchor, let size)?:
                items.append(node.value)
                stack.append(.sequence(items: items, anchor: anchor, size: size + node.size))
            case .mapping(var fields, let key, let anchor, let size)?:
                if let key {
                    if fields.updateValue(node.value, forKey: .string(key.name)) != nil {
                        throw failure("duplicate key \"\(key.name)\"", at: key.mark)
                    }
                    stack.append(.mapping(fields: fields, key: nil, anchor: anchor, size: size + node.size))
                } else {
                    guard let name = node.keyText else { throw failure("mapping keys must be plain strings", at: mark) }
                    stack.append(.mapping(fields: fields, key: (name, mark), anchor: anchor, size: size))
                }
            }
        }
    }

    /// A plain scalar's type by YAML 1.2's core schema (quoted and `!!str` scalars are strings).
    static func resolve(_ text: String, isPlain: Bool, tag: String?, at mark: SourceLocation, file: String?) throws(NovaError) -> Value {
        if let tag, tag != "!" {
            switch tag {
            case "tag:yaml.org,2002:str": return .string(text)
            case "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
                let value = resolvePlain(text)
                let matches =
                    switch tag {
                    case "tag:yaml.org,2002:null": value.isNull
                    case "tag:yaml.org,2002:bool": value.boolValue != nil
                    case "tag:yaml.org,2002:int": value.intValue != nil
                    default: if case .number = value { true } else { false }
                    }
                guard matches else { throw failure("\"\(text.prefix(40))\" is not a valid \(tag.dropFirst(18))", at: mark, file: file) }
                return value
            default:
                // Other tags (`!!map`, `!!seq` on a scalar, local `!tags`) are not part of the model.
                throw failure("unsupported tag \(tag)", at: mark, file: file)
            }
        }
        return isPlain && tag == nil ? resolvePlain(text) : .string(text)
    }

    static func resolvePlain(_ text: String) -> Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
        default: break
        }
        let bytes = text.utf8
        guard let first = bytes.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return .string(text) }
        if isDecimalInteger(bytes) {
            if let i = Int(text) { return .int(i) }
            if let d = Double(text), d.isFinite { return .double(d) }
            return .string(text)
        }
        if isDecimalFloat(bytes), let d = Double(text), d.isFinite { return .double(d) }
        return .string(text)
    }

    /// `[-+]?[0-9]+`
    private static func isDecimalInteger(_ bytes: String.UTF8View) -> Bool {
        var digits = bytes[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isDecimalFloat(_ bytes: String.UTF8View) -> Bool {
        var rest = bytes[...]
        func digits() -> Int {
            let count = rest.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            rest = rest.dropFirst(count)
            return count
        }
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
        var mantissa = digits()
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst(); mantissa += digits() }
        guard mantissa > 0 else { return false }
        if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int? = nil) -> String? {
        guard let pointer else { return nil }
        let length = count ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func failure(_ message: String, at mark: SourceLocation) -> NovaError {
        Self.failure(message, at: mark, file: file)
    }

    static func failure(_ message: String, at mark: SourceLocation?, file: String?) -> NovaError {
        NovaError(
            .invalidYAML, "\(file ?? "the text") is not valid YAML",
            diagnostics: [Diagnostic(code: ErrorCode.invalidYAML.rawValue, message: message, location: mark)])
    }

    private func parserError(_ parser: yaml_parser_t) -> NovaError {
        let problem = parser.problem.map { String(cString: $0) } ?? "cannot be read"
        let context = parser.context.map { String(cString: $0) }
        let message = [context, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        return failure(message, at: location(parser.problem_mark))
    }
}
