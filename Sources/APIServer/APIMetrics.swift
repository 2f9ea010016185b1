import ControlPlane
import Foundation
import Hummingbird
import NovaCore
import Policy
import Prometheus
import Synchronization

/// The server's Prometheus metrics: HTTP requests and latency by route, resources by kind and
/// phase (computed at scrape time), and reconciler passes and errors.
final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lastReconcile = Mutex<(passes: Int, errors: [String: Int], actions: Int)>((0, [:], 0))
    private let seenPhases = Mutex<Set<[String]>>([])
    /// Resource counts are read from the store at most this often, however often `/metrics` is
    /// scraped (each read lists every resource).
    static let countsTTL: Duration = .seconds(2)
    private let countsCache = Mutex<(at: ContinuousClock.Instant, counts: [[String]: Int])?>(nil)

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    private struct RouteKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    /// Collectors already made, so a request does not rebuild label sets under the registry's lock.
    private let collectors = Mutex<[RouteKey: (counter: Counter, histogram: DurationHistogram)]>([:])

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RouteKey(method: method, route: route, status: status)
        let pair = collectors.withLock { cache in
            if let pair = cache[key] { return pair }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "novacron", metricName: "http_requests", unitName: "total", helpText: "HTTP requests handled"),
                labels: [("method", method), ("route", route), ("status", String(status))])
            let histogram = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "http_request_duration", unitName: "seconds",
                    helpText: "HTTP request latency"),
                labels: [("method", method), ("route", route)], buckets: APIMetrics.latencyBuckets)
            cache[key] = (counter, histogram)
            return (counter, histogram)
        }
        pair.counter.increment()
        pair.histogram.record(duration)
    }

    /// Brings the scrape-time figures up to date, then renders the text format.
    private func resourceCounts(_ controlPlane: ControlPlane) async throws -> [[String]: Int] {
        if let cached = countsCache.withLock({ $0 }), ContinuousClock.now - cached.at < Self.countsTTL { return cached.counts }
        var counts: [[String]: Int] = [:]
        for count in try await controlPlane.resourceCounts(as: .system("metrics")) { counts[[count.kind, count.phase]] = count.count }
        countsCache.withLock { $0 = (ContinuousClock.now, counts) }
        return counts
    }

    func render(controlPlane: ControlPlane, reconciler: Reconciler?, policies: PolicyEngine? = nil) async throws -> String {
        let counts = try await resourceCounts(controlPlane)
        let everSeen = seenPhases.withLock { seen -> Set<[String]> in
            seen.formUnion(counts.keys); return seen
        }
        let gauge = MetricNameDescriptor(
            namespace: "novacron", metricName: "resources", unitName: "",
            helpText: "Resources by kind and phase")
        for key in everSeen {
            registry.makeGauge(descriptor: gauge, labels: [("kind", key[0]), ("phase", key[1])]).set(Double(counts[key] ?? 0))
        }
        if let reconciler {
            let stats = reconciler.statistics
            let previous = lastReconcile.withLock { last -> (passes: Int, errors: [String: Int], actions: Int) in
                let old = last
                last = (stats.passes, stats.errorsByKind, stats.actions)
                return old
            }
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "reconcile_passes", unitName: "total",
                    helpText: "Reconciler passes")
            ).increment(by: Int64(stats.passes - previous.passes))
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "reconcile_actions", unitName: "total",
                    helpText: "Driver actions taken by the reconciler")
            ).increment(by: Int64(stats.actions - previous.actions))
            let errors = MetricNameDescriptor(
                namespace: "novacron", metricName: "reconcile_errors", unitName: "total",
                helpText: "Reconcile errors by kind")
            for (kind, count) in stats.errorsByKind {
                registry.makeCounter(descriptor: errors, labels: [("kind", kind)]).increment(by: Int64(count - (previous.errors[kind] ?? 0)))
            }
        }
        if let policies {
            let (hits, misses) = await (policies.cacheHits, policies.cacheMisses)
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "policy_cache_hits", unitName: "total",
                    helpText: "Policy decisions answered from the decision cache")
            ).set(Double(hits))
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "policy_cache_misses", unitName: "total",
                    helpText: "Policy decisions evaluated (cacheable policies)")
            ).set(Double(misses))
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "novacron", metricName: "policy_cache_hit_ratio", unitName: "",
                    helpText: "Share of cacheable policy decisions answered from the cache")
            )
            .set(hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses))
        }
        return registry.emitToString()
    }
}

/// Counts every request and times it, labelled by the matched route (not the raw path, so
/// names do not explode the label set).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}
