import CLearningKernels
import Foundation
import Testing

@testable import Learning

@Suite struct NeuralTests {
    /// Where OpenBLAS is installed, batches go through it: it must give what the network's own
    /// loops give (the finite-difference check below covers whichever is in use).
    @Test func openBLASAndTheLoopsAgree() throws {
        guard let gemm = BLAS.gemm else {
            print("OpenBLAS not installed (apt-get install libopenblas0) or NOVACRON_BLAS=off: only the loops are checked")
            return
        }
        let network = DenseNetwork(sizes: [9, 128, 128, 64, 8], seed: 3)
        var random = SplitMix64(seed: 4)
        func close(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) }
        }
        for batch in [1, 7, 64] {
            var loops = DenseNetwork.Workspace(for: network, batch: batch)
            loops.setInput((0..<(batch * 9)).map { _ in random.nextUnit() * 2 - 1 })
            var blas = loops
            network.forwardByLoops(&loops)
            network.forward(&blas, gemm)
            #expect(close(loops.output, blas.output), "batch \(batch)")
            let outputGradient = (0..<(batch * 8)).map { _ in Float(random.nextUnit() - 0.5) }
            loops.setOutputGradient { g, _ in for (i, x) in outputGradient.enumerated() { g[i] = x } }
            blas.setOutputGradient { g, _ in for (i, x) in outputGradient.enumerated() { g[i] = x } }
            var g1 = [Float](repeating: 0, count: network.parameterCount), g2 = g1
            network.backwardByLoops(&loops, into: &g1)
            network.backward(&blas, into: &g2, gemm)
            #expect(close(g1, g2), "batch \(batch)")
            #expect(g1.contains { $0 != 0 })
        }
    }

    /// The loss of a network whose parameters are `parameters`, computed in double precision
    /// (a reference for the single-precision network's gradients).
    static func loss(_ network: DenseNetwork, parameters: [Double], input: [Double], targets: [Double], batch: Int) -> Double {
        var values = input, width = network.sizes[0]
        for l in 0..<network.layerCount {
            let outSize = network.sizes[l + 1]
            var next = [Double](repeating: 0, count: batch * outSize)
            for n in 0..<batch {
                for o in 0..<outSize {
                    var sum = parameters[network.biasOffsets[l] + o]
                    for i in 0..<width { sum += values[n * width + i] * parameters[network.weightOffsets[l] + i * outSize + o] }
                    next[n * outSize + o] = l < network.layerCount - 1 ? max(0, sum) : sum
                }
            }
            values = next
            width = outSize
        }
        return zip(values, targets).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) }
    }

    /// Back-propagated gradients agree with central finite differences of the loss (taken in
    /// double precision over the network's own parameters).
    @Test func gradientsMatchFiniteDifferences() {
        let network = DenseNetwork(sizes: [3, 5, 4, 2], seed: 11, initialisation: .uniform)
        let batch = 4
        var random = SplitMix64(seed: 12)
        let input = (0..<(batch * 3)).map { _ in random.nextUnit() * 2 - 1 }
        let targets = (0..<(batch * 2)).map { _ in random.nextUnit() }
        var workspace = DenseNetwork.Workspace(for: network, batch: batch)
        workspace.setInput(input)
        network.forward(&workspace)
        let output = Array(workspace.output)
        workspace.setOutputGradient { g, _ in for i in 0..<(batch * 2) { g[i] = output[i] - Float(targets[i]) } }
        var analytic = [Float](repeating: 0, count: network.parameterCount)
        network.backward(&workspace, into: &analytic)
        var parameters = network.parameters.map(Double.init)
        let h = 1e-6
        for k in parameters.indices {
            let saved = parameters[k]
            parameters[k] = saved + h
            let up = Self.loss(network, parameters: parameters, input: input, targets: targets, batch: batch)
            parameters[k] = saved - h
            let down = Self.loss(network, parameters: parameters, input: input, targets: targets, batch: batch)
            parameters[k] = saved
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - Double(analytic[k])) < 1e-4 * max(1, abs(numeric)), "parameter \(k)")
        }
        #expect(analytic.contains { abs($0) > 1e-3 })
    }

    @Test func argmaxAgreesWithTheFullForwardPass() {
        let network = DenseNetwork(sizes: [9, 32, 16, 8], seed: 21)
        var random = SplitMix64(seed: 22)
        for _ in 0..<200 {
            let input = (0..<9).map { _ in random.nextUnit() * 2 - 1 }
            let q = network.predict(input)
            #expect(network.argmax(input) == q.indices.max { q[$0] < q[$1] }!)
        }
    }

    @Test(arguments: DenseNetwork.Initialisation.allCases)
    func initialisationDrawsWhatItSays(_ initialisation: DenseNetwork.Initialisation) {
        let network = DenseNetwork(sizes: [64, 256, 4], seed: 2, initialisation: initialisation)
        let weights = network.weights(0), biases = network.biases(0)
        let variance = weights.reduce(0) { $0 + Double($1 * $1) } / Double(weights.count)
        switch initialisation {
        case .he:
            #expect(abs(variance - 2.0 / 64) < 0.1 * 2.0 / 64)
            #expect(biases.allSatisfy { $0 == 0 })
        case .uniform:
            // Uniform in ±1/8: variance (1/8)² / 3.
            #expect(abs(variance - 1.0 / 192) < 0.1 / 192)
            #expect(weights.allSatisfy { abs($0) <= 0.125 } && biases.allSatisfy { abs($0) <= 0.125 })
            #expect(biases.contains { $0 != 0 })
        }
    }

    @Test func adamFitsASmallRegression() {
        var network = DenseNetwork(sizes: [1, 16, 1], seed: 3)
        var adam = AdamOptimizer(learningRate: 0.01, clipNorm: 0)
        let xs = (0..<32).map { Double($0) / 16 - 1 }, ys = xs.map { Float($0 * $0) }
        func mse() -> Double { zip(network.predict(xs, batch: 32), ys).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / 32 }
        let before = mse()
        var workspace = DenseNetwork.Workspace(for: network, batch: 32)
        workspace.setInput(xs)
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        for _ in 0..<2_000 {
            network.forward(&workspace)
            workspace.setOutputGradient { g, out in for i in 0..<32 { g[i] = (out[i] - ys[i]) / 32 } }
            network.backward(&workspace, into: &gradient)
            adam.update(&network, gradient: gradient)
        }
        #expect(mse() < before / 20)
    }

    /// Moments of parameters whose gradient stopped (a dead unit) decay towards zero; they must
    /// reach it rather than pass through subnormal numbers, which slowed training 2.5×.
    @Test func adamMomentsNeverGoSubnormal() {
        var network = DenseNetwork(sizes: [2, 9, 1], seed: 5)
        var adam = AdamOptimizer(learningRate: 0.001, clipNorm: 0)
        let zeros = [Float](repeating: 0, count: network.parameterCount)
        var kick = zeros
        for i in 0..<18 { kick[i] = Float(i + 1) * 0.1 }
        adam.update(&network, gradient: kick)
        // 0.9^k of a first moment of 0.01–0.18 passes the smallest normal float near k = 800.
        for _ in 0..<1_500 {
            adam.update(&network, gradient: zeros)
            #expect(!adam.m.contains { $0.isSubnormal } && !adam.v.contains { $0.isSubnormal })
        }
        #expect(adam.m.allSatisfy { $0 == 0 })
    }

    /// Every Adam kernel this CPU can run (scalar, AVX2, AVX-512) follows the update worked in
    /// double precision, tail included (37 parameters: not a whole number of vectors).
    @Test func adamKernelsMatchTheUpdateInDoublePrecision() {
        var random = SplitMix64(seed: 9)
        let count = 37
        for level in 0...nc_kernel_level() {
            var network = DenseNetwork(sizes: [4, 6, 1], seed: 2)
            precondition(network.parameterCount == count)
            var adam = AdamOptimizer(learningRate: 0.01, clipNorm: 0.5)
            adam.kernelLevel = level
            var w = network.parameters.map(Double.init), m = [Double](repeating: 0, count: count), v = m
            for step in 1...20 {
                let g = (0..<count).map { _ in Float(random.nextUnit() * 2 - 1) }
                let norm = g.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot(), scale = norm > 0.5 ? 0.5 / norm : 1
                for i in 0..<count {
                    let gi = Double(g[i]) * scale
                    m[i] = 0.9 * m[i] + 0.1 * gi
                    v[i] = 0.999 * v[i] + 0.001 * gi * gi
                    let mHat = m[i] / (1 - pow(0.9, Double(step))), vHat = v[i] / (1 - pow(0.999, Double(step)))
                    w[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
                }
                adam.update(&network, gradient: g)
            }
            for i in 0..<count { #expect(abs(Double(network.parameters[i]) - w[i]) < 1e-5, "level \(level), parameter \(i)") }
        }
    }

    @Test func replayBufferWrapsAndSamplesWhatItHolds() {
        var buffer = ReplayBuffer(capacity: 3, stateSize: 1)
        for i in 0..<5 { buffer.append(.init(state: [Double(i)], action: i, reward: Double(i), next: [Double(i + 1)], isTerminal: i == 4)) }
        #expect(buffer.count == 3)
        #expect(Set((0..<3).map { buffer[$0].reward }) == [2, 3, 4])
        #expect((0..<3).allSatisfy { buffer[$0].next == [buffer[$0].reward + 1] && buffer[$0].action == Int(buffer[$0].reward) })
        #expect((0..<3).filter { buffer[$0].isTerminal }.map { buffer[$0].reward } == [4])
        var random = SplitMix64(seed: 1)
        let sample = buffer.sampleIndices(100, using: &random)
        #expect(Set(sample) == [0, 1, 2])
        var rows = [Float](repeating: -1, count: 3)
        rows.withUnsafeMutableBufferPointer { buffer.copy([2, 0, 2], next: true, into: $0.baseAddress!) }
        #expect(rows == [Float(buffer[2].next[0]), Float(buffer[0].next[0]), Float(buffer[2].next[0])])
    }

    /// A tiny agent's settings (one hidden layer of 4, minibatches of 2) and a transition for it.
    static func tiny(learningStarts: Int) -> DQNAgent.Parameters {
        var p = DQNAgent.Parameters()
        p.hiddenLayers = [4]
        p.learningStarts = learningStarts
        p.batchSize = 2
        return p
    }

    static let transition = ReplayBuffer.Transition(state: [1, 0], action: 1, reward: 1, next: [0, 1], isTerminal: false)

    @Test func targetNetworkUpdatesHardAndSoft() throws {
        var p = Self.tiny(learningStarts: 1)
        p.targetUpdateInterval = 3
        var hard = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        let t = Self.transition
        hard.observe(t)
        hard.observe(t)
        #expect(hard.target != hard.online)  // two updates: not copied yet
        hard.observe(t)
        #expect(hard.target == hard.online)  // the third update copies
        p.tau = 0.5
        var soft = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        let before = soft.target.parameters
        soft.observe(t)
        let moved = try #require(before.indices.first { soft.online.parameters[$0] != before[$0] })
        for k in before.indices {
            #expect(abs(soft.target.parameters[k] - (before[k] + 0.5 * (soft.online.parameters[k] - before[k]))) < 1e-6)
        }
        #expect(soft.target.parameters[moved] != before[moved])
    }

    @Test func theUpdateScheduleCountsEnvironmentSteps() {
        var p = Self.tiny(learningStarts: 2)
        p.trainEvery = 3
        p.gradientSteps = 2
        var agent = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        var updates: [Int] = []
        for _ in 0..<9 {
            agent.observe(Self.transition)
            updates.append(agent.updates)
        }
        // Steps 3, 6 and 9 learn, two minibatches each.
        #expect(updates == [0, 0, 2, 2, 2, 4, 4, 4, 6])
    }

    @Test func epsilonDecaysLinearly() {
        var p = DQNAgent.Parameters()
        p.epsilonDecaySteps = 100
        var agent = DQNAgent(stateSize: 4, actionCount: 2, parameters: p)
        #expect(agent.epsilon == 1)
        for _ in 0..<50 { _ = agent.act([0, 0, 0, 0]) }
        #expect(abs(agent.epsilon - 0.525) < 1e-12)
        for _ in 0..<100 { _ = agent.act([0, 0, 0, 0]) }
        #expect(agent.epsilon == 0.05)
    }

    /// Multi-step returns: each stored transition sums up to n discounted rewards and points at
    /// the state n steps on; an episode's end flushes shorter ones and none spans two episodes.
    @Test func multiStepTransitionsFoldRewardsWithinAnEpisode() {
        var p = Self.tiny(learningStarts: 1_000)
        p.multiStep = 3
        p.gamma = 0.5
        var agent = DQNAgent(stateSize: 1, actionCount: 2, parameters: p)
        func step(_ i: Int, reward: Double, terminal: Bool = false, ends: Bool = false) {
            agent.observe(.init(state: [Double(i)], action: i % 2, reward: reward, next: [Double(i + 1)], isTerminal: terminal), endsEpisode: ends)
        }
        step(0, reward: 1)
        step(1, reward: 2)
        #expect(agent.replay.count == 0)
        step(2, reward: 4)
        step(3, reward: 8, terminal: true)
        // A time limit cuts the next episode after two steps.
        step(10, reward: 16)
        step(11, reward: 32, ends: true)
        let stored = (0..<agent.replay.count).map { agent.replay[$0] }
        #expect(stored.map(\.state) == [[0], [1], [2], [3], [10], [11]])
        #expect(stored.map(\.reward) == [3, 6, 8, 8, 32, 32])
        #expect(stored.map(\.next) == [[3], [4], [4], [4], [12], [12]])
        #expect(stored.map(\.horizon) == [3, 3, 2, 1, 2, 1])
        #expect(stored.map(\.isTerminal) == [false, true, true, true, false, false])
        #expect(stored.map(\.action) == [0, 1, 0, 1, 0, 1])
    }

    @Test func theLearningRateFollowsItsSchedule() {
        var p = Self.tiny(learningStarts: 1)
        var constant = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        p.finalLearningRate = 0.0001
        p.learningRateDecaySteps = 10
        var decaying = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        #expect(decaying.learningRate == 0.001)
        for _ in 0..<5 {
            _ = decaying.act([0, 0])
            _ = constant.act([0, 0])
        }
        #expect(abs(decaying.learningRate - 0.00055) < 1e-12 && constant.learningRate == 0.001)
        for _ in 0..<20 { _ = decaying.act([0, 0]) }
        #expect(decaying.learningRate == 0.0001)
        decaying.observe(Self.transition)
        #expect(decaying.optimizer.learningRate == 0.0001)
    }

    @Test func cartPoleFollowsGymnasiumsRules() {
        var env = CartPole(seed: 0)
        let start = env.reset()
        #expect(start.allSatisfy { abs($0) <= 0.05 })
        // Pushing right every step tips the pole over within a few dozen steps.
        var steps = 0, terminated = false
        while !terminated && steps < 500 { terminated = env.step(1).terminated; steps += 1 }
        #expect(terminated && steps < 60)
        // One Euler step from rest at the origin, pushing right (values from gymnasium's equations).
        var probe = CartPole(seed: 0)
        _ = probe.reset()
        probe.state = [0, 0, 0, 0]
        let s = probe.step(1).state
        #expect(s[0] == 0 && s[2] == 0)
        #expect(abs(s[1] - 0.1951219512195122) < 1e-12)
        #expect(abs(s[3] - -0.2926829268292683) < 1e-12)
    }

    @Test func seededAgentsAreReproducible() {
        func run() -> [Double] {
            var p = DQNAgent.Parameters()
            p.hiddenLayers = [16]
            p.learningStarts = 32
            p.batchSize = 8
            var agent = DQNAgent(stateSize: 4, actionCount: 2, parameters: p)
            var env = CartPole(seed: 5)
            var state = env.reset()
            for _ in 0..<200 {
                let action = agent.act(state)
                let step = env.step(action)
                agent.observe(.init(state: state, action: action, reward: step.reward, next: step.state, isTerminal: step.terminated))
                state = step.terminated || step.truncated ? env.reset() : step.state
            }
            return agent.online.predict([0.01, 0, 0.02, 0])
        }
        #expect(run() == run())
    }
}

@Suite struct InferenceNetworkTests {
    @Test func singlePrecisionSnapshotDecidesAsTheTrainingNetwork() {
        let network = DenseNetwork(sizes: [9, 128, 128, 64, 8], seed: 5)
        let snapshot = InferenceNetwork(network)
        var random = SplitMix64(seed: 99)
        var decided = 0
        for _ in 0..<500 {
            let input = (0..<9).map { _ in random.nextUnit() * 4 - 2 }
            let exact = network.predict(input)
            let approximate = snapshot.outputs(input)
            for (a, b) in zip(exact, approximate) { #expect(abs(a - b) <= 1e-4 * max(1, abs(a))) }
            // Where the best two outputs are not a near-tie, the snapshot must pick the same action.
            let ranked = exact.enumerated().sorted { $0.element > $1.element }
            if ranked[0].element - ranked[1].element > 1e-3 {
                #expect(snapshot.argmax(input) == network.argmax(input))
                decided += 1
            }
        }
        #expect(decided > 400)
    }

    @Test func oddLayerWidthsArePadded() {
        let network = DenseNetwork(sizes: [3, 5, 4, 3], seed: 8)
        let snapshot = InferenceNetwork(network)
        for input in [[0.1, -0.5, 2.0], [1.0, 1.0, 1.0], [0.0, 0.0, -3.0]] {
            for (a, b) in zip(network.predict(input), snapshot.outputs(input)) { #expect(abs(a - b) < 1e-4) }
            #expect(snapshot.argmax(input) == network.argmax(input))
        }
    }
}
