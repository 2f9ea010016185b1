/// A fixed-size ring of transitions, sampled uniformly with a seeded generator. States are kept
/// in flat single-precision arrays (row i at `i * stateSize`), so a minibatch is copied straight
/// into the network's input rows.
public struct ReplayBuffer: Sendable {
    public struct Transition: Sendable, Hashable {
        public var state: [Double]
        public var action: Int
        public var reward: Double
        public var next: [Double]
        /// True when the episode ended for real (not by a time limit): no bootstrap from `next`.
        public var isTerminal: Bool
        /// Environment steps the reward covers (a multi-step return): `next` is that many steps
        /// after `state`, and its value counts discounted by γ^horizon.
        public var horizon: Int

        public init(state: [Double], action: Int, reward: Double, next: [Double], isTerminal: Bool, horizon: Int = 1) {
            precondition(horizon >= 1)
            self.state = state
            self.action = action
            self.reward = reward
            self.next = next
            self.isTerminal = isTerminal
            self.horizon = horizon
        }
    }

    public let capacity: Int, stateSize: Int
    public private(set) var count = 0
    private var cursor = 0
    var states: [Float], nexts: [Float], rewards: [Float], actions: [Int32], terminals: [Bool], horizons: [Int32]

    public init(capacity: Int, stateSize: Int) {
        precondition(capacity > 0 && stateSize > 0)
        self.capacity = capacity
        self.stateSize = stateSize
        states = []
        nexts = []
        rewards = []
        actions = []
        terminals = []
        horizons = []
    }

    /// Adds a transition, overwriting the oldest once full.
    public mutating func append(_ transition: Transition) {
        precondition(transition.state.count == stateSize && transition.next.count == stateSize, "a transition's states must have \(stateSize) values")
        if count < capacity {
            states.append(contentsOf: transition.state.lazy.map(Float.init))
            nexts.append(contentsOf: transition.next.lazy.map(Float.init))
            rewards.append(Float(transition.reward))
            actions.append(Int32(transition.action))
            terminals.append(transition.isTerminal)
            horizons.append(Int32(transition.horizon))
            count += 1
        } else {
            for k in 0..<stateSize {
                states[cursor * stateSize + k] = Float(transition.state[k])
                nexts[cursor * stateSize + k] = Float(transition.next[k])
            }
            rewards[cursor] = Float(transition.reward)
            actions[cursor] = Int32(transition.action)
            terminals[cursor] = transition.isTerminal
            horizons[cursor] = Int32(transition.horizon)
        }
        cursor = (cursor + 1) % capacity
    }

    /// The transition stored at `index` (0 ..< count).
    public subscript(index: Int) -> Transition {
        let row = index * stateSize
        return Transition(
            state: states[row..<(row + stateSize)].map(Double.init), action: Int(actions[index]), reward: Double(rewards[index]),
            next: nexts[row..<(row + stateSize)].map(Double.init), isTerminal: terminals[index],
            horizon: Int(horizons[index]))
    }

    /// `size` indices drawn uniformly with replacement.
    public func sampleIndices(_ size: Int, using random: inout SplitMix64) -> [Int] {
        precondition(count > 0)
        return (0..<size).map { _ in Int(random.next() % UInt64(count)) }
    }

    /// Copies the states (or next states) of the transitions at `indices` into consecutive rows.
    func copy(_ indices: [Int], next: Bool, into rows: UnsafeMutablePointer<Float>) {
        (next ? nexts : states).withUnsafeBufferPointer { source in
            // Rows are a few values wide: a loop, not a memmove call per row.
            for (n, index) in indices.enumerated() {
                let from = source.baseAddress! + index * stateSize, to = rows + n * stateSize
                for k in 0..<stateSize { to[k] = from[k] }
            }
        }
    }
}
