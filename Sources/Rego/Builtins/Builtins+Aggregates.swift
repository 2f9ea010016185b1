import NovaCore

extension Builtins {
    static let aggregates: [String: Builtin] = [
        "count": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            if case .string(let s) = v[0] { return .int(s.count) }
            return .int(try collection("count", v, 0).count)
        },
        "sum": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in try fold("sum", a.values, 0, +) },
        "product": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in try fold("product", a.values, 1, *) },
        "max": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return try collection("max", v, 0).max()
        },
        "min": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return try collection("min", v, 0).min()
        },
        "sort": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .array(try collection("sort", v, 0).sorted())
        },
    ]

    static func fold(_ name: String, _ v: [Value], _ start: Int, _ op: (Double, Double) -> Double) throws(RegoError) -> Value {
        var exact: Int? = start
        var total = Double(start)
        for (i, item) in try collection(name, v, 0).enumerated() {
            guard let n = item.numberValue else { throw typeError(name, 1, "collection of numbers (element \(i))", item) }
            total = op(total, n.doubleValue)
            if let e = exact, let x = n.exactInt {
                let (r, overflow) = name == "sum" ? e.addingReportingOverflow(x) : e.multipliedReportingOverflow(by: x)
                exact = overflow ? nil : r
            } else {
                exact = nil
            }
        }
        return exact.map { .int($0) } ?? .double(total)
    }
}
