import Foundation

/// A table of numbers read from CSV with a header line: row-major values and column names.
public struct NumericTable: Sendable {
    public var columns: [String]
    public var rowCount: Int
    /// Row-major: value of row r, column c at `r * columns.count + c`.
    public var values: [Double]

    public init(columns: [String], rowCount: Int, values: [Double]) {
        self.columns = columns
        self.rowCount = rowCount
        self.values = values
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads a numeric CSV file (header line, comma-separated numbers). Errors name the line.
    public static func read(csv path: String) throws -> NumericTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReadError(description: "cannot read \(path)") }
        return try parse(Array(data), source: path)
    }

    static func parse(_ bytes: [UInt8], source: String) throws -> NumericTable {
        var index = 0
        var header: [String] = []
        var field: [UInt8] = []
        while index < bytes.count, bytes[index] != 0x0A {
            if bytes[index] == UInt8(ascii: ",") {
                header.append(String(decoding: field, as: UTF8.self)); field = []
            } else if bytes[index] != 0x0D {
                field.append(bytes[index])
            }
            index += 1
        }
        header.append(String(decoding: field, as: UTF8.self))
        index += 1
        var values: [Double] = []
        values.reserveCapacity(bytes.count / 6)
        var line = 2, column = 0, start = index
        while index <= bytes.count {
            let byte = index < bytes.count ? bytes[index] : 0x0A
            if byte == UInt8(ascii: ",") || byte == 0x0A {
                var end = index
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                if end > start {
                    guard let number = parseNumber(bytes, start, end) else {
                        throw ReadError(description: "\(source):\(line): column \(column + 1) is not a number")
                    }
                    values.append(number)
                    column += 1
                }
                if byte == 0x0A {
                    if column != 0 && column != header.count {
                        throw ReadError(description: "\(source):\(line): \(column) values, the header has \(header.count)")
                    }
                    if column != 0 { line += 1 }
                    column = 0
                }
                start = index + 1
            }
            index += 1
        }
        return NumericTable(columns: header, rowCount: values.count / max(1, header.count), values: values)
    }

    private static func parseNumber(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Double? {
        // Fast path for plain decimals (what the datasets hold); anything else through Double(_:).
        var i = start, negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0, scale = 0, digits = 0, seenDot = false
        while i < end {
            let b = bytes[i]
            if b >= 48 && b <= 57 {
                // Up to 15 digits the mantissa and the power of ten are exact doubles, so one
                // division rounds correctly; longer numbers take the general parser.
                guard digits < 15 else { return Double(String(decoding: bytes[start..<end], as: UTF8.self)) }
                mantissa = mantissa * 10 + UInt64(b - 48)
                digits += 1
                if seenDot { scale += 1 }
            } else if b == UInt8(ascii: "."), !seenDot {
                seenDot = true
            } else {
                return Double(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            i += 1
        }
        if digits == 0 { return nil }
        let value = Double(mantissa) / powersOfTen[scale]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...15).map { p in (0..<p).reduce(1.0) { acc, _ in acc * 10 } }

    /// The column named `name`, as a vector.
    public func column(_ name: String) -> [Double]? {
        guard let c = columns.firstIndex(of: name) else { return nil }
        return (0..<rowCount).map { values[$0 * columns.count + c] }
    }

    /// The given columns as a row-major matrix.
    public func matrix(_ names: [String]) throws -> [Double] {
        let indices = try names.map { name -> Int in
            guard let c = columns.firstIndex(of: name) else { throw ReadError(description: "no column named \(name)") }
            return c
        }
        var out = [Double](repeating: 0, count: rowCount * names.count)
        for r in 0..<rowCount {
            for (j, c) in indices.enumerated() { out[r * names.count + j] = values[r * columns.count + c] }
        }
        return out
    }
}
