/// A place in a source text: file (when known), 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String?
    public var line: Int
    public var column: Int

    public init(file: String? = nil, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, or `line:col` without a file.
    public var description: String {
        "\(file.map { "\($0):" } ?? "")\(line):\(column)"
    }
}
