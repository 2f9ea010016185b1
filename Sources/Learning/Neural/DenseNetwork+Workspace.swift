extension DenseNetwork {
    /// Scratch memory for the passes over batches of one size: every layer's activations and
    /// the gradients flowing back through them, in one buffer allocated once and reused each
    /// training step (allocating and zeroing them per step had cost a few percent in page faults).
    struct Workspace: Sendable {
        let batch: Int
        let sizes: [Int]
        var buffer: [Float]
        /// Where layer l's activations (l = 0 is the input) and the loss's gradient with respect
        /// to them start in `buffer`; each holds `batch × sizes[l]` values.
        let activationOffsets: [Int], gradientOffsets: [Int]

        init(for network: DenseNetwork, batch: Int) {
            self.batch = batch
            sizes = network.sizes
            var activationOffsets: [Int] = [], gradientOffsets: [Int] = [], count = 0
            for size in sizes {
                activationOffsets.append(count)
                count += batch * size
            }
            for size in sizes {
                gradientOffsets.append(count)
                count += batch * size
            }
            self.activationOffsets = activationOffsets
            self.gradientOffsets = gradientOffsets
            buffer = [Float](repeating: 0, count: count)
        }

        mutating func setInput(_ input: [Double]) {
            precondition(input.count == batch * sizes[0])
            for (i, x) in input.enumerated() { buffer[i] = Float(x) }
        }

        /// The last layer's activations.
        var output: ArraySlice<Float> { buffer[activationOffsets.last!..<(activationOffsets.last! + batch * sizes.last!)] }

        /// The input rows, for filling in place.
        mutating func withInput<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
            buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        }

        /// Sets the gradient with respect to the output (zero but for what `body` writes).
        mutating func setOutputGradient(_ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>) -> Void) {
            let start = gradientOffsets.last!, count = batch * sizes.last!, output = activationOffsets.last!
            buffer.withUnsafeMutableBufferPointer { b in
                let gradient = b.baseAddress! + start
                gradient.update(repeating: 0, count: count)
                body(gradient, UnsafePointer(b.baseAddress! + output))
            }
        }
    }

    /// One layer of a forward pass: where its input rows, output rows, weights and biases are.
    struct Layer {
        let inputs: Int, outputs: Int, isHidden: Bool
        let x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>
        let weights: UnsafePointer<Float>, biases: UnsafePointer<Float>
    }

    /// Runs `body` for each layer in order over the batch in `workspace` (the forward passes'
    /// common walk; each kernel fills `y` its own way).
    func forEachLayer(_ workspace: inout Workspace, _ body: (Layer) -> Void) {
        let activations = workspace.activationOffsets
        parameters.withUnsafeBufferPointer { p in
            workspace.buffer.withUnsafeMutableBufferPointer { b in
                for l in 0..<layerCount {
                    body(
                        Layer(
                            inputs: sizes[l], outputs: sizes[l + 1], isHidden: l < layerCount - 1,
                            x: b.baseAddress! + activations[l], y: b.baseAddress! + activations[l + 1],
                            weights: p.baseAddress! + weightOffsets[l], biases: p.baseAddress! + biasOffsets[l]))
                }
            }
        }
    }
}
