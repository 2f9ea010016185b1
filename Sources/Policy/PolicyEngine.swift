import ControlPlane
import Foundation
import NovaCore
import Rego

/// The policies in force, compiled once per version, and what they decided: a decision cache
/// keyed by policy version and input fingerprint, a bounded decision log, and the violations
/// recorded (of every mode), queryable by resource, policy and time.
public actor PolicyEngine {
    /// One policy's answer for one write.
    public struct Decision: Sendable {
        public var policy: String
        public var version: Int
        public var enforcement: PolicySpec.Enforcement
        public var deny: [RegoPolicy.Message]
        public var warn: [RegoPolicy.Message]
        /// Set when the policy could not be evaluated (a deadline, a built-in error in strict mode).
        public var failure: String?

        public var value: Value {
            var fields: [Value: Value] = [
                "policy": .string(policy), "version": .int(version), "enforcement": .string(enforcement.rawValue),
                "deny": .array(deny.map(\.value)), "warn": .array(warn.map(\.value)),
            ]
            if let failure { fields["error"] = .string(failure) }
            return .object(fields)
        }
    }

    public struct LogEntry: Sendable {
        public var time: Date
        public var policy: String
        public var version: Int
        public var subject: String
        public var operation: String
        public var actor: String
        public var result: String
        public var cached: Bool
        public var microseconds: Double
        /// A fingerprint read back from storage, or the input it will be computed from.
        var source: Source

        enum Source: Sendable {
            case fingerprint(String)
            case input(DecisionInput)
        }

        public init(time: Date, policy: String, version: Int, subject: String, operation: String, actor: String, fingerprint: String,
                    result: String, cached: Bool, microseconds: Double) {
            self.init(time: time, policy: policy, version: version, subject: subject, operation: operation, actor: actor,
                      source: .fingerprint(fingerprint), result: result, cached: cached, microseconds: microseconds)
        }

        init(time: Date, policy: String, version: Int, subject: String, operation: String, actor: String, source: Source,
             result: String, cached: Bool, microseconds: Double) {
            (self.time, self.policy, self.version, self.subject, self.operation, self.actor) = (time, policy, version, subject, operation, actor)
            (self.source, self.result, self.cached, self.microseconds) = (source, result, cached, microseconds)
        }

        /// SHA-256 of the input's canonical JSON, its time left out.
        public var fingerprint: String {
            switch source {
            case .fingerprint(let text): text
            case .input(let input): input.fingerprint
            }
        }

        public var value: Value {
            ["time": .string(Timestamp.format(time)), "policy": .string(policy), "version": .int(version), "subject": .string(subject),
             "operation": .string(operation), "actor": .string(actor), "inputFingerprint": .string(fingerprint), "result": .string(result),
             "cached": .bool(cached), "latencyMicroseconds": .double((microseconds * 10).rounded() / 10)]
        }
    }

    public struct Violation: Sendable {
        public var time: Date
        public var policy: String
        public var version: Int
        public var enforcement: PolicySpec.Enforcement
        public var kind: String
        public var name: String
        public var operation: String
        public var actor: String
        public var messages: [RegoPolicy.Message]

        public init(time: Date, policy: String, version: Int, enforcement: PolicySpec.Enforcement, kind: String, name: String,
                    operation: String, actor: String, messages: [RegoPolicy.Message]) {
            (self.time, self.policy, self.version, self.enforcement, self.kind) = (time, policy, version, enforcement, kind)
            (self.name, self.operation, self.actor, self.messages) = (name, operation, actor, messages)
        }

        public var value: Value {
            ["time": .string(Timestamp.format(time)), "policy": .string(policy), "version": .int(version), "enforcement": .string(enforcement.rawValue),
             "resource": ["kind": .string(kind), "name": .string(name)], "operation": .string(operation), "actor": .string(actor),
             "messages": .array(messages.map(\.value))]
        }
    }

    struct Loaded {
        var version: Int
        var policy: RegoPolicy
        /// Policies that read the time cannot be answered from the cache.
        var cacheable: Bool
    }

    let store: any ResourceStore
    /// Evaluation happens on threads with large stacks, not on the actor's: two, so one write
    /// whose policy runs to its budget does not hold up every other write's decision.
    let executor = LargeStackExecutor(name: "novacron.policy", threads: 2)
    var loaded: [String: Loaded] = [:]
    var sortedLoaded: [(name: String, loaded: Loaded)]?
    var lastListed: ContinuousClock.Instant?
    var relistUntil: ContinuousClock.Instant?
    /// Policy writes admitted but not yet seen in the store: name → the stored version the
    /// write replaces (nil: none). Decisions re-read the list until each has shown up.
    var pendingWrites: [String: Int?] = [:]
    static let relistInterval: Duration = .seconds(1)
    /// Answers by policy, version and input (see `DecisionCache`).
    var cache: DecisionCache
    public private(set) var cacheHits = 0
    public private(set) var cacheMisses = 0
    let records: any PolicyRecordStore
    public static let retained = 10_000

    /// - Parameters:
    ///   - records: where decisions and violations go (in memory by default; `SQLiteStore`
    ///     keeps them across restarts).
    ///   - cacheCapacity: how many answers the decision cache holds; past it, the oldest goes.
    public init(store: any ResourceStore, records: any PolicyRecordStore = InMemoryPolicyRecords(), cacheCapacity: Int = PolicyEngine.retained) {
        self.store = store
        self.records = records
        cache = DecisionCache(capacity: cacheCapacity)
    }

    /// The policies in the store, each compiled once per version; a changed policy drops its
    /// cached decisions.
    func current() async throws -> [(name: String, loaded: Loaded)] {
        if let fresh = freshListing() { return fresh }
        let now = ContinuousClock.now
        // `lastListed` is when the listing now in force was taken, set once it is applied: set
        // before the await, a decision arriving meanwhile took the old list as fresh — and right
        // after a policy's creation that list could be empty, so the policy went unenforced.
        let page = try await store.resources(.policy, matching: LabelSelector(), after: nil, limit: 10_000)
        if let applied = lastListed, applied > now, let sorted = sortedLoaded {
            return sorted  // a listing taken after this one was applied while this one was read
        }
        lastListed = now
        var seen: Set<String> = []
        for resource in page.items {
            seen.insert(resource.name)
            let version = resource.metadata.resourceVersion
            if loaded[resource.name]?.version == version { continue }
            guard let spec = PolicySpec.read(from: resource.spec) else { continue }
            do throws(RegoError) {
                let policy = try RegoPolicy(spec, name: resource.name)
                loaded[resource.name] = Loaded(version: version, policy: policy, cacheable: !spec.rego.contains("time"))
                cache.removeAll(policy: resource.name)
            } catch {
                continue
            }
        }
        for name in loaded.keys where !seen.contains(name) {
            loaded[name] = nil
            cache.removeAll(policy: name)
        }
        // A pending write has shown up once the stored version differs from the one it replaced
        // (or the policy appeared or went away).
        pendingWrites = pendingWrites.filter { name, before in loaded[name]?.version == before && seen.contains(name) == (before != nil) }
        let sorted = loaded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        sortedLoaded = sorted
        return sorted
    }

    /// The policies as last listed, while that listing is fresh enough (without an `await`:
    /// a call that may suspend cost a decision nearly a microsecond).
    func freshListing() -> [(name: String, loaded: Loaded)]? {
        let now = ContinuousClock.now
        let awaitingWrite = !pendingWrites.isEmpty && (relistUntil.map { now <= $0 } ?? false)
        guard let listed = lastListed, now - listed < Self.relistInterval, !awaitingWrite else { return nil }
        return sortedLoaded
    }

    /// A write to policy `name`, replacing the stored `version` (nil for a create), was
    /// admitted: until it shows in the store (or two seconds have passed, when it may have been
    /// refused after all), decisions read the policies again (the list is otherwise re-read at
    /// most once a second).
    public func policyWriteAdmitted(name: String, replacing version: Int?) {
        pendingWrites[name] = .some(version)
        relistUntil = ContinuousClock.now + .seconds(2)
    }

    /// The admission input of the contract: `{operation, resource, oldResource, actor, time}`.
    public static func input(operation: String, resource: Resource?, oldResource: Resource?, actor: String, roles: [String], time: Date) -> Value {
        var fields = [Value: Value](minimumCapacity: 5)
        fields["operation"] = .string(operation)
        fields["actor"] = ["name": .string(actor), "roles": .array(roles.map(Value.string))]
        fields["time"] = .string(Timestamp.format(time))
        if let resource { fields["resource"] = resource.document }
        if let oldResource { fields["oldResource"] = oldResource.document }
        return .object(fields)
    }

    /// Every applicable policy's decision for a write; violations and decisions are recorded.
    public func decide(operation: String, kind: ResourceKind, resource: Resource?, oldResource: Resource?, actor: String, roles: [String],
                       time: Date) async throws -> [Decision] {
        let listed = if let fresh = freshListing() { fresh } else { try await current() }
        // A write no policy applies to is not described, hashed or logged.
        guard listed.contains(where: { $0.loaded.policy.spec.applies(to: kind, operation) }) else { return [] }
        let input = Self.input(operation: operation, resource: resource, oldResource: oldResource, actor: actor, roles: roles, time: time)
        var decisionInput = DecisionInput(input)
        let subject = (resource ?? oldResource).map(\.reference) ?? kind.name
        let resourceName = (resource ?? oldResource)?.name ?? ""
        var decisions: [Decision] = []
        var entries: [LogEntry] = []
        var violations: [Violation] = []
        decisions.reserveCapacity(listed.count)
        entries.reserveCapacity(listed.count)
        // One pass over the policies: a cached answer, or an evaluation whose answer is cached.
        // `entry` is the policy as listed when the decision started, so a policy replaced while
        // this one awaited (a deep policy retried on the large-stack thread) cannot receive
        // answers its previous version computed: the key names the version evaluated.
        for (name, entry) in listed where entry.policy.spec.applies(to: kind, operation) {
            let key = entry.cacheable ? DecisionCache.Key(policy: name, version: entry.version, input: decisionInput) : nil
            let begin = ContinuousClock.now
            var decision = Decision(policy: name, version: entry.version, enforcement: entry.policy.spec.enforcement, deny: [], warn: [])
            var cached = false
            if let key, let hit = cache[key] {
                (decision.deny, decision.warn, cached) = (hit.deny, hit.warn, true)
                decisionInput = hit.input
                cacheHits += 1
            } else {
                switch await evaluate(entry.policy, input) {
                case .success(let (deny, warn)):
                    (decision.deny, decision.warn) = (deny, warn)
                    if let key {
                        cacheMisses += 1
                        cache.insert(DecisionCache.Answer(deny: deny, warn: warn, input: decisionInput), for: key)
                    }
                case .failure(let error):
                    decision.failure = error.description
                }
            }
            let elapsed = ContinuousClock.now - begin
            let result = decision.failure != nil ? "error" : !decision.deny.isEmpty ? "deny" : !decision.warn.isEmpty ? "warn" : "allow"
            entries.append(LogEntry(time: time, policy: name, version: entry.version, subject: subject, operation: operation, actor: actor,
                                  source: .input(decisionInput), result: result, cached: cached,
                                  microseconds: Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6))
            let messages = decision.deny + (decision.enforcement == .block ? [] : decision.warn)
            if !decision.deny.isEmpty || (decision.failure == nil && !messages.isEmpty && decision.enforcement != .block) {
                violations.append(Violation(time: time, policy: name, version: entry.version, enforcement: decision.enforcement, kind: kind.name,
                                            name: resourceName, operation: operation, actor: actor, messages: messages))
            }
            decisions.append(decision)
        }
        if !entries.isEmpty {
            if let memory = records as? InMemoryPolicyRecords {
                memory.recordNow(decisions: entries, violations: violations)
            } else {
                try await records.record(decisions: entries, violations: violations)
            }
        }
        return decisions
    }

    /// Evaluates a policy where the caller is; a policy too deep for this thread's stack is
    /// evaluated again on the large-stack executor (policies are pure, so a retry is safe).
    func evaluate(_ policy: RegoPolicy, _ input: Value) async -> Result<([RegoPolicy.Message], [RegoPolicy.Message]), RegoError> {
        let result = Result { () throws(RegoError) in try policy.evaluate(input) }.map { ($0.deny, $0.warn) }
        if case .failure(let error) = result, error.code == .recursion, error.message.contains("stack") {
            return await executor.run { Result { () throws(RegoError) in try policy.evaluate(input) }.map { ($0.deny, $0.warn) } }
        }
        return result
    }

    /// Dry-run: one named policy (or all in force) on any input; nothing is recorded.
    public func evaluate(_ input: Value, policy name: String? = nil) async throws -> [Decision] {
        var decisions: [Decision] = []
        for (policyName, entry) in try await current() where name == nil || name == policyName {
            var decision = Decision(policy: policyName, version: entry.version, enforcement: entry.policy.spec.enforcement, deny: [], warn: [])
            let policy = entry.policy
            let outcome = await executor.run { Result { () throws(RegoError) in try policy.evaluate(input) } }
            do throws(RegoError) { (decision.deny, decision.warn) = try outcome.get() } catch { decision.failure = error.description }
            decisions.append(decision)
        }
        return decisions
    }

    /// Impact preview: which current resources a new or changed policy would object to, as if
    /// each were written again now (an update of itself).
    /// What a policy would say of each resource: its messages, or why it could not be
    /// evaluated (a failed evaluation is reported, never taken for "no violations").
    public struct PreviewFinding: Sendable {
        public var resource: Resource
        public var deny: [RegoPolicy.Message]
        public var warn: [RegoPolicy.Message]
        public var failure: String?
    }

    /// How long one preview may evaluate in all; resources left are reported, not evaluated.
    public static let previewBudget: Duration = .seconds(5)

    /// Runs on the shared large-stack thread, not the admission executor, so a preview never
    /// holds up the decisions writes wait for.
    public nonisolated func preview(_ policy: RegoPolicy, resources: [Resource], time: Date) async -> [PreviewFinding] {
        await LargeStackExecutor.shared.run { Self.findings(policy, resources: resources, time: time) }
    }

    static func findings(_ policy: RegoPolicy, resources: [Resource], time: Date) -> [PreviewFinding] {
        var findings: [PreviewFinding] = []
        let deadline = ContinuousClock.now + previewBudget
        let applicable = resources.filter { policy.spec.applies(to: $0.kind, "update") }
        for (index, resource) in applicable.enumerated() {
            if ContinuousClock.now > deadline {
                for skipped in applicable[index...] {
                    findings.append(PreviewFinding(resource: skipped, deny: [], warn: [],
                                                   failure: "not evaluated: the preview used its \(previewBudget) budget"))
                }
                break
            }
            let input = input(operation: "update", resource: resource, oldResource: resource, actor: "preview", roles: [], time: time)
            do throws(RegoError) {
                let (deny, warn) = try policy.evaluate(input)
                if !deny.isEmpty || !warn.isEmpty { findings.append(PreviewFinding(resource: resource, deny: deny, warn: warn)) }
            } catch {
                findings.append(PreviewFinding(resource: resource, deny: [], warn: [], failure: error.description))
            }
        }
        return findings
    }

    /// Violations, newest last, filtered by resource (`Kind/name` or name), policy and time.
    public func violations(resource: String? = nil, policy: String? = nil, since: Date? = nil, limit: Int = 100) async throws -> [Violation] {
        try await records.violations(resource: resource, policy: policy, since: since, limit: limit)
    }

    public func decisions(limit: Int = 100) async throws -> [LogEntry] { try await records.decisions(limit: limit) }

    public var cacheHitRate: Double {
        let total = cacheHits + cacheMisses
        return total == 0 ? 0 : Double(cacheHits) / Double(total)
    }
}

extension PolicySpec {
    /// A stored policy's spec (already checked when it was written).
    public static func read(from spec: Value) -> PolicySpec? {
        var reader = ObjectReader(spec, at: "spec")
        let result = PolicySpec.read(&reader, probing: false)
        return reader.finish().contains { $0.severity == .error } ? nil : result
    }
}
