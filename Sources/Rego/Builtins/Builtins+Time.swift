import Foundation
import NovaCore

/// Time: nanoseconds since the epoch, Go layouts, IANA time zones, calendar arithmetic.
extension Builtins {
    static let time: [String: Builtin] = [
        "time.now_ns": Builtin(0, readsClock: true) { (a: Arguments) throws(RegoError) -> Value? in .int(a.now) },
        "time.parse_ns": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            try parsed(GoTimeLayout(try a.string(0)), try a.string(1), a)
        },
        "time.parse_rfc3339_ns": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            try parsed(GoTimeLayout("2006-01-02T15:04:05.999999999Z07:00"), try a.string(0), a)
        },
        "time.parse_duration_ns": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard let ns = duration(try a.string(0)) else { throw a.failure("time: invalid duration \(a[0].regoText)") }
            return .int(ns)
        },
        "time.date": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let (c, _) = try components(a)
            return .array([.int(c.year!), .int(c.month!), .int(c.day!)])
        },
        "time.clock": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let (c, _) = try components(a)
            return .array([.int(c.hour!), .int(c.minute!), .int(c.second!)])
        },
        "time.weekday": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let (c, _) = try components(a)
            return .string(GoTimeLayout.weekdays[c.weekday! - 1])
        },
        "time.format": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let (ns, zone, layout) = try moment(a, 0)
            let (seconds, nanos) = split(ns)
            return .string(GoTimeLayout(layout ?? "RFC3339Nano").format(seconds: seconds, nanos: nanos, zone: zone))
        },
        "time.add_date": Builtin(4) { (a: Arguments) throws(RegoError) -> Value? in
            let ns = try nanoseconds(a, 0)
            let (seconds, nanos) = split(ns)
            let years = try a.integer(1), months = try a.integer(2), days = try a.integer(3)
            guard abs(years) < 1_000, abs(months) < 12_000, abs(days) < 400_000 else { throw a.failure("time outside of valid range") }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 0)!
            let start = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            // Go's AddDate: add to the fields, then normalise (Jan 31 + 1 month is Mar 3 or 2).
            var fields = start
            fields.year = start.year! + years
            fields.month = start.month! + months
            fields.day = start.day! + days
            guard let date = calendar.date(from: fields) else { throw a.failure("time outside of valid range") }
            let resultSeconds = Int(date.timeIntervalSince1970.rounded())
            let shift = resultSeconds < 0 && nanos > 0 ? 1 : 0
            let (result, overflow) = (resultSeconds + shift).multipliedReportingOverflow(by: 1_000_000_000)
            let (total, overflow2) = result.addingReportingOverflow(nanos - shift * 1_000_000_000)
            guard !overflow, !overflow2 else { throw a.failure("time outside of valid range") }
            return .int(total)
        },
        "time.diff": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            var (n1, z1, _) = try moment(a, 0), (n2, _, _) = try moment(a, 1)
            if n1 > n2 { swap(&n1, &n2) }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = z1
            let d1 = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(split(n1).0)))
            let d2 = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(split(n2).0)))
            var year = d2.year! - d1.year!, month = d2.month! - d1.month!, day = d2.day! - d1.day!
            var hour = d2.hour! - d1.hour!, minute = d2.minute! - d1.minute!, second = d2.second! - d1.second!
            if second < 0 { second += 60; minute -= 1 }
            if minute < 0 { minute += 60; hour -= 1 }
            if hour < 0 { hour += 24; day -= 1 }
            if day < 0 {
                // As Go's usual diff does: borrow the length of the earlier date's month.
                let monthEnd = calendar.date(from: DateComponents(year: d1.year!, month: d1.month! + 1, day: 0))!
                day += calendar.component(.day, from: monthEnd)
                month -= 1
            }
            if month < 0 { month += 12; year -= 1 }
            return .array([.int(year), .int(month), .int(day), .int(hour), .int(minute), .int(second)])
        },
    ]

    static func split(_ ns: Int) -> (Int, Int) {
        var seconds = ns / 1_000_000_000, nanos = ns % 1_000_000_000
        if nanos < 0 { seconds -= 1; nanos += 1_000_000_000 }
        return (seconds, nanos)
    }

    static func nanoseconds(_ a: Arguments, _ i: Int) throws(RegoError) -> Int {
        guard case .number(let n) = a[i] else { throw a.typeError(i, "number") }
        guard let exact = n.exactInt ?? (abs(n.doubleValue) < 9.2e18 ? Int(n.doubleValue) : nil) else {
            throw a.failure("timestamp too big")
        }
        return exact
    }

    /// A time argument: `ns`, `[ns, zone]` or `[ns, zone, layout]`.
    static func moment(_ a: Arguments, _ i: Int) throws(RegoError) -> (Int, TimeZone, String?) {
        switch a[i] {
        case .number: return (try nanoseconds(a, i), TimeZone(secondsFromGMT: 0)!, nil)
        case .array(let items) where (2...3).contains(items.count):
            let inner = Arguments(name: a.name, values: items, now: a.now)
            let ns = try nanoseconds(inner, 0), zoneName = try inner.string(1)
            let zone: TimeZone
            if zoneName.isEmpty || zoneName == "UTC" {
                zone = TimeZone(secondsFromGMT: 0)!
            } else if zoneName == "Local" {
                zone = .current
            } else {
                guard let named = TimeZone(identifier: zoneName) else { throw a.failure("unknown time zone \(zoneName)") }
                zone = named
            }
            return (ns, zone, items.count == 3 ? try inner.string(2) : nil)
        default:
            throw a.typeError(i, "any<number, array<number, string>>")
        }
    }

    static func components(_ a: Arguments) throws(RegoError) -> (DateComponents, TimeZone) {
        let (ns, zone, _) = try moment(a, 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: TimeInterval(split(ns).0))
        return (calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date), zone)
    }

    static func parsed(_ layout: GoTimeLayout, _ text: String, _ a: Arguments) throws(RegoError) -> Value {
        let moment: (seconds: Int, nanos: Int)
        do throws(GoTimeLayout.ParseError) { moment = try layout.parse(text) } catch { throw a.failure("cannot parse \(Value.string(text).regoText)") }
        // Negative seconds are scaled one second short so Int.min itself is reachable.
        let shift = moment.seconds < 0 && moment.nanos > 0 ? 1 : 0
        let (scaled, overflow) = (moment.seconds + shift).multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(moment.nanos - shift * 1_000_000_000)
        guard !overflow, !overflow2 else { throw a.failure("time outside of valid range") }
        return .int(total)
    }

    /// Go's time.ParseDuration: `1h30m`, `1.5h`, `-100ms`, `300us`.
    static func duration(_ text: String) -> Int? {
        var s = Substring(text)
        var sign = 1
        if s.first == "-" || s.first == "+" { sign = s.first == "-" ? -1 : 1; s = s.dropFirst() }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            guard let unit = units.first(where: { s.hasPrefix($0.0) && !(($0.0 == "m") && s.hasPrefix("ms")) }) else { return nil }
            s = s.dropFirst(unit.0.count)
            total += value * unit.1
        }
        // Go's ParseDuration refuses what does not fit in an int64 of nanoseconds.
        return Int(exactly: total.rounded()).map { sign * $0 }
    }
}
