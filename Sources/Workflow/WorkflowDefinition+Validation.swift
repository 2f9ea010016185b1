import NovaCore

extension WorkflowDefinition {
    /// Every problem with the step graph and its references, before anything runs.
    public func validate(knownActions: Set<String>? = nil) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var index: [String: Int] = [:]
        for (i, step) in steps.enumerated() where !step.name.isEmpty {
            if index[step.name] != nil {
                diagnostics.append(Diagnostic(code: "duplicate_step", message: "another step is already named \"\(step.name)\"", path: "steps[\(i)].name"))
            } else {
                index[step.name] = i
            }
        }
        for (i, step) in steps.enumerated() {
            if let knownActions {
                if !step.action.isEmpty, !knownActions.contains(step.action) {
                    diagnostics.append(
                        Diagnostic(
                            code: "unknown_action", message: "no action named \"\(step.action)\" (known: \(knownActions.sorted().joined(separator: ", ")))",
                            path: "steps[\(i)].action"))
                }
                if let compensation = step.compensate, !knownActions.contains(compensation.action) {
                    diagnostics.append(
                        Diagnostic(code: "unknown_action", message: "no action named \"\(compensation.action)\"", path: "steps[\(i)].compensate.action"))
                }
            }
            var seen: Set<String> = []
            for (j, dependency) in step.dependsOn.enumerated() {
                let path = "steps[\(i)].dependsOn[\(j)]"
                if dependency == step.name {
                    diagnostics.append(Diagnostic(code: "cyclic_dependency", message: "a step cannot depend on itself", path: path))
                } else if index[dependency] == nil {
                    diagnostics.append(Diagnostic(code: "unknown_dependency", message: "no step named \"\(dependency)\"", path: path))
                } else if !seen.insert(dependency).inserted {
                    diagnostics.append(Diagnostic(code: "duplicate_dependency", message: "\"\(dependency)\" is listed twice", path: path))
                }
            }
        }
        if let cycle = findCycle(index: index) {
            let first = index[cycle[0]] ?? 0
            diagnostics.append(
                Diagnostic(
                    code: "cyclic_dependency", message: "steps depend on each other in a cycle: \(cycle.joined(separator: " → "))",
                    path: "steps[\(first)].dependsOn"))
            return diagnostics
        }
        diagnostics += checkReferences(index: index)
        return diagnostics
    }

    /// The steps each step transitively depends on.
    func ancestors(index: [String: Int]) -> [Set<String>] {
        var memo: [Set<String>?] = Array(repeating: nil, count: steps.count)
        func visit(_ i: Int) -> Set<String> {
            if let known = memo[i] { return known }
            memo[i] = []
            var result: Set<String> = []
            for dependency in steps[i].dependsOn {
                guard let j = index[dependency], j != i else { continue }
                result.insert(dependency)
                result.formUnion(visit(j))
            }
            memo[i] = result
            return result
        }
        return steps.indices.map(visit)
    }

    private func findCycle(index: [String: Int]) -> [String]? {
        var state = Array(repeating: 0, count: steps.count)
        var stack: [Int] = []
        func visit(_ i: Int) -> [String]? {
            state[i] = 1
            stack.append(i)
            for dependency in steps[i].dependsOn {
                guard let j = index[dependency], j != i else { continue }
                if state[j] == 1 {
                    let start = stack.firstIndex(of: j)!
                    return (stack[start...] + [j]).map { steps[$0].name }
                }
                if state[j] == 0, let cycle = visit(j) { return cycle }
            }
            stack.removeLast()
            state[i] = 2
            return nil
        }
        for i in steps.indices where state[i] == 0 {
            if let cycle = visit(i) { return cycle }
        }
        return nil
    }

    private func checkReferences(index: [String: Int]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let ancestors = ancestors(index: index)
        func check(_ references: [ReferencePath], at path: String, visible: Set<String>, allowsItem: Bool, allowsSelf: String? = nil) {
            for reference in references {
                guard case .key(let root)? = reference.segments.first else { continue }
                switch root {
                case "steps":
                    guard let step = reference.stepName else {
                        diagnostics.append(Diagnostic(code: "bad_reference", message: "${\(reference)} must name a step: steps.NAME.output…", path: path))
                        continue
                    }
                    if index[step] == nil {
                        diagnostics.append(Diagnostic(code: "bad_reference", message: "${\(reference)} names no step of this workflow", path: path))
                    } else if !visible.contains(step), step != allowsSelf {
                        diagnostics.append(
                            Diagnostic(
                                code: "bad_reference",
                                message: "${\(reference)} reads step \"\(step)\", which is not among this step's dependencies, so it may not have run",
                                path: path))
                    } else if reference.segments.count > 2, reference.segments[2] != .key("output"), reference.segments[2] != .key("status") {
                        diagnostics.append(Diagnostic(code: "bad_reference", message: "${\(reference)}: a step offers .output and .status", path: path))
                    }
                case "item", "index":
                    if !allowsItem {
                        diagnostics.append(Diagnostic(code: "bad_reference", message: "${\(reference)} is only defined in a step with forEach", path: path))
                    }
                case "inputs":
                    if !inputs.isEmpty, reference.segments.count > 1, case .key(let name) = reference.segments[1], inputs[name] == nil {
                        diagnostics.append(
                            Diagnostic(code: "bad_reference", message: "${\(reference)}: the workflow declares no input \"\(name)\"", path: path))
                    }
                default:
                    break
                }
            }
        }
        for (i, step) in steps.enumerated() {
            let base = "steps[\(i)]"
            let found = Template.references(in: step.inputs, at: FieldPath(base).field("inputs"))
            diagnostics += found.diagnostics
            check(found.references, at: "\(base).inputs", visible: ancestors[i], allowsItem: step.forEach != nil)
            if let when = step.when { check(when.references, at: "\(base).when", visible: ancestors[i], allowsItem: false) }
            if let forEach = step.forEach { check([forEach], at: "\(base).forEach", visible: ancestors[i], allowsItem: false) }
            if let compensation = step.compensate {
                let found = Template.references(in: compensation.inputs, at: FieldPath(base).field("compensate").field("inputs"))
                diagnostics += found.diagnostics
                check(found.references, at: "\(base).compensate.inputs", visible: ancestors[i], allowsItem: step.forEach != nil, allowsSelf: step.name)
            }
        }
        let outputs = Template.references(in: outputs, at: "outputs")
        diagnostics += outputs.diagnostics
        check(outputs.references, at: "outputs", visible: Set(index.keys), allowsItem: false)
        return diagnostics
    }
}
