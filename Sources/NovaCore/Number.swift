/// A number as Rego and JSON see it: exact when integral, otherwise a double.
///
/// `1` and `1.0` are the same number: they compare equal and hash alike.
public struct Number: Sendable {
    enum Storage: Sendable {
        case int(Int)
        case double(Double)
    }

    let storage: Storage

    public init(_ value: Int) { storage = .int(value) }

    public init(_ value: Double) {
        if let exact = Int(exactly: value), abs(value) <= 9_007_199_254_740_992 {
            storage = .int(exact)
        } else {
            storage = .double(value)
        }
    }

    /// The value as an integer, when it is one exactly.
    public var exactInt: Int? {
        switch storage {
        case .int(let i): i
        case .double: nil
        }
    }

    public var doubleValue: Double {
        switch storage {
        case .int(let i): Double(i)
        case .double(let d): d
        }
    }

    public var isInteger: Bool { exactInt != nil }
}

extension Number: Hashable, Comparable {
    public static func == (lhs: Number, rhs: Number) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.int(let a), .int(let b)): a == b
        default: lhs.doubleValue == rhs.doubleValue
        }
    }

    public static func < (lhs: Number, rhs: Number) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.int(let a), .int(let b)): a < b
        default: lhs.doubleValue < rhs.doubleValue
        }
    }

    public func hash(into hasher: inout Hasher) {
        // Integral values are always stored as .int (see init), so hashing the storage is
        // consistent with ==.
        switch storage {
        case .int(let i): hasher.combine(i)
        case .double(let d): hasher.combine(d)
        }
    }
}

extension Number: CustomStringConvertible {
    /// The number as JSON writes it: integers without a fraction, others in shortest form.
    public var description: String {
        switch storage {
        case .int(let i):
            return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            return "\(d)"
        }
    }
}
