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

        public init(
            time: Date, policy: String, version: Int, subject: String, operation: String, actor: String, fingerprint: String,
            result: String, cached: Bool, microseconds: Double
        ) {
            self.init(
                time: time, policy: policy, version: version, subject: subject, operation: operation, actor: actor,
                source: .fingerprint(fingerprint), result: result, cached: cached, microseconds: microseconds)
        }

        init(
            time: Date, policy: String, version: Int, subject: String, operation: String, actor: String, source: Source,
            result: String, cached: Bool, microseconds: Double
        ) {
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
            [
                "time": .string(Timestamp.format(time)), "policy": .string(policy), "version": .int(version), "subject": .string(subject),
                "operation": .string(operation), "actor": .string(actor), "inputFingerprint": .string(fingerprint), "result": .string(result),
                "cached": .bool(cached), "latencyMicroseconds": .double((microseconds * 10).rounded() / 10),
            ]
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

        public init(
            time: Date, policy: String, version: Int, enforcement: PolicySpec.Enforcement, kind: String, name: String,
            operation: String, actor: String, messages: [RegoPolicy.Message]
        ) {
            (self.time, self.policy, self.version, self.enforcement, self.kind) = (time, policy, version, enforcement, kind)
            (self.name, self.operation, self.actor, self.messages) = (name, operation, actor, messages)
        }

        public var value: Value {
            [
                "time": .string(Timestamp.format(time)), "policy": .string(policy), "version": .int(version), "enforcement": .string(enforcement.rawValue),
                "resource": ["kind": .string(kind), "name": .string(name)], "operation": .string(operation), "actor": .string(actor),
                "messages": .array(messages.map(\.value)),
            ]
        }
    }

    struct Loaded {
        var version: Int
        var policy: RegoPolicy
        /// Policies that read the clock, the network or randomness cannot be answered from the cache.
        var cacheable: Bool
    }

    /// Evaluation happens on threads with large stacks, not on the actor's: two, so one write
    /// whose policy runs to its budget does not hold up every other write's decision.
    let executor = LargeStackExecutor(name: "novacron.policy", threads: 2)
    var loaded: [String: Loaded] = [:]
    /// `loaded` in name order, the order decisions are made and reported in.
    var sortedLoaded: [(name: String, loaded: Loaded)] = []
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
    public init(records: any PolicyRecordStore = InMemoryPolicyRecords(), cacheCapacity: Int = PolicyEngine.retained) {
        self.records = records
        cache = DecisionCache(capacity: cacheCapacity)
    }

    /// Loads the policies in force and keeps them current from then on: the engine observes
    /// every commit of the door synchronously, so a policy written a moment ago decides the
    /// next write (no timer, no re-listing).
    public func attach(to controlPlane: ControlPlane) async throws {
        _ = try await controlPlane.addObserver(self, delivery: ObserverDelivery(isSynchronous: true))
        for resource in try await controlPlane.inventory(of: [.policy], as: .system("policy")).resources {
            load(name: resource.name, version: resource.metadata.resourceVersion, spec: resource.spec)
        }
    }

    /// Compiles a stored policy unless this version (or a newer one) is loaded already.
    func load(name: String, version: Int, spec: Value) {
        if let current = loaded[name], current.version >= version { return }
        guard let spec = PolicySpec.read(from: spec) else { return }
        do throws(RegoError) {
            let policy = try RegoPolicy(spec, name: name)
            loaded[name] = Loaded(version: version, policy: policy, cacheable: policy.isDeterministic)
        } catch {
            return  // checked when written; a policy that no longer compiles is not enforced
        }
        cache.removeAll(policy: name)
        sortedLoaded = loaded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func unload(name: String) {
        guard loaded.removeValue(forKey: name) != nil else { return }
        cache.removeAll(policy: name)
        sortedLoaded = loaded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The policies in force, in name order.
    func current() -> [(name: String, loaded: Loaded)] { sortedLoaded }

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
    public func decide(
        operation: String, kind: ResourceKind, resource: Resource?, oldResource: Resource?, actor: String, roles: [String],
        time: Date
    ) async throws -> [Decision] {
        let listed = sortedLoaded
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
            entries.append(
                LogEntry(
                    time: time, policy: name, version: entry.version, subject: subject, operation: operation, actor: actor,
                    source: .input(decisionInput), result: result, cached: cached,
                    microseconds: Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6))
            let messages = decision.deny + (decision.enforcement == .block ? [] : decision.warn)
            if !decision.deny.isEmpty || (decision.failure == nil && !messages.isEmpty && decision.enforcement != .block) {
                violations.append(
                    Violation(
                        time: time, policy: name, version: entry.version, enforcement: decision.enforcement, kind: kind.name,
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
        for (policyName, entry) in current() where name == nil || name == policyName {
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
                    findings.append(
                        PreviewFinding(
                            resource: skipped, deny: [], warn: [],
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

extension PolicyEngine: CommitObserver {
    public nonisolated var observerName: String { "policy" }

    public func observe(_ batch: CommitBatch) async throws {
        for change in batch.changes where change.kind == ResourceKind.policy.name {
            switch change.type {
            case .created, .updated:
                if let spec = change.document?["spec"] { load(name: change.name, version: change.resourceVersion, spec: spec) }
            case .deleted:
                unload(name: change.name)
            case .statusChanged:
                break
            }
        }
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
