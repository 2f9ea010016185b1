import Foundation
import NovaCore

/// Renders resource documents as an aligned text table, with columns chosen per kind.
public enum ResourceTable {
    public static func render(_ documents: [Value], now: Date = Date()) -> String {
        guard let kind = documents.first?["kind"]?.stringValue else { return "No resources found.\n" }
        var header = ["NAME", "PHASE"]
        switch kind {
        case "VM": header += ["VCPUS", "MEMORY", "HOST"]
        case "Network": header += ["CIDR", "VLAN"]
        case "Volume": header += ["SIZE", "CLASS", "ATTACHED-TO"]
        case "Template": header += ["IMAGE", "OS"]
        default: break
        }
        header += ["VERSION", "AGE"]
        let rows = documents.map { doc -> [String] in
            let spec = doc["spec"] ?? .null
            let status = doc["status"] ?? .null
            var row = [doc["metadata"]?["name"]?.stringValue ?? "", status["phase"]?.stringValue ?? "-"]
            switch kind {
            case "VM":
                row += [text(spec["vcpus"]), spec["memoryMiB"]?.intValue.map { "\($0)Mi" } ?? "-", status["host"]?.stringValue ?? "-"]
            case "Network": row += [text(spec["cidr"]), text(spec["vlan"])]
            case "Volume": row += [spec["sizeGiB"]?.intValue.map { "\($0)Gi" } ?? "-", text(spec["class"]), text(status["observed"]?["attachedTo"])]
            case "Template":
                row += [
                    text(spec["image"]), [spec["os"]?["family"]?.stringValue, spec["os"]?["version"]?.stringValue].compactMap { $0 }.joined(separator: " "),
                ]
            default: break
            }
            let created = doc["metadata"]?["createdAt"]?.stringValue.flatMap(Timestamp.parse)
            row += [text(doc["metadata"]?["resourceVersion"]), created.map { age(now.timeIntervalSince($0)) } ?? "-"]
            return row
        }
        return align([header] + rows)
    }

    /// Left-aligned columns separated by three spaces.
    public static func align(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        let widths = (0..<width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
    }

    static func text(_ value: Value?) -> String {
        switch value {
        case .string(let s)?: s
        case .number(let n)?: n.description
        case .bool(let b)?: b ? "true" : "false"
        default: "-"
        }
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s" }
        if s < 7_200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3_600)h" }
        return "\(s / 86_400)d"
    }
}
