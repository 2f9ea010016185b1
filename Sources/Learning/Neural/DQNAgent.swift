/// Deep Q-learning: an online network chooses actions epsilon-greedily and learns from
/// minibatches of replayed transitions against a target network (hard copies every
/// `targetUpdateInterval` updates, or soft updates with `tau`), with the Huber loss, Adam,
/// gradient-norm clipping and an optional double-DQN target.
public struct DQNAgent: Sendable {
    public struct Parameters: Sendable, Hashable {
        public var hiddenLayers = [128, 128, 64]
        public var learningRate = 0.001
        public var gamma = 0.99
        public var batchSize = 64
        public var replayCapacity = 50_000
        public var learningStarts = 1_000
        public var targetUpdateInterval = 500
        /// The update schedule: every `trainEvery` environment steps, `gradientSteps` minibatch
        /// updates (default 1 and 1: one update per step).
        public var trainEvery = 1
        public var gradientSteps = 1
        /// 0 means hard updates; otherwise the target moves this fraction towards the online network each update.
        public var tau = 0.0
        public var epsilonStart = 1.0
        public var epsilonEnd = 0.05
        public var epsilonDecaySteps = 10_000
        public var doubleDQN = false
        public var gradientClipNorm = 10.0
        public var huberDelta = 1.0
        public var seed: UInt64 = 0

        public init() {}
    }

    public let parameters: Parameters
    public private(set) var online: DenseNetwork
    public private(set) var target: DenseNetwork
    public private(set) var replay: ReplayBuffer
    public private(set) var steps = 0
    public private(set) var updates = 0
    /// Transitions observed (the update schedule counts these).
    var observed = 0
    var optimizer: AdamOptimizer
    var random: SplitMix64
    let actionCount: Int

    public init(stateSize: Int, actionCount: Int, parameters: Parameters = Parameters()) {
        self.parameters = parameters
        self.actionCount = actionCount
        online = DenseNetwork(sizes: [stateSize] + parameters.hiddenLayers + [actionCount], seed: parameters.seed)
        target = online
        replay = ReplayBuffer(capacity: parameters.replayCapacity)
        optimizer = AdamOptimizer(learningRate: parameters.learningRate, clipNorm: parameters.gradientClipNorm)
        random = SplitMix64(seed: parameters.seed &+ 1)
    }

    /// The exploration rate now: linear from start to end over the decay steps.
    public var epsilon: Double {
        let fraction = min(1, Double(steps) / Double(max(1, parameters.epsilonDecaySteps)))
        if fraction >= 1 { return parameters.epsilonEnd }
        return parameters.epsilonStart + (parameters.epsilonEnd - parameters.epsilonStart) * fraction
    }

    /// The greedy action for a state.
    public func decide(_ state: [Double]) -> Int { online.argmax(state) }

    /// The online network frozen for deployment: decisions in single precision.
    public func snapshot() -> InferenceNetwork { InferenceNetwork(online) }

    /// An epsilon-greedy action; counts a step.
    public mutating func act(_ state: [Double]) -> Int {
        let explore = random.nextUnit() < epsilon
        steps += 1
        return explore ? Int(random.next() % UInt64(actionCount)) : decide(state)
    }

    /// Stores a transition and, once enough are stored, learns on the update schedule.
    public mutating func observe(_ transition: ReplayBuffer.Transition) {
        replay.append(transition)
        observed += 1
        guard replay.count >= parameters.learningStarts, observed % max(1, parameters.trainEvery) == 0 else { return }
        for _ in 0..<max(1, parameters.gradientSteps) { learn() }
    }

    mutating func learn() {
        let batch = replay.sample(parameters.batchSize, using: &random)
        let n = batch.count, stateSize = online.sizes[0]
        var states = [Double](), nexts = [Double]()
        states.reserveCapacity(n * stateSize)
        nexts.reserveCapacity(n * stateSize)
        for t in batch { states += t.state; nexts += t.next }
        let nextTarget = target.predict(nexts, batch: n)
        let nextOnline = parameters.doubleDQN ? online.predict(nexts, batch: n) : []
        let activations = online.forward(states, batch: n)
        let q = activations.last!
        var outputGradient = [Double](repeating: 0, count: n * actionCount)
        for (i, t) in batch.enumerated() {
            var bootstrap = 0.0
            if !t.isTerminal {
                let row = i * actionCount
                if parameters.doubleDQN {
                    let best = (0..<actionCount).max { nextOnline[row + $0] < nextOnline[row + $1] }!
                    bootstrap = nextTarget[row + best]
                } else {
                    bootstrap = (0..<actionCount).map { nextTarget[row + $0] }.max()!
                }
            }
            let goal = t.reward + parameters.gamma * bootstrap
            let error = q[i * actionCount + t.action] - goal
            // Huber's derivative, averaged over the batch.
            let d = parameters.huberDelta
            outputGradient[i * actionCount + t.action] = (abs(error) <= d ? error : (error > 0 ? d : -d)) / Double(n)
        }
        let gradients = online.gradients(activations: activations, outputGradient: outputGradient, batch: n)
        optimizer.update(&online, weightGradients: gradients.weights, biasGradients: gradients.biases)
        updates += 1
        updateTarget()
    }

    mutating func updateTarget() {
        if parameters.tau > 0 {
            let tau = parameters.tau
            for l in target.weights.indices {
                for i in target.weights[l].indices { target.weights[l][i] += tau * (online.weights[l][i] - target.weights[l][i]) }
                for i in target.biases[l].indices { target.biases[l][i] += tau * (online.biases[l][i] - target.biases[l][i]) }
            }
        } else if updates % parameters.targetUpdateInterval == 0 {
            target = online
        }
    }
}
