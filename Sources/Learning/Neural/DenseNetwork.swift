import Foundation

/// A multilayer perceptron: dense layers with ReLU between them and a linear output, trained
/// with Adam, in single precision (the products run twice as wide as in double, which is what
/// a DQN's step costs).
///
/// Every parameter lives in one flat array, layer by layer, a layer's weights (input-major:
/// weight i → o at `i * outputs + o`, so the inner loops walk contiguous memory) then its
/// biases. Gradients share the layout, so Adam, clipping and target updates are single loops.
public struct DenseNetwork: Sendable, Hashable {
    /// How the first weights are drawn.
    public enum Initialisation: String, Sendable, Hashable, CaseIterable {
        /// Gaussian weights with variance 2/fan-in, zero biases (He et al.; suits ReLU).
        case he
        /// Weights and biases uniform in ±1/√fan-in: what PyTorch's `nn.Linear` draws.
        case uniform
    }

    public let sizes: [Int]
    var parameters: [Float]
    /// Where layer l's weights and biases start in `parameters`.
    let weightOffsets: [Int], biasOffsets: [Int]

    public init(sizes: [Int], seed: UInt64, initialisation: Initialisation = .he) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 })
        self.sizes = sizes
        var weightOffsets: [Int] = [], biasOffsets: [Int] = [], count = 0
        for l in 0..<(sizes.count - 1) {
            weightOffsets.append(count)
            count += sizes[l] * sizes[l + 1]
            biasOffsets.append(count)
            count += sizes[l + 1]
        }
        self.weightOffsets = weightOffsets
        self.biasOffsets = biasOffsets
        var random = SplitMix64(seed: seed)
        var parameters: [Float] = []
        parameters.reserveCapacity(count)
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            switch initialisation {
            case .he:
                let scale = (2.0 / Double(fanIn)).squareRoot()
                for _ in 0..<(fanIn * fanOut) { parameters.append(Float(Self.gaussian(&random) * scale)) }
                parameters.append(contentsOf: repeatElement(0, count: fanOut))
            case .uniform:
                let bound = 1 / Double(fanIn).squareRoot()
                for _ in 0..<(fanIn * fanOut + fanOut) { parameters.append(Float((random.nextUnit() * 2 - 1) * bound)) }
            }
        }
        self.parameters = parameters
    }

    static func gaussian(_ random: inout SplitMix64) -> Double {
        let u1 = max(random.nextUnit(), 1e-300), u2 = random.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    public var parameterCount: Int { parameters.count }
    var layerCount: Int { sizes.count - 1 }

    /// Layer l's weights, input-major.
    func weights(_ l: Int) -> ArraySlice<Float> { parameters[weightOffsets[l]..<biasOffsets[l]] }
    /// Layer l's biases.
    func biases(_ l: Int) -> ArraySlice<Float> { parameters[biasOffsets[l]..<(biasOffsets[l] + sizes[l + 1])] }

    /// Which kernels batches use: "OpenBLAS" where the library is installed (see `BLAS`), else "Swift".
    public static var kernels: String { BLAS.gemm == nil ? "Swift" : "OpenBLAS" }

    /// Outputs for a batch of inputs (row-major `batch × inputs`).
    public func predict(_ input: [Double], batch: Int = 1) -> [Double] {
        var workspace = Workspace(for: self, batch: batch)
        workspace.setInput(input)
        forward(&workspace)
        return workspace.output.map(Double.init)
    }

    /// The activations of every layer for the batch whose input is in `workspace`.
    func forward(_ workspace: inout Workspace) {
        if let gemm = BLAS.gemm { forward(&workspace, gemm) } else { forwardByLoops(&workspace) }
    }

    /// Gradients of the loss with respect to every parameter (in `gradient`, the parameters'
    /// layout), from a forward pass in `workspace` and the loss's gradient with respect to the
    /// output there (`Workspace.setOutputGradient`).
    func backward(_ workspace: inout Workspace, into gradient: inout [Float]) {
        precondition(gradient.count == parameters.count)
        if let gemm = BLAS.gemm { backward(&workspace, into: &gradient, gemm) } else { backwardByLoops(&workspace, into: &gradient) }
    }

    /// The index of the largest output for one input, computed in stack scratch space with no
    /// heap allocation: the path an exploring agent's greedy choice takes.
    public func argmax(_ input: [Double]) -> Int {
        let widest = sizes.max()!
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * widest) { scratch in
            var current = scratch.baseAddress!, next = scratch.baseAddress! + widest
            for i in 0..<sizes[0] { current[i] = Float(input[i]) }
            parameters.withUnsafeBufferPointer { p in
                for l in 0..<layerCount {
                    let inSize = sizes[l], outSize = sizes[l + 1]
                    next.update(from: p.baseAddress! + biasOffsets[l], count: outSize)
                    for i in 0..<inSize {
                        let xi = current[i]
                        if xi == 0 { continue }
                        Vector.add(p.baseAddress! + weightOffsets[l] + i * outSize, times: xi, into: next, count: outSize)
                    }
                    if l < layerCount - 1 { Vector.zeroWhereNegative(next, count: outSize) }
                    swap(&current, &next)
                }
            }
            var best = 0
            for o in 1..<sizes.last! where current[o] > current[best] { best = o }
            return best
        }
    }
}
