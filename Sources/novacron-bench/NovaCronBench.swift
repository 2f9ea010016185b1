import ArgumentParser

/// Benchmarks and training harnesses: never part of the test suite, never in the product binary.
@main
struct NovaCronBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "novacron-bench",
        abstract: "NovaCron's benchmarks and training harnesses (see Benchmarks/README.md).",
        subcommands: [
            ReconcileBench.self, WorkflowBench.self, OrderingBench.self, PolicyBench.self, RegoBench.self, RegoEngine.self,
            MLBench.self, TrainDQN.self,
        ])
}
