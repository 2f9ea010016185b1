import Foundation

/// One MessagePack value, as the wire carries it: what `TerraformValue` decodes from and
/// encodes to. Only the forms cty's encoding uses are written; every form is read.
enum MessagePack: Equatable, Sendable {
    case `nil`
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePack])
    case map([(MessagePack, MessagePack)])
    case ext(type: Int8, data: [UInt8])

    static func == (lhs: MessagePack, rhs: MessagePack) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.uint(let a), .uint(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.binary(let a), .binary(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.ext(let t1, let d1), .ext(let t2, let d2)): t1 == t2 && d1 == d2
        default: false
        }
    }
}

/// A malformed or truncated MessagePack document.
struct MessagePackError: Error, CustomStringConvertible {
    let description: String
}

extension MessagePack {
    /// Reads exactly one value from `bytes`; trailing bytes are an error.
    static func decode(_ bytes: [UInt8]) throws -> MessagePack {
        var reader = Reader(bytes: bytes)
        let value = try reader.read(depth: 0)
        guard reader.offset == bytes.count else {
            throw MessagePackError(description: "\(bytes.count - reader.offset) bytes after the msgpack value")
        }
        return value
    }

    /// The value's encoding.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .nil: out.append(0xc0)
        case .bool(let b): out.append(b ? 0xc3 : 0xc2)
        case .int(let i):
            if i >= 0 {
                MessagePack.uint(UInt64(i)).write(into: &out)
            } else if i >= -32 {
                out.append(UInt8(bitPattern: Int8(i)))
            } else if i >= Int64(Int8.min) {
                out.append(0xd0); out.append(UInt8(bitPattern: Int8(i)))
            } else if i >= Int64(Int16.min) {
                out.append(0xd1); Self.append(UInt16(bitPattern: Int16(i)), to: &out)
            } else if i >= Int64(Int32.min) {
                out.append(0xd2); Self.append(UInt32(bitPattern: Int32(i)), to: &out)
            } else {
                out.append(0xd3); Self.append(UInt64(bitPattern: i), to: &out)
            }
        case .uint(let u):
            if u < 0x80 {
                out.append(UInt8(u))
            } else if u <= UInt64(UInt8.max) {
                out.append(0xcc); out.append(UInt8(u))
            } else if u <= UInt64(UInt16.max) {
                out.append(0xcd); Self.append(UInt16(u), to: &out)
            } else if u <= UInt64(UInt32.max) {
                out.append(0xce); Self.append(UInt32(u), to: &out)
            } else {
                out.append(0xcf); Self.append(u, to: &out)
            }
        case .float(let d):
            out.append(0xcb)
            Self.append(d.bitPattern, to: &out)
        case .string(let s):
            let bytes = Array(s.utf8)
            if bytes.count < 32 {
                out.append(0xa0 | UInt8(bytes.count))
            } else if bytes.count <= Int(UInt8.max) {
                out.append(0xd9); out.append(UInt8(bytes.count))
            } else if bytes.count <= Int(UInt16.max) {
                out.append(0xda); Self.append(UInt16(bytes.count), to: &out)
            } else {
                out.append(0xdb); Self.append(UInt32(bytes.count), to: &out)
            }
            out.append(contentsOf: bytes)
        case .binary(let bytes):
            if bytes.count <= Int(UInt8.max) {
                out.append(0xc4); out.append(UInt8(bytes.count))
            } else if bytes.count <= Int(UInt16.max) {
                out.append(0xc5); Self.append(UInt16(bytes.count), to: &out)
            } else {
                out.append(0xc6); Self.append(UInt32(bytes.count), to: &out)
            }
            out.append(contentsOf: bytes)
        case .array(let items):
            if items.count < 16 {
                out.append(0x90 | UInt8(items.count))
            } else if items.count <= Int(UInt16.max) {
                out.append(0xdc); Self.append(UInt16(items.count), to: &out)
            } else {
                out.append(0xdd); Self.append(UInt32(items.count), to: &out)
            }
            for item in items { item.write(into: &out) }
        case .map(let pairs):
            if pairs.count < 16 {
                out.append(0x80 | UInt8(pairs.count))
            } else if pairs.count <= Int(UInt16.max) {
                out.append(0xde); Self.append(UInt16(pairs.count), to: &out)
            } else {
                out.append(0xdf); Self.append(UInt32(pairs.count), to: &out)
            }
            for (key, value) in pairs {
                key.write(into: &out)
                value.write(into: &out)
            }
        case .ext(let type, let data):
            switch data.count {
            case 1: out.append(0xd4)
            case 2: out.append(0xd5)
            case 4: out.append(0xd6)
            case 8: out.append(0xd7)
            case 16: out.append(0xd8)
            case let n where n <= Int(UInt8.max): out.append(0xc7); out.append(UInt8(n))
            case let n where n <= Int(UInt16.max): out.append(0xc8); Self.append(UInt16(n), to: &out)
            default: out.append(0xc9); Self.append(UInt32(data.count), to: &out)
            }
            out.append(UInt8(bitPattern: type))
            out.append(contentsOf: data)
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    /// Reads values off a byte array. Nesting is bounded so a hostile document cannot exhaust the stack.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        static let maximumDepth = 256

