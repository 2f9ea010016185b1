import Foundation

/// Durations as people write them in definitions and configuration: `250ms`, `30s`, `5m`, `2h`,
/// `1d`, `1h30m`, or a plain number of seconds.
public enum DurationText {
    private static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]

    /// Seconds in `text`, or nil when it is not a duration.
    /// - Parameter unitRequired: refuse a plain number (Terraform's `timeouts` want `90s`).
    public static func parse(_ text: String, unitRequired: Bool = false) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if let plain = Double(rest) { return plain >= 0 && !unitRequired ? plain : nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let amount = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == letters }) else { return nil }
            rest = rest.dropFirst(letters.count)
            total += amount * unit.seconds
        }
        return total
    }

    /// `1.5s`, `250ms`, `2m`: the shortest honest form.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 || seconds.truncatingRemainder(dividingBy: 60) != 0 {
            let rounded = (seconds * 1000).rounded() / 1000
            return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        if seconds < 3600 || seconds.truncatingRemainder(dividingBy: 3600) != 0 { return "\(Int(seconds / 60))m" }
        return "\(Int(seconds / 3600))h"
    }
}
