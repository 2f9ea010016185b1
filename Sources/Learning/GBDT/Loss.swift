/// Gradients, initial predictions, leaf values and loss values for each `BoostingLoss`.
/// Every loss here uses a unit Hessian; absolute, Huber and quantile losses set leaf values
/// from the residuals in the leaf (their line search), as scikit-learn and LightGBM do.
enum Loss {
    static func initialPrediction(_ loss: BoostingLoss, _ y: [Double]) -> Double {
        switch loss {
        case .squaredError: y.reduce(0, +) / Double(max(1, y.count))
        case .absoluteError, .huber: quantile(y, 0.5)
        case .quantile(let alpha): quantile(y, alpha)
        }
    }

    static func gradients(_ loss: BoostingLoss, _ y: [Double], _ prediction: [Double], into g: inout [Double]) {
        switch loss {
        case .squaredError:
            for i in y.indices { g[i] = prediction[i] - y[i] }
        case .absoluteError:
            for i in y.indices { g[i] = prediction[i] > y[i] ? 1 : (prediction[i] < y[i] ? -1 : 0) }
        case .quantile(let alpha):
            for i in y.indices { g[i] = prediction[i] >= y[i] ? 1 - alpha : -alpha }
        case .huber(let alpha):
            let delta = quantile(y.indices.map { abs(y[$0] - prediction[$0]) }, alpha)
            for i in y.indices {
                let r = prediction[i] - y[i]
                g[i] = abs(r) <= delta ? r : (r > 0 ? delta : -delta)
            }
        }
    }

    /// The (unscaled) value of a leaf holding `rows`.
    static func leafValue(_ loss: BoostingLoss, y: [Double], prediction: [Double], rows: ArraySlice<Int32>, gradientSum: Double, l2: Double) -> Double {
        switch loss {
        case .squaredError, .huber:
            return -gradientSum / (Double(rows.count) + l2)
        case .absoluteError:
            return quantile(rows.map { y[Int($0)] - prediction[Int($0)] }, 0.5)
        case .quantile(let alpha):
            return quantile(rows.map { y[Int($0)] - prediction[Int($0)] }, alpha)
        }
    }

    static func value(_ loss: BoostingLoss, _ y: [Double], _ prediction: [Double]) -> Double {
        var total = 0.0
        switch loss {
        case .squaredError:
            for i in y.indices { let r = y[i] - prediction[i]; total += r * r }
        case .absoluteError:
            for i in y.indices { total += abs(y[i] - prediction[i]) }
        case .quantile(let alpha):
            for i in y.indices { let r = y[i] - prediction[i]; total += r >= 0 ? alpha * r : (alpha - 1) * r }
        case .huber:
            for i in y.indices { let r = abs(y[i] - prediction[i]); total += r <= 1 ? 0.5 * r * r : r - 0.5 }
        }
        return total / Double(max(1, y.count))
    }

    /// The `alpha` quantile by linear interpolation between order statistics.
    static func quantile(_ values: [Double], _ alpha: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let position = alpha * Double(sorted.count - 1)
        let low = Int(position), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
