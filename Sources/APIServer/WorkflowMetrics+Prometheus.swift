import Workflow

extension WorkflowMetrics {
    /// The engine's figures in Prometheus's text format: runs started, ended by state and active,
    /// attempt latency as a histogram, retries, SLA warnings and the queue for the global limit.
    func prometheusText(queueDepth: Int) -> String {
        let s = snapshot
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines.append("# HELP novacron_workflow_\(name) \(help)")
            lines.append("# TYPE novacron_workflow_\(name) \(type)")
            for sample in samples { lines.append("novacron_workflow_\(name)\(sample.labels) \(sample.value)") }
        }
        metric("runs_started_total", "counter", "Workflow runs started", [("", "\(s.runsStarted)")])
        metric(
            "runs_ended_total", "counter", "Workflow runs ended, by final state",
            RunStatus.allCases.filter(\.isTerminal).map { ("{status=\"\($0.rawValue)\"}", "\(s.runsEnded[$0] ?? 0)") })
        metric("runs_active", "gauge", "Workflow runs being driven", [("", "\(s.runsActive)")])
        metric(
            "attempts_total", "counter", "Step attempts finished, by outcome",
            [("{outcome=\"succeeded\"}", "\(s.attemptsSucceeded)"), ("{outcome=\"failed\"}", "\(s.attemptsFailed)")])
        metric("retries_total", "counter", "Step attempts scheduled again after a failure", [("", "\(s.retries)")])
        var histogram = s.stepLatencyBuckets.map { ("{le=\"\($0.bound)\"}", "\($0.count)") }
        let count = s.attemptsSucceeded + s.attemptsFailed
        histogram.append(("{le=\"+Inf\"}", "\(count)"))
        lines.append("# HELP novacron_workflow_step_duration_seconds Step attempt latency")
        lines.append("# TYPE novacron_workflow_step_duration_seconds histogram")
        for (labels, value) in histogram { lines.append("novacron_workflow_step_duration_seconds_bucket\(labels) \(value)") }
        lines.append("novacron_workflow_step_duration_seconds_sum \(s.stepSecondsTotal)")
        lines.append("novacron_workflow_step_duration_seconds_count \(count)")
        metric(
            "sla_events_total", "counter", "Runs reported at risk of or past their SLA",
            [("{level=\"at_risk\"}", "\(s.slaAtRisk)"), ("{level=\"breached\"}", "\(s.slaBreached)")])
        metric("queue_depth", "gauge", "Attempts waiting for the global concurrency limit", [("", "\(queueDepth)")])
        return lines.joined(separator: "\n") + "\n"
    }
}
