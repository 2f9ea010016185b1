/// Learns from finished runs how long each step takes and turns that into an order: when
/// workers are scarce, the ready step with the longest remaining path to the end goes first
/// (critical-path scheduling), so the run's length is bounded by its longest chain, not by luck.
public enum StepOptimizer {
    /// For each step, the duration of the longest chain from it to the end of the DAG, itself
    /// included. Steps without history count as the mean known duration (or 1).
    public static func priorities(for definition: WorkflowDefinition, durations: [String: Double]) -> [Double] {
        let known = durations.values
        let fallback = known.isEmpty ? 1 : known.reduce(0, +) / Double(known.count)
        var index: [String: Int] = [:]
        for (i, step) in definition.steps.enumerated() { index[step.name] = i }
        var dependents = Array(repeating: [Int](), count: definition.steps.count)
        for (i, step) in definition.steps.enumerated() {
            for dependency in step.dependsOn { if let j = index[dependency] { dependents[j].append(i) } }
        }
        var memo = Array(repeating: -1.0, count: definition.steps.count)
        func remaining(_ i: Int) -> Double {
            if memo[i] >= 0 { return memo[i] }
            let own = durations[definition.steps[i].name] ?? fallback
            memo[i] = own + (dependents[i].map(remaining).max() ?? 0)
            return memo[i]
        }
        return definition.steps.indices.map(remaining)
    }

    /// How many workers keep the run busy: the total work divided by the critical path, rounded up.
    public static func suggestedConcurrency(for definition: WorkflowDefinition, durations: [String: Double]) -> Int {
        let priorities = priorities(for: definition, durations: durations)
        guard let critical = priorities.max(), critical > 0 else { return 1 }
        let known = durations.values
        let fallback = known.isEmpty ? 1 : known.reduce(0, +) / Double(known.count)
        let total = definition.steps.reduce(0) { $0 + (durations[$1.name] ?? fallback) }
        return max(1, Int((total / critical).rounded(.up)))
    }
}
