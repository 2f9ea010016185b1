import Foundation

/// Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`), which OPA's time built-ins use,
/// for formatting and parsing.
struct GoTimeLayout {
    enum Chunk: Equatable {
        case literal(String)
        case longMonth, month, numMonth, zeroMonth
        case longWeekday, weekday
        case day, underDay, zeroDay, yearDay
        case hour, hour12, zeroHour12
        case minute, zeroMinute, second, zeroSecond
        case longYear, year
        case pm, lowerPM
        case zoneName
        /// `-0700`, `-07:00`, `-07`, `-070000`, `-07:00:00`; with `Z` when UTC prints as Z.
        case offset(colon: Bool, seconds: Bool, hoursOnly: Bool, z: Bool)
        /// `.000` (fixed digits) or `.999` (trailing zeros dropped).
        case fraction(digits: Int, trim: Bool)
    }

    static let named: [String: String] = [
        "ANSIC": "Mon Jan _2 15:04:05 2006", "UnixDate": "Mon Jan _2 15:04:05 MST 2006", "RubyDate": "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822": "02 Jan 06 15:04 MST", "RFC822Z": "02 Jan 06 15:04 -0700", "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST", "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700", "RFC3339": "2006-01-02T15:04:05Z07:00",
        "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00", "Kitchen": "3:04PM", "Stamp": "Jan _2 15:04:05",
        "StampMilli": "Jan _2 15:04:05.000", "StampMicro": "Jan _2 15:04:05.000000", "StampNano": "Jan _2 15:04:05.000000000",
        "DateTime": "2006-01-02 15:04:05", "DateOnly": "2006-01-02", "TimeOnly": "15:04:05",
    ]

    let chunks: [Chunk]

