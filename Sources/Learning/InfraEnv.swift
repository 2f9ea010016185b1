/// The platform's own small control problem (specified with the team's ML reference, section 3b):
/// one service over a day of 15-minute intervals, with demand peaks, a traffic spike, a memory
/// leak and a noisy neighbour. Pure Double arithmetic in the reference's order of operations,
/// so a trajectory matches the Python reference bit for bit.
public struct InfraEnv: Sendable {
    public enum Action: Int, CaseIterable, Sendable {
        case noop, scaleUp, scaleDown, migrate, rebalance, throttle, restart, alert
    }

    public static let observationSize = 9
    public static let actionCount = 8
    public static let steps = 96
    public static let maxReplicas = 20
    public static let scenarios = 120
    static let profile: [Double] = [
        0.30, 0.25, 0.22, 0.20, 0.22, 0.28, 0.40, 0.55, 0.70, 0.82, 0.90, 0.95,
        0.97, 1.00, 0.98, 0.95, 0.90, 0.88, 0.92, 0.96, 0.90, 0.75, 0.55, 0.40,
    ]

    public private(set) var t = 0
    var startQuarter = 0, peak = 0.0, spikeStart = 0, noisyStart = 0
    var queue = 0.0, memory = 0.4, imbalance = 0.0, noisy = false, migrated = false, replicas = 1

    public init() {}

    static func demandProfile(_ quarter: Int) -> Double {
        let h0 = quarter / 4
        let fraction = Double(quarter % 4) * 0.25
        return profile[h0] + (profile[(h0 + 1) % 24] - profile[h0]) * fraction
    }

    /// Starts scenario `k` (k and k + 120 are the same day) and returns the first observation.
    public mutating func reset(scenario k: Int) -> [Double] {
        startQuarter = ((5 * k) % 24) * 4
        peak = 900.0 + 100.0 * Double(k % 5)
        spikeStart = 20 + (13 * k) % 60
        noisyStart = 30 + (7 * k) % 50
        t = 0
        queue = 0; memory = 0.40; imbalance = 0; noisy = false; migrated = false
        let demand = peak * Self.demandProfile(startQuarter % 96)
        replicas = min(Self.maxReplicas, max(1, Int((demand / 75.0).rounded(.up))))
        return simulate(.noop).observation
    }

    /// Takes an action for the next interval: the observation, the reward and whether the day is over.
    public mutating func step(_ action: Action) -> (observation: [Double], reward: Double, isDone: Bool) {
        t += 1
        let (observation, reward) = simulate(action)
        return (observation, reward, t >= Self.steps)
    }

    private mutating func simulate(_ action: Action) -> (observation: [Double], reward: Double) {
        var capacityFactor = 1.0, fee = 0.0
        var throttle = false, alert = false
        switch action {
        case .noop: break
        case .scaleUp: replicas = min(replicas + 1, Self.maxReplicas); imbalance = min(1.0, imbalance + 0.02)
        case .scaleDown: replicas = max(replicas - 1, 1); imbalance = min(1.0, imbalance + 0.02)
        case .migrate: noisy = false; migrated = true; capacityFactor = 0.9; fee = 0.2
        case .rebalance: imbalance = 0.0; capacityFactor = 0.95; fee = 0.02
        case .throttle: throttle = true
        case .restart: memory = 0.3; capacityFactor = 0.85; fee = 0.05
        case .alert: alert = true
        }
        if t == noisyStart && !migrated { noisy = true }
        let quarter = (startQuarter + t) % 96
        var demand = peak * Self.demandProfile(quarter)
        if spikeStart <= t && t < spikeStart + 8 { demand = demand * 1.6 }
        let capacity =
            100.0 * Double(replicas) * capacityFactor * (1.0 - 0.4 * imbalance) * (noisy ? 0.7 : 1.0)
            * (1.0 - 2.0 * max(0.0, memory - 0.85))
        let admitted = throttle ? demand * 0.8 : demand
        let offered = admitted + queue
        let rho = offered / capacity
        let served = min(offered, capacity)
        let excess = offered - served
        let x = min(rho, 0.95)
        let latency = 20.0 + 30.0 * x / (1.0 - x) + 400.0 * max(0.0, rho - 0.95)
        let error = min(1.0, (0.5 * excess + (demand - admitted)) / demand + 2.0 * max(0.0, memory - 0.85))
        let cost = 0.1 * Double(replicas) + 0.00005 * served + fee
        let sla = latency > 200.0 ? 1.0 : 0.0
        let falseAlert = alert && sla == 0.0 && error < 0.01 ? 0.5 : 0.0
        let reward = -cost - sla - 10.0 * error - falseAlert
        queue = 0.5 * excess
        memory = min(1.0, memory + 0.002 + 0.004 * min(rho, 1.0))
        imbalance = min(1.0, imbalance + 0.005)
        let observation = [
            min(rho, 1.0), memory, served / 2000.0, min(queue / 1000.0, 1.0), min(latency / 1000.0, 1.0), error,
            cost / 3.0, Double(replicas) / Double(Self.maxReplicas), Double(quarter) / 96.0,
        ]
        return (observation, reward)
    }

    /// The reference's threshold policy.
    public static func heuristic(_ o: [Double]) -> Action {
        if o[4] > 0.2 || o[0] > 0.8 { return .scaleUp }
        if o[1] > 0.84 { return .restart }
        if o[0] < 0.5 { return .scaleDown }
        return .noop
    }
}
