import Foundation
import NovaCore

/// Rego's infix operators on values: comparison in OPA's total order, arithmetic on numbers,
/// set difference, union and intersection.
enum Operators {
    static func apply(_ op: Term.Operator, _ l: Value, _ r: Value, at term: Term) throws(RegoError) -> Value? {
        func typeError(_ what: String) -> RegoError {
            RegoError(.evalType, "operand types do not match \(what): \(l.typeName) \(op.rawValue) \(r.typeName)", at: term.span)
        }
        switch op {
        case .equal: return .bool(l == r)
        case .notEqual: return .bool(l != r)
        case .less: return .bool(Value.compare(l, r) < 0)
        case .lessOrEqual: return .bool(Value.compare(l, r) <= 0)
        case .greater: return .bool(Value.compare(l, r) > 0)
        case .greaterOrEqual: return .bool(Value.compare(l, r) >= 0)
        case .union, .intersection:
            guard case .set(let a) = l, case .set(let b) = r else { throw typeError("(sets expected)") }
            return .set(op == .union ? a.union(b) : a.intersection(b))
        case .minus:
            if case .set(let a) = l, case .set(let b) = r { return .set(a.subtracting(b)) }
            fallthrough
        case .plus, .times, .divide, .remainder:
            guard let a = l.numberValue, let b = r.numberValue else { throw typeError("(numbers expected)") }
            return try arithmetic(op, a, b, at: term)
        case .assign, .unify:
            return nil
        }
    }

    static func arithmetic(_ op: Term.Operator, _ a: Number, _ b: Number, at term: Term) throws(RegoError) -> Value {
        if let x = a.exactInt, let y = b.exactInt {
            switch op {
            case .plus: let (r, o) = x.addingReportingOverflow(y); if !o { return .int(r) }
            case .minus: let (r, o) = x.subtractingReportingOverflow(y); if !o { return .int(r) }
            case .times: let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(r) }
            case .remainder:
                guard y != 0 else { throw RegoError(.builtin, "modulo by zero", at: term.span) }
                return .int(x % y)
            default: break
            }
        }
        let x = a.doubleValue, y = b.doubleValue
        switch op {
        case .plus: return .double(x + y)
        case .minus: return .double(x - y)
        case .times: return .double(x * y)
        case .divide:
            guard y != 0 else { throw RegoError(.builtin, "divide by zero", at: term.span) }
            return .double(x / y)
        default:
            throw RegoError(.builtin, "modulo on floating-point number", at: term.span)
        }
    }
}
