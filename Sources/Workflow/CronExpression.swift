import Foundation

/// A cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds
/// first), or a macro (`@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`,
/// `@annually`), evaluated in an IANA time zone.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists, month and weekday
/// names (`JAN`, `MON`), and 7 for Sunday. When both day-of-month and day-of-week are
/// restricted, either may match (as in Vixie cron).
///
/// Daylight saving: a wall-clock time skipped by a jump forward fires once, at the jump; a time
/// that happens twice when clocks go back fires once, at its first occurrence, unless the hour
/// field is `*` (an hourly job still runs every real hour).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    public let timeZone: TimeZone
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let isDayOfMonthRestricted: Bool
    let isDayOfWeekRestricted: Bool
    let isHourWildcard: Bool
    let hasSeconds: Bool

    public var description: String { "\(source) (\(timeZone.identifier))" }

    /// Parses `source`; the error names the field and what is wrong with it.
    public init(_ source: String, timeZone: String = "UTC") throws(StepError) {
        guard let zone = TimeZone(identifier: timeZone) else {
            throw StepError(code: "invalid_schedule", message: "unknown time zone \"\(timeZone)\"", isRetryable: false)
        }
        let macros = [
            "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
            "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
        ]
        let trimmed = source.trimmingCharacters(in: .whitespaces)
        let expanded = macros[trimmed.lowercased()] ?? trimmed
        var fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw StepError(
                code: "invalid_schedule", message: "\"\(source)\" has \(fields.count) fields; cron takes 5 (or 6 with seconds first)",
                isRetryable: false)
        }
        hasSeconds = fields.count == 6
        if !hasSeconds { fields.insert("0", at: 0) }
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        seconds = try Self.field(fields[0], "second", 0...59)
        minutes = try Self.field(fields[1], "minute", 0...59)
        hours = try Self.field(fields[2], "hour", 0...23)
        daysOfMonth = try Self.field(fields[3], "day of month", 1...31)
        self.months = try Self.field(fields[4], "month", 1...12, names: months, nameBase: 1)
        daysOfWeek = Set(try Self.field(fields[5], "day of week", 0...7, names: days, nameBase: 0).map { $0 % 7 })
        isDayOfMonthRestricted = !fields[3].hasPrefix("*") && fields[3] != "?"
        isDayOfWeekRestricted = !fields[5].hasPrefix("*") && fields[5] != "?"
        isHourWildcard = fields[2] == "*"
        self.source = source
        self.timeZone = zone
    }

    private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0) throws(StepError) -> Set<Int>
    {
        func fail(_ message: String) -> StepError {
            StepError(code: "invalid_schedule", message: "\(name) field \"\(text)\": \(message)", isRetryable: false)
        }
        func number(_ token: Substring) throws(StepError) -> Int {
            if let value = Int(token) {
                guard range.contains(value) else { throw fail("\(value) is outside \(range.lowerBound)-\(range.upperBound)") }
                return value
            }
            if let index = names.firstIndex(of: token.uppercased()) { return index + nameBase }
            throw fail("\"\(token)\" is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw fail("malformed \"\(part)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0 else { throw fail("a step must be a positive number") }
                step = n
            }
            var low: Int, high: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = pieces[0].firstIndex(of: "-") {
                low = try number(pieces[0][..<dash])
                high = try number(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw fail("range \(low)-\(high) runs backwards") }
            } else {
                low = try number(pieces[0])
                high = pieces.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    private static let naive: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first firing time strictly after `date`, or nil if none within eight years.
    public func next(after date: Date) -> Date? {
        let unit: Double = hasSeconds ? 1 : 60
        // Start from the earlier of the wall-clock readings before and after a coming fall-back,
        // so the second occurrence of a repeated hour is not jumped over.
        let offset = min(timeZone.secondsFromGMT(for: date), timeZone.secondsFromGMT(for: date.addingTimeInterval(86400)))
        var wall = date.timeIntervalSince1970 + Double(offset)
        wall = (wall / unit).rounded(.down) * unit + unit
        let limit = wall + 8 * 366 * 86400
        while wall < limit {
            guard let candidate = nextWallClockMatch(from: wall) else { return nil }
            for instant in instants(atWallClock: candidate) where instant > date { return instant }
            wall = candidate + unit
        }
        return nil
    }

    /// Every firing time in `(from, through]`, at most `limit` of them.
    public func times(after from: Date, through end: Date, limit: Int = 10_000) -> [Date] {
        var result: [Date] = []
        var cursor = from
        while result.count < limit, let next = next(after: cursor), next <= end {
            result.append(next)
            cursor = next
        }
        return result
    }

    private func matchesDay(_ c: DateComponents) -> Bool {
        let dom = daysOfMonth.contains(c.day!), dow = daysOfWeek.contains(c.weekday! - 1)
        switch (isDayOfMonthRestricted, isDayOfWeekRestricted) {
        case (true, true): return dom || dow
        case (true, false): return dom
        case (false, true): return dow
        case (false, false): return true
        }
    }

    /// The next wall-clock time (seconds since 1970, read as if the zone were UTC) that matches.
    private func nextWallClockMatch(from start: Double) -> Double? {
        var t = Date(timeIntervalSince1970: start)
        let calendar = Self.naive
        for _ in 0..<100_000 {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t)
            if !months.contains(c.month!) {
                t = calendar.date(from: DateComponents(year: c.year, month: c.month! + 1, day: 1))!
            } else if !matchesDay(c) {
                t = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day! + 1))!
            } else if !hours.contains(c.hour!) {
                t = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour! + 1))!
            } else if !minutes.contains(c.minute!) {
                t = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute! + 1))!
            } else if !seconds.contains(c.second!) {
                t = t.addingTimeInterval(1)
            } else {
                return t.timeIntervalSince1970
            }
        }
        return nil
    }

    /// The real instants whose wall-clock reading is `wall`: none in a jump forward (then the
    /// jump itself), two when clocks go back (only the first, unless the hour is a wildcard).
    private func instants(atWallClock wall: Double) -> [Date] {
        var found: Set<Double> = []
        for probe in [wall - 86400, wall + 86400, wall] {
            let offset = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: probe)))
            let instant = wall - offset
            if Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: instant))) == offset { found.insert(instant) }
        }
        let sorted = found.sorted().map { Date(timeIntervalSince1970: $0) }
        if sorted.isEmpty {
            // Skipped by a jump forward: fire at the jump.
            let before = Date(timeIntervalSince1970: wall - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86400))))
            return [timeZone.nextDaylightSavingTimeTransition(after: before.addingTimeInterval(-7200)) ?? before]
        }
        return isHourWildcard ? sorted : [sorted[0]]
    }
}
