import Foundation

/// RFC 3339 timestamps with milliseconds, in UTC: how every document and API response writes time.
public enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `2026-11-29T16:35:20.979Z`. Written by hand for years 1970–9999 (Foundation's
    /// formatter took 0.3 µs, a tenth of a policy decision) with Foundation's result —
    /// milliseconds truncated from the fraction of the reference-date interval, as it does (but
    /// never a fourth digit); other years go through Foundation.
    public static func format(_ date: Date) -> String {
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        let unix = whole + 978_307_200
        guard unix >= 0, unix < 253_402_300_800 else { return date.formatted(style) }
        // Just under a whole second the fraction can round to 1 (Foundation then writes `59.1000Z`).
        let milliseconds = min(999, Int(((reference - whole) * 1000).rounded(.down)))
        let seconds = Int(unix)
        let (year, month, day) = civilDate(daysSince1970: seconds / 86_400)
        let time = seconds % 86_400
        var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, the text's length
        return withUnsafeMutableBytes(of: &bytes) { out in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0); put(month, 2, at: 5); put(day, 2, at: 8)
            put(time / 3600, 2, at: 11); put(time / 60 % 60, 2, at: 14); put(time % 60, 2, at: 17); put(milliseconds, 3, at: 20)
            (out[4], out[7], out[10], out[13], out[16], out[19], out[23]) =
                (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"), UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "Z"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Year, month and day of a day counted from 1970-01-01 (proleptic Gregorian; days ≥ 0),
    /// by eras of 400 years.
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days from 0000-03-01
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // March = 0
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? style.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    /// Milliseconds since 1970, the form the store keeps.
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
