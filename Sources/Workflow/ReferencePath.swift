import NovaCore

/// A path into a run's scope, as written in `${…}` and `when`: `inputs.env`,
/// `steps.create-vm.output.addresses[0]`, `item.name`, `run.id`, `signals.go`.
public struct ReferencePath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var segments: [Segment]

    /// The roots a path may start with.
    static let roots: Set<String> = ["inputs", "steps", "item", "index", "run", "signals"]

    public init(segments: [Segment]) { self.segments = segments }

    /// Parses `text`; the error message says what is wrong and at which character.
    public init(parsing text: String) throws(StepError) {
        var segments: [Segment] = []
        let chars = Array(text)
        var i = 0
        func fail(_ message: String) -> StepError {
            StepError(code: "bad_reference", message: "\"\(text)\" at character \(i + 1): \(message)", isRetryable: false)
        }
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        var expectName = true
        while i < chars.count {
            if expectName {
                let start = i
                while i < chars.count, isNameChar(chars[i]) { i += 1 }
                guard i > start else { throw fail("expected a name") }
                segments.append(.key(String(chars[start..<i])))
                expectName = false
            } else if chars[i] == "." {
                i += 1
                expectName = true
            } else if chars[i] == "[" {
                i += 1
                let start = i
                while i < chars.count, chars[i].isNumber { i += 1 }
                guard i > start, i < chars.count, chars[i] == "]", let index = Int(String(chars[start..<i])) else {
                    throw fail("expected a non-negative index and ]")
                }
                i += 1
                segments.append(.index(index))
            } else {
                throw fail("unexpected \"\(chars[i])\"")
            }
        }
        if expectName { throw fail("expected a name") }
        guard case .key(let root)? = segments.first, Self.roots.contains(root) else {
            throw StepError(
                code: "bad_reference", message: "\"\(text)\" must start with one of \(Self.roots.sorted().joined(separator: ", "))",
                isRetryable: false)
        }
        self.segments = segments
    }

    public var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The step a `steps.NAME…` path reads, if any.
    public var stepName: String? {
        guard segments.count >= 2, segments[0] == .key("steps"), case .key(let name) = segments[1] else { return nil }
        return name
    }

    /// The value at this path in `scope`, or nil when any part is missing.
    public func lookup(in scope: Value) -> Value? {
        var current = scope
        for segment in segments {
            switch (segment, current) {
            case (.key(let key), .object(let fields)):
                guard let next = fields[.string(key)] else { return nil }
                current = next
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