        mutating func read(depth: Int) throws -> MessagePack {
            guard depth < Self.maximumDepth else { throw MessagePackError(description: "msgpack nesting deeper than \(Self.maximumDepth)") }
            let head = try byte()
            switch head {
            case 0x00...0x7f: return .uint(UInt64(head))
            case 0x80...0x8f: return try map(count: Int(head & 0x0f), depth: depth)
            case 0x90...0x9f: return try array(count: Int(head & 0x0f), depth: depth)
            case 0xa0...0xbf: return try string(count: Int(head & 0x1f))
            case 0xc0: return .nil
            case 0xc2: return .bool(false)
            case 0xc3: return .bool(true)
            case 0xc4: return .binary(try take(Int(try integer(UInt8.self))))
            case 0xc5: return .binary(try take(Int(try integer(UInt16.self))))
            case 0xc6: return .binary(try take(Int(try integer(UInt32.self))))
            case 0xc7: return try ext(count: Int(try integer(UInt8.self)))
            case 0xc8: return try ext(count: Int(try integer(UInt16.self)))
            case 0xc9: return try ext(count: Int(try integer(UInt32.self)))
            case 0xca: return .float(Double(Float(bitPattern: try integer(UInt32.self))))
            case 0xcb: return .float(Double(bitPattern: try integer(UInt64.self)))
            case 0xcc: return .uint(UInt64(try integer(UInt8.self)))
            case 0xcd: return .uint(UInt64(try integer(UInt16.self)))
            case 0xce: return .uint(UInt64(try integer(UInt32.self)))
            case 0xcf: return .uint(try integer(UInt64.self))
            case 0xd0: return .int(Int64(Int8(bitPattern: try integer(UInt8.self))))
            case 0xd1: return .int(Int64(Int16(bitPattern: try integer(UInt16.self))))
            case 0xd2: return .int(Int64(Int32(bitPattern: try integer(UInt32.self))))
            case 0xd3: return .int(Int64(bitPattern: try integer(UInt64.self)))
            case 0xd4: return try ext(count: 1)
            case 0xd5: return try ext(count: 2)
            case 0xd6: return try ext(count: 4)
            case 0xd7: return try ext(count: 8)
            case 0xd8: return try ext(count: 16)
            case 0xd9: return try string(count: Int(try integer(UInt8.self)))
            case 0xda: return try string(count: Int(try integer(UInt16.self)))
            case 0xdb: return try string(count: Int(try integer(UInt32.self)))
            case 0xdc: return try array(count: Int(try integer(UInt16.self)), depth: depth)
            case 0xdd: return try array(count: Int(try integer(UInt32.self)), depth: depth)
            case 0xde: return try map(count: Int(try integer(UInt16.self)), depth: depth)
            case 0xdf: return try map(count: Int(try integer(UInt32.self)), depth: depth)
            case 0xe0...0xff: return .int(Int64(Int8(bitPattern: head)))
            default: throw MessagePackError(description: "byte 0x\(String(head, radix: 16)) at offset \(offset - 1) starts no msgpack value")
            }
        }

        private mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw MessagePackError(description: "msgpack value ends early at offset \(offset)") }
            defer { offset += 1 }
            return bytes[offset]
        }

        private mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, bytes.count - offset >= count else {
                throw MessagePackError(description: "msgpack value ends early: \(count) bytes wanted at offset \(offset)")
            }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            var value: T = 0
            for byte in try take(MemoryLayout<T>.size) { value = value << 8 | T(byte) }
            return value
        }

        private mutating func string(count: Int) throws -> MessagePack {
            let raw = try take(count)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw MessagePackError(description: "msgpack string at offset \(offset - count) is not UTF-8")
            }
            return .string(text)
        }

        private mutating func array(count: Int, depth: Int) throws -> MessagePack {
            guard count <= bytes.count - offset else { throw MessagePackError(description: "msgpack array of \(count) items cannot fit") }
            var items: [MessagePack] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try read(depth: depth + 1)) }
            return .array(items)
        }

        private mutating func map(count: Int, depth: Int) throws -> MessagePack {
            guard count <= bytes.count - offset else { throw MessagePackError(description: "msgpack map of \(count) entries cannot fit") }
            var pairs: [(MessagePack, MessagePack)] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count { pairs.append((try read(depth: depth + 1), try read(depth: depth + 1))) }
            return .map(pairs)
        }

        private mutating func ext(count: Int) throws -> MessagePack {
            let type = Int8(bitPattern: try byte())
            return .ext(type: type, data: try take(count))
        }
    }
}
