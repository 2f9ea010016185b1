import Foundation
import NovaCore

/// The shape of one VM's load: a base level, a daily wave peaking at a VM-specific hour, and
/// noise. Drawn once per VM from the seed.
struct LoadProfile {
    let baseCPU: Double
    let amplitude: Double
    let peakHour: Double
    let baseMemory: Double
    let peakRequests: Double

    init(random: SeededRandom) {
        var random = random
        baseCPU = 10 + random.nextUnit() * 40
        amplitude = 5 + random.nextUnit() * 30
        peakHour = 9 + random.nextUnit() * 10
        baseMemory = 30 + random.nextUnit() * 40
        peakRequests = 50 + random.nextUnit() * 950
    }

    func sample(at time: Date, noise: inout SeededRandom) -> TelemetrySample {
        let hour = time.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) / 3_600
        // 1 at the peak hour, -1 twelve hours away.
        let wave = cos((hour - peakHour) / 24 * 2 * .pi)
        let load = max(0, (wave + 1) / 2)
        let cpu = clamp(baseCPU + amplitude * wave + noise.nextGaussian() * 3)
        let memory = clamp(baseMemory + 10 * load + noise.nextGaussian() * 1.5)
        let requests = max(0, peakRequests * (0.15 + 0.85 * load) * (1 + noise.nextGaussian() * 0.05))
        let networkIn = max(0, requests * 0.08 + noise.nextGaussian() * 2)
        let networkOut = max(0, requests * 0.2 + noise.nextGaussian() * 4)
        let iops = max(0, 40 + requests * 1.5 + noise.nextGaussian() * 20)
        return TelemetrySample(
            time: time, cpuPercent: cpu, memoryPercent: memory, networkInMbps: networkIn,
            networkOutMbps: networkOut, diskIOPS: iops, requestRate: requests)
    }

    private func clamp(_ x: Double) -> Double { min(100, max(0, x)) }
}
