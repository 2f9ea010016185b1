/// A fixed-size ring of transitions, sampled uniformly with a seeded generator.
public struct ReplayBuffer: Sendable {
    public struct Transition: Sendable, Hashable {
        public var state: [Double]
        public var action: Int
        public var reward: Double
        public var next: [Double]
        /// True when the episode ended for real (not by a time limit): no bootstrap from `next`.
        public var isTerminal: Bool

        public init(state: [Double], action: Int, reward: Double, next: [Double], isTerminal: Bool) {
            self.state = state
            self.action = action
            self.reward = reward
            self.next = next
            self.isTerminal = isTerminal
        }
    }

    public let capacity: Int
    public private(set) var storage: [Transition] = []
    private var cursor = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { storage.count }

    /// Adds a transition, overwriting the oldest once full.
    public mutating func append(_ transition: Transition) {
        if storage.count < capacity { storage.append(transition) } else { storage[cursor] = transition }
        cursor = (cursor + 1) % capacity
    }

    /// `size` transitions drawn uniformly with replacement.
    public func sample(_ size: Int, using random: inout SplitMix64) -> [Transition] {
        precondition(!storage.isEmpty)
        return (0..<size).map { _ in storage[Int(random.next() % UInt64(storage.count))] }
    }
}
