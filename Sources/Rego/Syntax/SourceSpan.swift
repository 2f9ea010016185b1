/// Where a piece of Rego came from: file, 1-based line and column, and the byte offsets it covers.
public struct SourceSpan: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var start: Int
    public var end: Int

    public init(file: String, line: Int, column: Int, start: Int, end: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.start = start
        self.end = end
    }

    public var description: String { "\(file):\(line):\(column)" }

    /// A span from the start of `self` to the end of `other`.
    public func through(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, line: line, column: column, start: start, end: max(end, other.end))
    }
}
