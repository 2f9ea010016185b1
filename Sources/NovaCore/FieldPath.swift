/// A path to a field inside a document, such as `spec.networks[1].network`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public private(set) var text: String

    public init(_ text: String = "") { self.text = text }
    public init(stringLiteral value: String) { text = value }

    public var description: String { text }

    /// The path to the named field below this one.
    public func field(_ name: String) -> FieldPath {
        FieldPath(text.isEmpty ? name : "\(text).\(name)")
    }

    /// The path to the element at `index` below this one.
    public func index(_ index: Int) -> FieldPath {
        FieldPath("\(text)[\(index)]")
    }
}
