import Foundation

/// Deep Q-learning: an online network chooses actions epsilon-greedily and learns from
/// minibatches of replayed transitions against a target network (hard copies every
/// `targetUpdateInterval` updates, or soft updates with `tau`), with the Huber loss, Adam,
/// gradient-norm clipping and an optional double-DQN target.
public struct DQNAgent: Sendable {
    public struct Parameters: Sendable, Hashable {
        public var hiddenLayers = [128, 128, 64]
        public var learningRate = 0.001
        /// Adam's learning rate falls linearly from `learningRate` to this over the first
        /// `learningRateDecaySteps` environment steps (nil: constant). Late, smaller updates keep
        /// a learned policy from being trained away as the replay fills with its own successes.
        public var finalLearningRate: Double?
        public var learningRateDecaySteps = 100_000
        public var gamma = 0.99
        /// Rewards of this many steps are summed (discounted) before bootstrapping from the state
        /// reached: values travel back that many steps per update instead of one.
        public var multiStep = 1
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
        /// How the networks' first weights are drawn.
        public var initialisation = DenseNetwork.Initialisation.he

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
    /// A minibatch's passes, allocated once: the online network over the states, the target
    /// network over the next states, the online network over the next states (double DQN), and
    /// the gradient.
    var statesPass: DenseNetwork.Workspace, nextPass: DenseNetwork.Workspace, nextOnlinePass: DenseNetwork.Workspace
    var gradient: [Float]
    /// The episode's latest transitions not yet folded into a multi-step transition.
    var pending: [ReplayBuffer.Transition] = []
    /// γ^k for the horizons a stored transition can have (index k).
    let discounts: [Float]

    public init(stateSize: Int, actionCount: Int, parameters: Parameters = Parameters()) {
        self.parameters = parameters
        self.actionCount = actionCount
        online = DenseNetwork(
            sizes: [stateSize] + parameters.hiddenLayers + [actionCount], seed: parameters.seed,
            initialisation: parameters.initialisation)
        target = online
        replay = ReplayBuffer(capacity: parameters.replayCapacity, stateSize: stateSize)
        optimizer = AdamOptimizer(learningRate: parameters.learningRate, clipNorm: parameters.gradientClipNorm)
        random = SplitMix64(seed: parameters.seed &+ 1)
        statesPass = DenseNetwork.Workspace(for: online, batch: parameters.batchSize)
        nextPass = statesPass
        nextOnlinePass = DenseNetwork.Workspace(for: online, batch: parameters.doubleDQN ? parameters.batchSize : 0)
        gradient = [Float](repeating: 0, count: online.parameterCount)
        precondition(parameters.multiStep >= 1, "multiStep counts steps: 1 or more")
        discounts = (0...parameters.multiStep).map { Float(pow(parameters.gamma, Double($0))) }
    }

    /// The exploration rate now: linear from start to end over the decay steps.
    public var epsilon: Double {
        let fraction = min(1, Double(steps) / Double(max(1, parameters.epsilonDecaySteps)))
        if fraction >= 1 { return parameters.epsilonEnd }
        return parameters.epsilonStart + (parameters.epsilonEnd - parameters.epsilonStart) * fraction
    }

    /// Adam's learning rate now: constant, or on its linear schedule.
    public var learningRate: Double {
        guard let end = parameters.finalLearningRate else { return parameters.learningRate }
        let fraction = Double(steps) / Double(max(1, parameters.learningRateDecaySteps))
        if fraction >= 1 { return end }
        return parameters.learningRate + (end - parameters.learningRate) * fraction
    }

    /// The greedy action for a state.
    public func decide(_ state: [Double]) -> Int { online.argmax(state) }

    /// The online network frozen for deployment: decisions with SIMD rows.
    public func snapshot() -> InferenceNetwork { InferenceNetwork(online) }

    /// An epsilon-greedy action; counts a step.
    public mutating func act(_ state: [Double]) -> Int {
        let explore = random.nextUnit() < epsilon
        steps += 1
        return explore ? Int(random.next() % UInt64(actionCount)) : decide(state)
    }

    /// Stores a transition and, once enough are stored, learns on the update schedule.
    /// `endsEpisode` says the episode is over (terminated, or cut by a time limit), so a
    /// multi-step return does not run into the next one; a terminal transition always ends it.
    public mutating func observe(_ transition: ReplayBuffer.Transition, endsEpisode: Bool = false) {
        if parameters.multiStep == 1 {
            replay.append(transition)
        } else {
            pending.append(transition)
            if pending.count == parameters.multiStep { replay.append(foldPending()) }
            if endsEpisode || transition.isTerminal {
                while !pending.isEmpty { replay.append(foldPending()) }
            }
        }
        observed += 1
        guard replay.count >= parameters.learningStarts, observed % max(1, parameters.trainEvery) == 0 else { return }
        for _ in 0..<max(1, parameters.gradientSteps) { learn() }
    }

    /// The multi-step transition from the oldest pending one to the latest, which it removes.
    mutating func foldPending() -> ReplayBuffer.Transition {
        var reward = 0.0, discount = 1.0
        for t in pending {
            reward += discount * t.reward
            discount *= parameters.gamma
        }
        let first = pending.removeFirst(), last = pending.last ?? first
        return ReplayBuffer.Transition(
            state: first.state, action: first.action, reward: reward, next: last.next,
            isTerminal: last.isTerminal, horizon: pending.count + 1)
    }

    mutating func learn() {
        let n = parameters.batchSize, actions = actionCount, replay = self.replay
        let indices = replay.sampleIndices(n, using: &random)
        statesPass.withInput { replay.copy(indices, next: false, into: $0) }
        nextPass.withInput { replay.copy(indices, next: true, into: $0) }
        target.forward(&nextPass)
        online.forward(&statesPass)
        if parameters.doubleDQN {
            nextOnlinePass.withInput { replay.copy(indices, next: true, into: $0) }
            online.forward(&nextOnlinePass)
        }
        let nextTarget = nextPass.output, nextOnline = nextOnlinePass.output
        let discounts = self.discounts, delta = Float(parameters.huberDelta), isDouble = parameters.doubleDQN
        statesPass.setOutputGradient { gradient, q in
            for (i, index) in indices.enumerated() {
                let row = i * actions
                var bootstrap: Float = 0
                if !replay.terminals[index] {
                    if isDouble {
                        var best = 0
                        for a in 1..<actions where nextOnline[nextOnline.startIndex + row + a] > nextOnline[nextOnline.startIndex + row + best] { best = a }
                        bootstrap = nextTarget[nextTarget.startIndex + row + best]
                    } else {
                        bootstrap = nextTarget[(nextTarget.startIndex + row)..<(nextTarget.startIndex + row + actions)].max()!
                    }
                }
                let action = Int(replay.actions[index])
                let error = q[row + action] - (replay.rewards[index] + discounts[Int(replay.horizons[index])] * bootstrap)
                // Huber's derivative, averaged over the batch.
                gradient[row + action] = min(max(error, -delta), delta) / Float(n)
            }
        }
        online.backward(&statesPass, into: &gradient)
        optimizer.learningRate = learningRate
        optimizer.update(&online, gradient: gradient)
        updates += 1
        updateTarget()
    }

    mutating func updateTarget() {
        if parameters.tau > 0 {
            let tau = Float(parameters.tau)
            online.parameters.withUnsafeBufferPointer { source in
                target.parameters.withUnsafeMutableBufferPointer { t in
                    for i in t.indices { t[i] += tau * (source[i] - t[i]) }
                }
            }
        } else if updates % parameters.targetUpdateInterval == 0 {
            target = online
        }
    }
}
