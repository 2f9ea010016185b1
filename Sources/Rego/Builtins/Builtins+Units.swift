import Foundation
import NovaCore

/// `units.parse` (SI and IEC suffixes, `m` for milli) and `units.parse_bytes`. Arithmetic is
/// decimal, so `0.0000005M` is exactly 0.5.
extension Builtins {
    static let units: [String: Builtin] = [
        "units.parse": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let (amount, suffix) = try amountAndUnit(a, bytes: false)
            // Only the letters after the first are case-insensitive, so `m` (milli) and `M` differ.
            let unit = suffix.count > 1 ? String(suffix.prefix(1)) + suffix.dropFirst().lowercased() : suffix
            guard let multiplier = unitMultipliers[unit] else { throw a.failure("unknown unit") }
            return number(amount * multiplier, truncate: false)
        },
        "units.parse_bytes": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            if case .string(let text) = a[0], let bytes = wholeBytes(text) { return .int(bytes) }
            let (amount, suffix) = try amountAndUnit(a, bytes: true)
            guard let multiplier = byteMultipliers[suffix.lowercased()] else { throw a.failure("byte unit \(suffix) not recognized") }
            return number(amount * multiplier, truncate: true)
        },
    ]

    static let unitMultipliers: [String: Decimal] = [
        "": 1, "m": Decimal(string: "0.001")!, "k": 1000, "K": 1000, "Ki": 1024, "ki": 1024,
        "M": pow(1000, 2), "Mi": pow(1024, 2), "mi": pow(1024, 2), "G": pow(1000, 3), "g": pow(1000, 3),
        "Gi": pow(1024, 3), "gi": pow(1024, 3), "T": pow(1000, 4), "t": pow(1000, 4), "Ti": pow(1024, 4), "ti": pow(1024, 4),
        "P": pow(1000, 5), "p": pow(1000, 5), "Pi": pow(1024, 5), "pi": pow(1024, 5), "E": pow(1000, 6), "e": pow(1000, 6),
        "Ei": pow(1024, 6), "ei": pow(1024, 6),
    ]

    static let byteMultipliers: [String: Decimal] = [
        "": 1, "b": 1, "k": 1000, "kb": 1000, "ki": 1024, "kib": 1024, "m": pow(1000, 2), "mb": pow(1000, 2),
        "mi": pow(1024, 2), "mib": pow(1024, 2), "g": pow(1000, 3), "gb": pow(1000, 3), "gi": pow(1024, 3), "gib": pow(1024, 3),
        "t": pow(1000, 4), "tb": pow(1000, 4), "ti": pow(1024, 4), "tib": pow(1024, 4), "p": pow(1000, 5), "pb": pow(1000, 5),
        "pi": pow(1024, 5), "pib": pow(1024, 5), "e": pow(1000, 6), "eb": pow(1000, 6), "ei": pow(1024, 6), "eib": pow(1024, 6),
    ]

    /// `byteMultipliers` as integers (the largest, 1024⁶, fits).
    static let wholeByteMultipliers: [String: Int] = byteMultipliers.mapValues { NSDecimalNumber(decimal: $0).intValue }

    /// The common case of `units.parse_bytes` in integer arithmetic: ASCII digits, then a
    /// known unit of ASCII letters (`512Mi`, `2G`, `100`). Nil for anything else (decimals,
    /// exponents, signs, quotes, overflow), which the Decimal path handles with the same answers.
    static func wholeBytes(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard let unitStart = utf8.firstIndex(where: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) ?? Optional(utf8.endIndex),
            unitStart != utf8.startIndex, utf8.distance(from: utf8.startIndex, to: unitStart) <= 18,
            utf8[unitStart...].allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20) })
        else { return nil }
        var amount = 0
        for digit in utf8[..<unitStart] { amount = amount * 10 + Int(digit - UInt8(ascii: "0")) }
        guard let multiplier = wholeByteMultipliers[String(text[unitStart...]).lowercased()] else { return nil }
        let (product, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    static let posix = Locale(identifier: "en_US_POSIX")

    /// Splits `12.5e3Ki` into the amount and the unit; an `e` not followed by a digit or sign
    /// is the exa unit, not an exponent.
    static func amountAndUnit(_ a: Arguments, bytes: Bool) throws(RegoError) -> (Decimal, String) {
        var raw = try a.string(0)
        if raw.utf8.contains(UInt8(ascii: "\"")) { raw = raw.replacingOccurrences(of: "\"", with: "") }
        guard !raw.utf8.contains(UInt8(ascii: " ")) else { throw a.failure("spaces not allowed in resource strings") }
        let chars = Array(raw)
        var split = chars.count
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "e" || c == "E" {
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                guard let next, next.isNumber || next == "+" || next == "-" else { split = i; break }
                if next == "+" || next == "-" { i += 1 }
            } else if !(c.isNumber || c == "." || c == "+" || c == "-") {
                split = i
                break
            }
            i += 1
        }
        let text = String(chars[..<split]), unit = String(chars[split...])
        guard !text.isEmpty else { throw a.failure(bytes ? "no byte amount provided" : "no amount provided") }
        // Whole numbers (most amounts: "512Mi", "2") skip Decimal's parser and its locale.
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), text.utf8.count <= 18, let whole = Int(text) {
            return (Decimal(whole), unit)
        }
        guard text.filter({ $0 == "." }).count <= 1, let amount = Decimal(string: text, locale: Self.posix),
            text.allSatisfy({ $0.isNumber || ".eE+-".contains($0) })
        else {
            throw a.failure(bytes ? "could not parse byte amount to a number" : "could not parse amount to a number")
        }
        return (amount, unit)
    }

    static func number(_ d: Decimal, truncate: Bool) -> Value {
        var value = d
        if truncate {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &value, 0, d < 0 ? .up : .down)
            value = rounded
        }
        var whole = Decimal()
        var copy = value
        NSDecimalRound(&whole, &copy, 0, .plain)
        if whole == value, let i = Int(exactly: NSDecimalNumber(decimal: value).int64Value), Decimal(i) == value { return .int(i) }
        return .double(NSDecimalNumber(decimal: value).doubleValue)
    }
}
