import ArgumentParser
import CommandSupport
import Foundation
import Learning
import NovaCore

/// Trains the DQN on CartPole-v1 or InfraEnv and reports what the issue measures: when the
/// 100-episode mean return reached the goal, training steps per CPU-second, and the latency of
/// one greedy decision.
struct TrainDQN: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-dqn", abstract: "Train the DQN on cartpole or infra and measure it.")
    @Option(help: "cartpole or infra.") var env = "cartpole"
    @Option(help: "Environment steps.") var steps = 100_000
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Use the double-DQN target.") var double = false
    @Option(help: "Report every this many steps.") var every = 10_000
    @Option(help: "Adam's learning rate (default 0.001).") var lr: Double?
    @Option(help: "Let the learning rate fall linearly to this (default: constant).") var lrEnd: Double?
    @Option(help: "Steps over which the learning rate falls to --lr-end (default 100000).") var lrDecay: Int?
    @Option(help: "Soft target updates: the fraction moved each update (default 0: hard copies).") var tau: Double?
    @Option(help: "Updates between hard target copies (default 500).") var targetUpdate: Int?
    @Option(help: "Steps over which epsilon falls to its floor (default 10000).") var epsilonDecay: Int?
    @Option(help: "Epsilon's floor (default 0.05).") var epsilonEnd: Double?
    @Option(help: "Minibatch size (default 64).") var batch: Int?
    @Option(help: "Hidden layer widths, comma-separated (default 128,128,64).") var hidden: String?
    @Option(help: "Transitions the replay buffer keeps (default 50000).") var replay: Int?
    @Option(help: "Steps of reward summed before bootstrapping (default 1).") var multiStep: Int?
    @Option(help: "Discount factor (default 0.99).") var gamma: Double?
    @Option(help: "Transitions stored before learning starts (default 1000).") var learningStarts: Int?
    @Option(help: "Learn every this many environment steps (default 1).") var trainEvery: Int?
    @Option(help: "Minibatch updates each time it learns (default 1).") var gradientSteps: Int?
    @Option(name: .customLong("init"), help: "First weights: he (default) or uniform (PyTorch's nn.Linear).") var initialisation: String?

    func run() async throws {
        try await reportingErrors {
            var p = DQNAgent.Parameters()
            p.seed = seed
            p.doubleDQN = double
            if let lr { p.learningRate = lr }
            if let lrEnd { p.finalLearningRate = lrEnd }
            if let lrDecay { p.learningRateDecaySteps = lrDecay }
            if let tau { p.tau = tau }
            if let targetUpdate { p.targetUpdateInterval = targetUpdate }
            if let epsilonDecay { p.epsilonDecaySteps = epsilonDecay }
            if let epsilonEnd { p.epsilonEnd = epsilonEnd }
            if let batch { p.batchSize = batch }
            if let replay {
                guard replay > 0 else { throw NovaError(.invalidRequest, "--replay must be positive") }
                p.replayCapacity = replay
            }
            if let learningStarts { p.learningStarts = learningStarts }
            if let gamma {
                guard gamma > 0, gamma <= 1 else { throw NovaError(.invalidRequest, "--gamma must be in (0, 1]") }
                p.gamma = gamma
            }
            if let multiStep {
                guard multiStep >= 1 else { throw NovaError(.invalidRequest, "--multi-step must be 1 or more") }
                p.multiStep = multiStep
            }
            if let trainEvery { p.trainEvery = trainEvery }
            if let gradientSteps { p.gradientSteps = gradientSteps }
            if let initialisation {
                guard let value = DenseNetwork.Initialisation(rawValue: initialisation) else {
                    throw NovaError(.invalidRequest, "--init must be one of \(DenseNetwork.Initialisation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                p.initialisation = value
            }
            if let hidden {
                let widths = hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
                    throw NovaError(.invalidRequest, "--hidden takes positive widths, e.g. 128,128,64")
                }
                p.hiddenLayers = widths
            }
            let isCartPole = env == "cartpole"
            guard isCartPole || env == "infra" else { throw NovaError(.invalidRequest, "--env must be cartpole or infra") }
            var agent = DQNAgent(stateSize: isCartPole ? 4 : InfraEnv.observationSize, actionCount: isCartPole ? 2 : InfraEnv.actionCount, parameters: p)
            var cartPole = CartPole(seed: seed)
            var infra = InfraEnv()
            var scenario = 0
            var state = isCartPole ? cartPole.reset() : infra.reset(scenario: 0)
            var episodeReturn = 0.0
            var returns: [Double] = []
            var solvedAt: Int?
            var bestMean100 = -Double.infinity, bestGreedy: (mean: Double, step: Int)?
            let cpuStart = cpuSeconds()
            for step in 1...steps {
                let action = agent.act(state)
                let next: [Double], reward: Double, terminal: Bool, ended: Bool
                if isCartPole {
                    let r = cartPole.step(action)
                    (next, reward, terminal, ended) = (r.state, r.reward, r.terminated, r.terminated || r.truncated)
                } else {
                    let r = infra.step(InfraEnv.Action(rawValue: action)!)
                    (next, reward, terminal, ended) = (r.observation, r.reward, false, r.isDone)
                }
                agent.observe(.init(state: state, action: action, reward: reward, next: next, isTerminal: terminal), endsEpisode: ended)
                episodeReturn += reward
                state = next
                if ended {
                    returns.append(episodeReturn)
                    episodeReturn = 0
                    if isCartPole { state = cartPole.reset() } else { scenario += 1; state = infra.reset(scenario: scenario) }
                    let mean100 = returns.count >= 100 ? returns.suffix(100).reduce(0, +) / 100 : nil
                    if let mean100 { bestMean100 = max(bestMean100, mean100) }
                    if isCartPole, solvedAt == nil, let mean100, mean100 >= 475 {
                        solvedAt = step
                        print("solved at step \(step) (episode \(returns.count))")
                        break
                    }
                }
                if step % every == 0 {
                    let mean = returns.suffix(100).reduce(0, +) / Double(max(1, min(100, returns.count)))
                    let cpu = cpuSeconds() - cpuStart
                    var line = String(
                        format: "step %7d  episodes %5d  mean100 %8.2f  epsilon %.3f  %6.0f steps/cpu-s", step, returns.count, mean,
                        agent.epsilon, Double(step) / cpu)
                    if !isCartPole {
                        let greedy = Self.evaluate(agent)
                        if greedy > bestGreedy?.mean ?? -.infinity { bestGreedy = (greedy, step) }
                        line += String(format: "  greedy mean over 120 scenarios %.1f", greedy)
                    }
                    print(line)
                }
            }
            let cpu = cpuSeconds() - cpuStart
            print(
                String(
                    format: "%d steps in %.1f cpu-s: %.0f steps/cpu-s (%@ kernels); solved: %@", agent.steps, cpu, Double(agent.steps) / cpu,
                    DenseNetwork.kernels, solvedAt.map { "at \($0)" } ?? "no"))
            if bestMean100 > -.infinity { print(String(format: "best 100-episode mean return: %.1f", bestMean100)) }
            if let bestGreedy { print(String(format: "best greedy mean over 120 scenarios: %.1f at step %d", bestGreedy.mean, bestGreedy.step)) }
            // 2,000 probes near the last state: each decision's latency (p50, p90) and its action.
            let probes = (0..<2_000).map { i in state.map { $0 + Double(i % 7) * 1e-3 } }
            func timed(_ decide: ([Double]) -> Int) -> (p50: Double, p90: Double, actions: [Int]) {
                var latencies: [Double] = [], actions: [Int] = []
                for probe in probes {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    actions.append(decide(probe))
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
                }
                latencies.sort()
                return (latencies[1_000], latencies[1_800], actions)
            }
            let training = timed { agent.decide($0) }
            print(String(format: "one decision (training network): p50 %.1f us, p90 %.1f us", training.p50, training.p90))
            let deployed = agent.snapshot()
            let snapshot = timed { deployed.argmax($0) }
            let agreements = zip(training.actions, snapshot.actions).filter { $0 == $1 }.count
            print(
                String(
                    format: "one decision (deployed snapshot): p50 %.1f us, p90 %.1f us; same action as the training network %d/2000",
                    snapshot.p50, snapshot.p90, agreements))
        }
    }

    static func evaluate(_ agent: DQNAgent) -> Double {
        var env = InfraEnv()
        var total = 0.0
        for k in 0..<InfraEnv.scenarios {
            var observation = env.reset(scenario: k)
            var done = false
            while !done {
                let r = env.step(InfraEnv.Action(rawValue: agent.decide(observation))!)
                observation = r.observation
                total += r.reward
                done = r.isDone
            }
        }
        return total / Double(InfraEnv.scenarios)
    }
}
