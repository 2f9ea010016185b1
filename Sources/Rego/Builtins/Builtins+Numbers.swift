import Foundation
import NovaCore

/// Numbers: rounding, ranges, bitwise operations, and the operators under their built-in names.
extension Builtins {
    static let numbers: [String: Builtin] = [
        "abs": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let n = try a.number(0)
            if let i = n.exactInt, i != .min { return .int(abs(i)) }
            return .double(abs(n.doubleValue))
        },
        "round": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .double(try a.number(0).doubleValue.rounded(.toNearestOrAwayFromZero)) },
        "ceil": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .double(try a.number(0).doubleValue.rounded(.up)) },
        "floor": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .double(try a.number(0).doubleValue.rounded(.down)) },
        "numbers.range": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let from = try a.integer(0), to = try a.integer(1)
            let (span, overflow) = (from <= to ? to : from).subtractingReportingOverflow(from <= to ? from : to)
            if overflow || span == .max { throw RegoError(.budget, "numbers.range: \(from) to \(to) would exceed the evaluation's memory budget") }
            try a.reserve(span + 1)
            return .array((from <= to ? Array(from...to) : Array((to...from).reversed())).map { .int($0) })
        },
        "numbers.range_step": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let from = try a.integer(0), to = try a.integer(1), step = try a.integer(2)
            guard step > 0 else { throw a.failure("step must be a positive integer") }
            let (span, overflow) = (from <= to ? to : from).subtractingReportingOverflow(from <= to ? from : to)
            if overflow { throw RegoError(.budget, "numbers.range_step: \(from) to \(to) would exceed the evaluation's memory budget") }
            try a.reserve(span / step + 1)
            return .array((from <= to ? Array(stride(from: from, through: to, by: step)) : Array(stride(from: from, through: to, by: -step))).map { .int($0) })
        },
        "bits.and": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .int(try a.integer(0) & a.integer(1)) },
        "bits.or": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .int(try a.integer(0) | a.integer(1)) },
        "bits.xor": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .int(try a.integer(0) ^ a.integer(1)) },
        "bits.negate": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .int(~(try a.integer(0))) },
        "bits.lsh": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let x = try a.integer(0), shift = try a.integer(1)
            guard shift >= 0 else { throw a.operandError("shift must be a non-negative integer") }
            let (result, overflow) = x.multipliedReportingOverflow(by: shift >= 63 ? Int.max : 1 << shift)
            guard !overflow, shift < 63 || x == 0 else {
                return .double(Double(x) * pow(2, Double(shift)))
            }
            return .int(result)
        },
        "bits.rsh": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let x = try a.integer(0), shift = try a.integer(1)
            guard shift >= 0 else { throw a.operandError("shift must be a non-negative integer") }
            return .int(shift >= 64 ? (x < 0 ? -1 : 0) : x >> shift)
        },
        "plus": operatorBuiltin(.plus), "minus": operatorBuiltin(.minus), "mul": operatorBuiltin(.times),
        "div": operatorBuiltin(.divide), "rem": operatorBuiltin(.remainder),
        "equal": operatorBuiltin(.equal), "neq": operatorBuiltin(.notEqual), "lt": operatorBuiltin(.less),
        "lte": operatorBuiltin(.lessOrEqual), "gt": operatorBuiltin(.greater), "gte": operatorBuiltin(.greaterOrEqual),
        "and": operatorBuiltin(.intersection), "or": operatorBuiltin(.union),
    ]

    static func operatorBuiltin(_ op: Term.Operator) -> Builtin {
        Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let here = Term(.null, span: SourceSpan(file: a.name, line: 0, column: 0, start: 0, end: 0))
            return try Operators.apply(op, a[0], a[1], at: here)
        }
    }
}
