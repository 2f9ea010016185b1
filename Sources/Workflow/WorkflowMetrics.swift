import Synchronization

/// Counters the engine keeps for `/metrics`: runs by state, step latency, retries, queue depth.
public final class WorkflowMetrics: Sendable {
    public struct Snapshot: Sendable {
        public var runsStarted = 0
        public var runsEnded: [RunStatus: Int] = [:]
        public var runsActive = 0
        public var attemptsSucceeded = 0
        public var attemptsFailed = 0
        public var retries = 0
        public var stepSecondsTotal = 0.0
        /// Attempts finished within each upper bound (seconds), cumulative as Prometheus wants.
        public var stepLatencyBuckets: [(bound: Double, count: Int)] = WorkflowMetrics.bounds.map { ($0, 0) }
        public var slaAtRisk = 0
        public var slaBreached = 0
        public var queueDepth = 0
    }

    static let bounds: [Double] = [0.0001, 0.001, 0.01, 0.1, 1, 10, 60, 600]
    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    func recordAttempt(seconds: Double, succeeded: Bool) {
        state.withLock { s in
            if succeeded { s.attemptsSucceeded += 1 } else { s.attemptsFailed += 1 }
            s.stepSecondsTotal += seconds
            for i in s.stepLatencyBuckets.indices where seconds <= s.stepLatencyBuckets[i].bound { s.stepLatencyBuckets[i].count += 1 }
        }
    }
}
