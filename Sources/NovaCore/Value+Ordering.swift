import Foundation

/// Total order over values: by type first (null < bool < number < string < array < object < set,
/// OPA's order), then by content. Objects compare by their sorted keys, then values.
extension Value: Comparable {
    private var typeRank: Int {
        switch self {
        case .null: 0
        case .bool: 1
        case .number: 2
        case .string: 3
        case .array: 4
        case .object: 5
        case .set: 6
        }
    }

    public static func < (lhs: Value, rhs: Value) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Three-way comparison: negative, zero or positive.
    public static func compare(_ lhs: Value, _ rhs: Value) -> Int {
        switch (lhs, rhs) {
        case (.null, .null):
            return 0
        case (.bool(let a), .bool(let b)):
            return a == b ? 0 : (a ? 1 : -1)
        case (.number(let a), .number(let b)):
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.string(let a), .string(let b)):
            return compareBytes(a, b)
        case (.array(let a), .array(let b)):
            return compareSequences(a, b)
        case (.set(let a), .set(let b)):
            return compareSequences(a.sorted(), b.sorted())
        case (.object(let a), .object(let b)):
            let aKeys = a.keys.sorted(), bKeys = b.keys.sorted()
            for (ka, kb) in zip(aKeys, bKeys) {
                let byKey = compare(ka, kb)
                if byKey != 0 { return byKey }
                let byValue = compare(a[ka]!, b[kb]!)
                if byValue != 0 { return byValue }
            }
            return aKeys.count == bKeys.count ? 0 : (aKeys.count < bKeys.count ? -1 : 1)
        default:
            return lhs.typeRank < rhs.typeRank ? -1 : 1
        }
    }

    private static func compareSequences(_ a: [Value], _ b: [Value]) -> Int {
        for (x, y) in zip(a, b) {
            let c = compare(x, y)
            if c != 0 { return c }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): Value.sameBytes(a, b)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        case (.set(let a), .set(let b)): a == b
        default: false
        }
    }

    /// Byte order of the UTF-8 encodings, as Go and OPA compare strings: `memcmp` (unsigned
    /// bytes) over the contiguous storage, then the shorter first. Walking the UTF-8 views
    /// element by element was a tenth of sorting a set of objects.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let common = min(pa.count, pb.count)
                let order = common == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, common)
                if order != 0 { return order < 0 ? -1 : 1 }
                return pa.count == pb.count ? 0 : (pa.count < pb.count ? -1 : 1)
            }
        }
    }

    /// Byte-for-byte equality (JSON's, not Unicode canonical equivalence), through the
    /// contiguous UTF-8 storage when both strings have it.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 } }
    }
}
