import NovaCore
import Rego

/// The engine's decision cache: answers by policy, version and input (its time left out),
/// holding at most `capacity` of them. Once full, each new answer replaces the oldest one
/// (first in, first out), so the cost of forgetting is spread evenly: emptying the whole cache
/// when it filled up, then growing it again, made one write in two hundred several times
/// slower than the rest under 50 policies.
struct DecisionCache {
    /// Keys carry their hash (the input's content hash with the policy and version): a lookup
    /// compares the keys along its probe sequence, and reaching into each one's input object
    /// first cost a cache miss apiece. Equal hashes are confirmed by comparing the inputs.
    struct Key: Hashable {
        var policy: String
        var version: Int
        var input: DecisionInput
        /// The key's hash, from the parts above. Every insert past capacity removes a key,
        /// and removing from a table rehashes its neighbours: with SipHash over the policy name
        /// each time, eviction cost as much as a tenth of a decision.
        let keyHash: UInt64

        init(policy: String, version: Int, input: DecisionInput) {
            (self.policy, self.version, self.input) = (policy, version, input)
            keyHash = input.hash ^ (Value.string(policy).contentHash &+ UInt64(truncatingIfNeeded: version) &* 0x9E37_79B9_7F4A_7C15)
        }

        static func == (a: Key, b: Key) -> Bool {
            a.keyHash == b.keyHash && a.version == b.version && a.policy == b.policy && a.input.isSame(as: b.input)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(keyHash)
        }

        func _rawHashValue(seed: Int) -> Int {
            Int(truncatingIfNeeded: keyHash ^ UInt64(truncatingIfNeeded: seed))
        }
    }

    /// An answer, with the input it was computed for: a hit logs the same input — and
    /// fingerprint — as the miss did.
    struct Answer {
        var deny: [RegoPolicy.Message]
        var warn: [RegoPolicy.Message]
        var input: DecisionInput
    }

    let capacity: Int
    private var answers: [Key: Answer] = [:]
    /// Keys in the order they were added, as a ring; `next` is the oldest once it is full.
    /// A key whose policy changed stays here until its turn comes (removing it is a no-op).
    private var order: [Key] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        answers.reserveCapacity(self.capacity)
        order.reserveCapacity(self.capacity)
    }

    subscript(key: Key) -> Answer? { answers[key] }

    mutating func insert(_ answer: Answer, for key: Key) {
        guard answers.updateValue(answer, forKey: key) == nil else { return }
        if order.count < capacity {
            order.append(key)
        } else {
            answers[order[next]] = nil
            order[next] = key
            next = (next + 1) % capacity
        }
    }

    /// Forgets a policy's answers (it changed or went away).
    mutating func removeAll(policy name: String) {
        // Removed one by one so the table keeps its capacity.
        let stale = answers.keys.filter { $0.policy == name }
        for key in stale { answers[key] = nil }
    }
}
