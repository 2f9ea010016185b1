import Foundation
import Infrastructure

/// Turns libvirt's cumulative domain counters into utilisation samples in the simulator's
/// shape: CPU time → %, balloon → memory %, block requests → IOPS, interface bytes → Mbps.
/// Request rate is not visible to a hypervisor and is reported as 0.
struct TelemetryRecorder {
    static let capacity = 1_440

    private var previous: [String: (time: Date, counters: [String: Double])] = [:]
    private var history: [String: [TelemetrySample]] = [:]
    private var lastSample = Date.distantPast

    func isDue(at time: Date, interval: TimeInterval) -> Bool { time.timeIntervalSince(lastSample) >= interval }

    mutating func record(_ stats: [String: [String: Double]], at time: Date) {
        lastSample = time
        for (domain, counters) in stats {
            if let (then, old) = previous[domain], let sample = Self.sample(from: old, to: counters, seconds: time.timeIntervalSince(then), at: time) {
                history[domain, default: []].append(sample)
                if history[domain]!.count > Self.capacity { history[domain]!.removeFirst(history[domain]!.count - Self.capacity) }
            }
            previous[domain] = (time, counters)
        }
        for gone in Set(previous.keys).subtracting(stats.keys) {
            previous[gone] = nil
            history[gone] = nil
        }
    }

    func samples(for domain: String, from start: Date, to end: Date) -> [TelemetrySample] {
        (history[domain] ?? []).filter { $0.time >= start && $0.time <= end }
    }

    /// One sample from two readings of cumulative counters `seconds` apart.
    static func sample(from old: [String: Double], to new: [String: Double], seconds: TimeInterval, at time: Date) -> TelemetrySample? {
        guard seconds > 0 else { return nil }
        func rate(_ keys: [String]) -> Double {
            keys.reduce(0.0) { total, key in total + max(0, (new[key] ?? 0) - (old[key] ?? new[key] ?? 0)) } / seconds
        }
        func indexed(_ countKey: String, _ suffixes: [String], _ prefix: String) -> [String] {
            let count = Int(new[countKey] ?? 0)
            return (0..<count).flatMap { i in suffixes.map { "\(prefix).\(i).\($0)" } }
        }
        let vcpus = max(1, new["vcpu.current"] ?? 1)
        let cpu = min(100, max(0, rate(["cpu.time"]) / 1e9 / vcpus * 100))
        var memory = 0.0
        if let available = new["balloon.available"], let unused = new["balloon.unused"], available > 0 {
            memory = (available - unused) / available * 100
        } else if let current = new["balloon.current"], let maximum = new["balloon.maximum"], maximum > 0 {
            memory = current / maximum * 100
        }
        let iops = rate(indexed("block.count", ["rd.reqs", "wr.reqs"], "block"))
        let inMbps = rate(indexed("net.count", ["rx.bytes"], "net")) * 8 / 1e6
        let outMbps = rate(indexed("net.count", ["tx.bytes"], "net")) * 8 / 1e6
        return TelemetrySample(
            time: time, cpuPercent: cpu, memoryPercent: min(100, max(0, memory)), networkInMbps: inMbps,
            networkOutMbps: outMbps, diskIOPS: iops, requestRate: 0)
    }
}