    init(_ layout: String) {
        let s = Array(GoTimeLayout.named[layout] ?? layout)
        var chunks: [Chunk] = []
        var literal = ""
        var i = 0
        func has(_ text: String) -> Bool {
            let t = Array(text)
            return i + t.count <= s.count && Array(s[i..<i + t.count]) == t
        }
        func emit(_ chunk: Chunk, _ length: Int) {
            if !literal.isEmpty { chunks.append(.literal(literal)); literal = "" }
            chunks.append(chunk)
            i += length
        }
        while i < s.count {
            if has("January") {
                emit(.longMonth, 7)
            } else if has("Jan") {
                emit(.month, 3)
            } else if has("Monday") {
                emit(.longWeekday, 6)
            } else if has("Mon") {
                emit(.weekday, 3)
            } else if has("MST") {
                emit(.zoneName, 3)
            } else if has("2006") {
                emit(.longYear, 4)
            } else if has("002") {
                emit(.yearDay, 3)
            } else if has("01") {
                emit(.zeroMonth, 2)
            } else if has("02") {
                emit(.zeroDay, 2)
            } else if has("03") {
                emit(.zeroHour12, 2)
            } else if has("04") {
                emit(.zeroMinute, 2)
            } else if has("05") {
                emit(.zeroSecond, 2)
            } else if has("06") {
                emit(.year, 2)
            } else if has("15") {
                emit(.hour, 2)
            } else if has("1") {
                emit(.numMonth, 1)
            } else if has("_2") {
                emit(.underDay, 2)
            } else if has("2") {
                emit(.day, 1)
            } else if has("3") {
                emit(.hour12, 1)
            } else if has("4") {
                emit(.minute, 1)
            } else if has("5") {
                emit(.second, 1)
            } else if has("PM") {
                emit(.pm, 2)
            } else if has("pm") {
                emit(.lowerPM, 2)
            } else if has("Z07:00:00") {
                emit(.offset(colon: true, seconds: true, hoursOnly: false, z: true), 9)
            } else if has("-07:00:00") {
                emit(.offset(colon: true, seconds: true, hoursOnly: false, z: false), 9)
            } else if has("Z070000") {
                emit(.offset(colon: false, seconds: true, hoursOnly: false, z: true), 7)
            } else if has("-070000") {
                emit(.offset(colon: false, seconds: true, hoursOnly: false, z: false), 7)
            } else if has("Z07:00") {
                emit(.offset(colon: true, seconds: false, hoursOnly: false, z: true), 6)
            } else if has("-07:00") {
                emit(.offset(colon: true, seconds: false, hoursOnly: false, z: false), 6)
            } else if has("Z0700") {
                emit(.offset(colon: false, seconds: false, hoursOnly: false, z: true), 5)
            } else if has("-0700") {
                emit(.offset(colon: false, seconds: false, hoursOnly: false, z: false), 5)
            } else if has("Z07") {
                emit(.offset(colon: false, seconds: false, hoursOnly: true, z: true), 3)
            } else if has("-07") {
                emit(.offset(colon: false, seconds: false, hoursOnly: true, z: false), 3)
            } else if s[i] == "." || s[i] == ",", i + 1 < s.count, s[i + 1] == "0" || s[i + 1] == "9" {
                let digit = s[i + 1]
                var j = i + 1
                while j < s.count, s[j] == digit { j += 1 }
                if j < s.count, s[j].isNumber { literal.append(s[i]); i += 1; continue }
                emit(.fraction(digits: j - i - 1, trim: digit == "9"), j - i)
            } else {
                literal.append(s[i])
                i += 1
            }
        }
        if !literal.isEmpty { chunks.append(.literal(literal)) }
        self.chunks = chunks
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Formats a moment: its calendar fields in `zone`, and nanoseconds within the second.
    func format(seconds: Int, nanos: Int, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let offset = zone.secondsFromGMT(for: date)
        func pad(_ n: Int, _ width: Int) -> String { let t = String(n); return String(repeating: "0", count: max(0, width - t.count)) + t }
        var out = ""
        for chunk in chunks {
            switch chunk {
            case .literal(let text): out += text
            case .longMonth: out += Self.months[c.month! - 1]
            case .month: out += String(Self.months[c.month! - 1].prefix(3))
            case .numMonth: out += String(c.month!)
            case .zeroMonth: out += pad(c.month!, 2)
            case .longWeekday: out += Self.weekdays[c.weekday! - 1]
            case .weekday: out += String(Self.weekdays[c.weekday! - 1].prefix(3))
            case .day: out += String(c.day!)
            case .underDay: out += c.day! < 10 ? " \(c.day!)" : String(c.day!)
            case .zeroDay: out += pad(c.day!, 2)
            case .yearDay: out += pad(calendar.ordinality(of: .day, in: .year, for: date) ?? 0, 3)
            case .hour: out += pad(c.hour!, 2)
            case .hour12: out += String(c.hour! % 12 == 0 ? 12 : c.hour! % 12)
            case .zeroHour12: out += pad(c.hour! % 12 == 0 ? 12 : c.hour! % 12, 2)
            case .minute: out += String(c.minute!)
            case .zeroMinute: out += pad(c.minute!, 2)
            case .second: out += String(c.second!)
            case .zeroSecond: out += pad(c.second!, 2)
            case .longYear: out += pad(c.year!, 4)
            case .year: out += pad(c.year! % 100, 2)
            case .pm: out += c.hour! >= 12 ? "PM" : "AM"
            case .lowerPM: out += c.hour! >= 12 ? "pm" : "am"
            case .zoneName: out += zone.abbreviation(for: date) ?? "UTC"
            case .offset(let colon, let withSeconds, let hoursOnly, let z):
                if z && offset == 0 { out += "Z"; continue }
                let sign = offset < 0 ? "-" : "+", magnitude = abs(offset)
                out += sign + pad(magnitude / 3600, 2)
                if !hoursOnly { out += (colon ? ":" : "") + pad(magnitude % 3600 / 60, 2) }
                if withSeconds { out += (colon ? ":" : "") + pad(magnitude % 60, 2) }
            case .fraction(let digits, let trim):
                var text = String(pad(nanos, 9).prefix(digits))
                if trim { while text.hasSuffix("0") { text.removeLast() } }
                if !text.isEmpty { out += "." + text }
            }
        }
        return out
    }

    struct ParseError: Error {}

    /// Parses `text` into seconds since the epoch and nanoseconds.
    func parse(_ text: String) throws(ParseError) -> (seconds: Int, nanos: Int) {
        var s = Substring(text)
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
        var pm: Bool?
        var offset: Int?
        func number(_ maxDigits: Int, exact: Bool = false) throws(ParseError) -> Int {
            let digits = s.prefix { $0.isASCII && $0.isNumber }.prefix(maxDigits)
            guard !digits.isEmpty, !exact || digits.count == maxDigits, let n = Int(digits) else { throw ParseError() }
            s = s.dropFirst(digits.count)
            return n
        }
        func name(_ options: [String]) throws(ParseError) -> Int {
            for (i, option) in options.enumerated() where s.lowercased().hasPrefix(option.lowercased()) {
                s = s.dropFirst(option.count)
                return i
            }
            throw ParseError()
        }
        for (index, chunk) in chunks.enumerated() {
            switch chunk {
            case .literal(let literal):
                guard s.hasPrefix(literal) else { throw ParseError() }
                s = s.dropFirst(literal.count)
            case .longMonth: month = try name(Self.months) + 1
            case .month: month = try name(Self.months.map { String($0.prefix(3)) }) + 1
            case .numMonth, .zeroMonth: month = try number(2, exact: chunk == .zeroMonth)
            case .longWeekday: _ = try name(Self.weekdays)
            case .weekday: _ = try name(Self.weekdays.map { String($0.prefix(3)) })
            case .day, .zeroDay: day = try number(2, exact: chunk == .zeroDay)
            case .underDay:
                if s.first == " " { s = s.dropFirst() }
                day = try number(2)
            case .yearDay: _ = try number(3, exact: true)
            case .hour: hour = try number(2)
            case .hour12, .zeroHour12: hour = try number(2)
            case .minute, .zeroMinute: minute = try number(2, exact: chunk == .zeroMinute)
            case .second, .zeroSecond:
                second = try number(2, exact: chunk == .zeroSecond)
                // Go accepts a fraction after seconds even when the layout has none.
                if s.first == ".", index + 1 >= chunks.count || { if case .fraction = chunks[index + 1] { false } else { true } }() {
                    s = s.dropFirst()
                    let digits = s.prefix { $0.isASCII && $0.isNumber }
                    nanos = Int((digits + String(repeating: "0", count: max(0, 9 - digits.count))).prefix(9)) ?? 0
                    s = s.dropFirst(digits.count)
                }
            case .longYear: year = try number(4, exact: true)
            case .year: year = 2000 + (try number(2, exact: true)); if year >= 2069 { year -= 100 }
            case .pm, .lowerPM: pm = try name(["PM", "AM"]) == 0
            case .zoneName:
                let letters = s.prefix { $0.isLetter }
                guard letters.count >= 3 else { throw ParseError() }
                s = s.dropFirst(letters.count)
                if letters == "UTC" || letters == "GMT" { offset = 0 }
            case .offset(let colon, let withSeconds, let hoursOnly, let z):
                if z, s.first == "Z" { s = s.dropFirst(); offset = 0; continue }
                guard let sign = s.first, sign == "+" || sign == "-" else { throw ParseError() }
                s = s.dropFirst()
                var total = try number(2, exact: true) * 3600
                if !hoursOnly {
                    if colon { guard s.first == ":" else { throw ParseError() }; s = s.dropFirst() }
                    total += try number(2, exact: true) * 60
                }
                if withSeconds {
                    if colon { guard s.first == ":" else { throw ParseError() }; s = s.dropFirst() }
                    total += try number(2, exact: true)
                }
                offset = sign == "-" ? -total : total
            case .fraction(let digits, let trim):
                guard s.first == "." || s.first == "," else {
                    if trim { continue }
                    throw ParseError()
                }
                s = s.dropFirst()
                let run = s.prefix { $0.isASCII && $0.isNumber }
                guard !run.isEmpty, trim || run.count == digits else { throw ParseError() }
                nanos = Int((run + String(repeating: "0", count: max(0, 9 - run.count))).prefix(9)) ?? 0
                s = s.dropFirst(run.count)
            }
        }
        guard s.isEmpty else { throw ParseError() }
        if let pm { hour = hour % 12 + (pm ? 12 : 0) }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { throw ParseError() }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)),
            calendar.component(.day, from: date) == day
        else { throw ParseError() }
        return (Int(date.timeIntervalSince1970.rounded()) - (offset ?? 0), nanos)
    }
}
