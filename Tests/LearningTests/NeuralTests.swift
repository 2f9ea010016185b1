import Foundation
@testable import Learning
import Testing

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
        for batch in [1, 7, 64] {
            let input = (0..<(batch * 9)).map { _ in random.nextUnit() * 2 - 1 }
            let loops = network.forwardByLoops(input, batch: batch), blas = network.forward(input, batch: batch, gemm)
            for (a, b) in zip(loops, blas) { #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 * max(1, abs($0)) }) }
            let outputGradient = (0..<(batch * 8)).map { _ in random.nextUnit() - 0.5 }
            let g1 = network.gradientsByLoops(activations: loops, outputGradient: outputGradient, batch: batch)
            let g2 = network.gradients(activations: blas, outputGradient: outputGradient, batch: batch, gemm)
            for (a, b) in zip(g1.weights + g1.biases, g2.weights + g2.biases) {
                #expect(a.count == b.count)
                #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 * max(1, abs($0)) }, "batch \(batch)")
            }
        }
    }

    /// Back-propagated gradients agree with central finite differences.
    @Test func gradientsMatchFiniteDifferences() {
        var network = DenseNetwork(sizes: [3, 5, 4, 2], seed: 11)
        let batch = 4
        var random = SplitMix64(seed: 12)
        let input = (0..<(batch * 3)).map { _ in random.nextUnit() * 2 - 1 }
        let targets = (0..<(batch * 2)).map { _ in random.nextUnit() }
        func loss(_ net: DenseNetwork) -> Double {
            let out = net.predict(input, batch: batch)
            return zip(out, targets).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let activations = network.forward(input, batch: batch)
        let outputGradient = zip(activations.last!, targets).map { $0 - $1 }
        let analytic = network.gradients(activations: activations, outputGradient: outputGradient, batch: batch)
        let h = 1e-6
        for l in network.weights.indices {
            for i in network.weights[l].indices {
                let saved = network.weights[l][i]
                network.weights[l][i] = saved + h
                let up = loss(network)
                network.weights[l][i] = saved - h
                let down = loss(network)
                network.weights[l][i] = saved
                let numeric = (up - down) / (2 * h)
                #expect(abs(numeric - analytic.weights[l][i]) < 1e-5 * max(1, abs(numeric)), "layer \(l) weight \(i)")
            }
            for i in network.biases[l].indices {
                let saved = network.biases[l][i]
                network.biases[l][i] = saved + h
                let up = loss(network)
                network.biases[l][i] = saved - h
                let down = loss(network)
                network.biases[l][i] = saved
                #expect(abs((up - down) / (2 * h) - analytic.biases[l][i]) < 1e-5, "layer \(l) bias \(i)")
            }
        }
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

    @Test func adamFitsASmallRegression() {
        var network = DenseNetwork(sizes: [1, 16, 1], seed: 3)
        var adam = AdamOptimizer(learningRate: 0.01, clipNorm: 0)
        let xs = (0..<32).map { Double($0) / 16 - 1 }, ys = xs.map { $0 * $0 }
        func mse() -> Double { zip(network.predict(xs, batch: 32), ys).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 32 }
        let before = mse()
        for _ in 0..<2_000 {
            let activations = network.forward(xs, batch: 32)
            let g = network.gradients(activations: activations, outputGradient: zip(activations.last!, ys).map { ($0 - $1) / 32 }, batch: 32)
            adam.update(&network, weightGradients: g.weights, biasGradients: g.biases)
        }
        #expect(mse() < before / 20)
    }

    /// Moments of parameters whose gradient stopped (a dead unit) decay towards zero; they must
    /// reach it rather than linger as subnormal numbers, which slowed training 2.5×.
    @Test func adamMomentsNeverGoSubnormal() {
        var network = DenseNetwork(sizes: [2, 9, 1], seed: 5)
        var adam = AdamOptimizer(learningRate: 0.001, clipNorm: 0)
        let zeros = network.weights.map { [Double](repeating: 0, count: $0.count) }, zeroBiases = network.biases.map { [Double](repeating: 0, count: $0.count) }
        var kick = zeros
        kick[0] = kick[0].indices.map { Double($0 + 1) * 0.1 }
        adam.update(&network, weightGradients: kick, biasGradients: zeroBiases)
        for _ in 0..<8_000 { adam.update(&network, weightGradients: zeros, biasGradients: zeroBiases) }
        // 0.9^8000 of a first moment of 0.01–0.2 is far below the smallest normal double.
        for moments in adam.m + adam.v { #expect(moments.allSatisfy { !$0.isSubnormal }) }
        #expect(adam.m[0].allSatisfy { $0 == 0 })
    }

    @Test func replayBufferWrapsAndSamplesWhatItHolds() {
        var buffer = ReplayBuffer(capacity: 3)
        for i in 0..<5 { buffer.append(.init(state: [Double(i)], action: 0, reward: Double(i), next: [], isTerminal: false)) }
        #expect(buffer.count == 3)
        #expect(Set(buffer.storage.map(\.reward)) == [2, 3, 4])
        var random = SplitMix64(seed: 1)
        let sample = buffer.sample(100, using: &random)
        #expect(Set(sample.map(\.reward)).isSubset(of: [2, 3, 4]))
        #expect(Set(sample.map(\.reward)).count == 3)
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

    @Test func targetNetworkUpdatesHardAndSoft() {
        var p = Self.tiny(learningStarts: 1)
        p.targetUpdateInterval = 3
        var hard = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        let t = Self.transition
        hard.observe(t)
        hard.observe(t)
        #expect(hard.target != hard.online)   // two updates: not copied yet
        hard.observe(t)
        #expect(hard.target == hard.online)   // the third update copies
        p.tau = 0.5
        var soft = DQNAgent(stateSize: 2, actionCount: 2, parameters: p)
        let before = soft.target.weights[0][0]
        soft.observe(t)
        let online = soft.online.weights[0][0]
        #expect(abs(soft.target.weights[0][0] - (before + 0.5 * (online - before))) < 1e-12)
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
