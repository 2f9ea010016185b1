import Foundation
import NovaCore

/// A managed resource backed by one NovaCron kind: create is a POST, read a GET, update a PUT
/// at the version just read (Terraform owns the whole desired state), delete a DELETE. Create
/// and update wait, within the `timeouts` block, until the reconciler reports the change made.
struct KindResource<Mapping: KindMapping>: ResourceWithImportState, ResourceWithUpgradeState {
    var typeName: String { Mapping.typeName }

    let schema: Schema = Schema(
        version: Mapping.schemaVersion, description: Mapping.summary,
        attributes: [
            .computed("id", .string, "The resource's name, which is its identifier in NovaCron."),
            .required("name", .string, "Unique name of the \(Mapping.kindName). Changing it replaces the resource.", requiresReplace: true),
            .optional("labels", .map(.string), "Labels for selection and policies, e.g. { env = \"prod\" }."),
            .computed("uid", .string, "NovaCron's immutable unique id for this object."),
        ] + Mapping.attributes,
        blocks: Mapping.blocks + [.timeouts(["create", "update", "delete"])])

    /// A disk or volume asked to shrink in place is refused at plan time (the data would not fit).
    func modifyPlan(_ change: inout PlannedChange, prior: TerraformValue, config: TerraformValue) {
        guard !prior.isNull, change.requiresReplace.isEmpty else { return }
        for attribute in Mapping.growOnlyAttributes {
            guard let before = prior[attribute].numberValue, let after = change.planned[attribute].numberValue, after < before else { continue }
            change.diagnostics.append(
                .error(
                    "\(Mapping.kindName) cannot shrink",
                    "\(attribute) would go from \(Int(before)) to \(Int(after)) GiB; NovaCron grows disks and volumes in place but never shrinks them. Keep \(Int(before)) or more, or replace the resource (terraform apply -replace=…).",
                    at: AttributePath(stringLiteral: attribute)))
        }
    }

    func validate(config: TerraformValue) -> [TerraformDiagnostic] {
        var problems: [TerraformDiagnostic] = []
        if case .object(let timeouts) = config["timeouts"] {
            for (operation, value) in timeouts {
                if let text = value.stringValue, parseDuration(text) == nil {
                    problems.append(
                        .error(
                            "Invalid duration", "\"\(text)\" is not a duration such as \"30s\", \"10m\" or \"1h\".",
                            at: AttributePath([.attribute("timeouts"), .attribute(operation)])))
                }
            }
        }
        // The server's name and label rules, for the values already known.
        if let name = config["name"].stringValue, let problem = ResourceName.problem(with: name) {
            problems.append(.error("Invalid name", "The name \(problem).", at: "name"))
        }
        if case .map(let labels) = config["labels"] {
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                let path = AttributePath([.attribute("labels"), .key(key)])
                if let problem = LabelRules.keyProblem(key) { problems.append(.error("Invalid label", "The label \(problem)", at: path)) }
                if let text = value.stringValue, let problem = LabelRules.valueProblem(text) {
                    problems.append(.error("Invalid label", "The \(problem)", at: path))
                }
            }
        }
        // The server's own spec rules, at plan time, once every value is known.
        if let kind = Mapping.specKind, config.isWhollyKnown {
            for diagnostic in kind.normalizeSpec(Mapping.spec(from: config)).diagnostics where diagnostic.severity == .error {
                problems.append(
                    .error(
                        "Invalid \(Mapping.kindName)", diagnostic.message,
                        at: diagnostic.path.flatMap { NovaCronAPI.attributePath(for: $0, fields: fieldAttributes) }))
            }
        }
        return problems
    }

    func create(planned: TerraformValue, context: OperationContext) async throws -> TerraformValue {
        let name = planned["name"].stringValue ?? ""
        let document = Value.object([
            "apiVersion": .string(Resource.apiVersion), "kind": .string(Mapping.kindName),
            "metadata": metadata(name: name, labels: planned["labels"], annotations: nil),
            "spec": Mapping.spec(from: planned),
        ])
        let written: Value
        do {
            let reply = try await context.api.create(Mapping.plural, document)
            reply.warnings.forEach { context.warn(.warning("NovaCron policy warning", $0)) }
            written = reply.document
        } catch let error as NovaError where error.code == .alreadyExists {
            throw DiagnosticsError(diagnostics: [try await adoptionHint(name, context: context)])
        } catch {
            throw DiagnosticsError(
                diagnostics: NovaCronAPI.diagnostics(
                    for: error, action: "create \(Mapping.kindName) \"\(name)\"",
                    fields: fieldAttributes))
        }
        let settled = try await waitForReconcile(written, context: context)
        return state(from: settled, reference: planned)
    }

    /// Why a create found the name taken, and how to bring the object under this configuration.
    private func adoptionHint(_ name: String, context: OperationContext) async throws -> TerraformDiagnostic {
        let owner = (try? await context.api.get(Mapping.plural, name))?["metadata"]?["managedBy"]?.stringValue
        let origin =
            switch owner {
            case "terraform": "Terraform made it (an earlier apply was probably interrupted before it could save it in the state)"
            case let other?: "it is managed by \(other)"
            case nil: "it was made outside Terraform"
            }
        return .error(
            "\(Mapping.kindName) \"\(name)\" already exists on NovaCron",
            """
            \(origin). To manage it with this configuration, import it instead of creating it:

              terraform import \(Mapping.typeName).<resource name> \(name)

            or, in the configuration:

              import {
                to = \(Mapping.typeName).<resource name>
                id = "\(name)"
              }

            Otherwise choose another name.
            """)
    }

    func read(state: TerraformValue, context: OperationContext) async throws -> TerraformValue? {
        let name = state["name"].stringValue ?? state["id"].stringValue ?? ""
        do {
            guard let document = try await context.api.get(Mapping.plural, name) else { return nil }
            return self.state(from: document, reference: state)
        } catch {
            throw DiagnosticsError(diagnostics: NovaCronAPI.diagnostics(for: error, action: "read \(Mapping.kindName) \"\(name)\""))
        }
    }

    func update(prior: TerraformValue, planned: TerraformValue, context: OperationContext) async throws -> TerraformValue {
        let name = planned["name"].stringValue ?? ""
        let action = "update \(Mapping.kindName) \"\(name)\""
        let written: Value
        do {
            guard let current = try await context.api.get(Mapping.plural, name) else {
                throw DiagnosticsError(diagnostics: [
                    .error("Cannot \(action)", "\(Mapping.kindName) \"\(name)\" no longer exists in NovaCron; run terraform apply again to create it.")
                ])
            }
            let document = Value.object([
                "apiVersion": .string(Resource.apiVersion), "kind": .string(Mapping.kindName),
                "metadata": metadata(
                    name: name, labels: planned["labels"], annotations: current["metadata"]?["annotations"],
                    resourceVersion: current["metadata"]?["resourceVersion"]),
                "spec": Mapping.spec(from: planned),
            ])
            let reply = try await context.api.replace(Mapping.plural, name, document)
            reply.warnings.forEach { context.warn(.warning("NovaCron policy warning", $0)) }
            written = reply.document
        } catch let error as DiagnosticsError {
            throw error
        } catch {
            throw DiagnosticsError(diagnostics: NovaCronAPI.diagnostics(for: error, action: action, fields: fieldAttributes))
        }
        let settled = try await waitForReconcile(written, context: context)
        return state(from: settled, reference: planned)
    }

    func delete(state: TerraformValue, context: OperationContext) async throws {
        let name = state["name"].stringValue ?? ""
        do {
            try await context.api.delete(Mapping.plural, name)
        } catch {
            throw DiagnosticsError(diagnostics: NovaCronAPI.diagnostics(for: error, action: "delete \(Mapping.kindName) \"\(name)\""))
        }
    }

    func importState(id: String) throws -> TerraformValue {
        guard !id.isEmpty else {
            throw DiagnosticsError(diagnostics: [
                .error("Invalid import id", "Give the \(Mapping.kindName)'s name: terraform import \(typeName).NAME my-\(Mapping.kindName.lowercased())")
            ])
        }
        var fields: [String: TerraformValue] = [:]
        if case .object(let attributes) = schema.type { for name in attributes.keys { fields[name] = .null } }
        fields["id"] = .string(id)
        fields["name"] = .string(id)
        return .object(fields)
    }

    func upgradeState(from version: Int, json: Value) throws -> Value {
        try Mapping.upgrade(from: version, json: json)
    }

    // MARK: - Conversions

    private var fieldAttributes: [String: String] {
        var fields = Mapping.fieldAttributes
        fields["metadata.name"] = "name"
        fields["metadata.labels"] = "labels"
        return fields
    }

    private func metadata(name: String, labels: TerraformValue, annotations: Value?, resourceVersion: Value? = nil) -> Value {
        // What Terraform writes is marked as Terraform's, so a stranded object can be told
        // apart from one someone made by hand.
        var fields: [String: Value] = ["name": .string(name), "managedBy": "terraform"]
        if let labels = labels.fields, !labels.isEmpty { fields["labels"] = .object(labels.compactMapValues(\.specValue)) }
        if let annotations, annotations != .null { fields["annotations"] = annotations }
        if let resourceVersion { fields["resourceVersion"] = resourceVersion }
        return .object(fields)
    }

    /// The Terraform state for a server document. `reference` (the plan or the prior state)
    /// decides what the server cannot: the timeouts block, and null versus empty collections.
    func state(from document: Value, reference: TerraformValue) -> TerraformValue {
        let metadata = document["metadata"] ?? .null
        var fields = Mapping.attributes(spec: document["spec"] ?? .null, status: document["status"] ?? .null)
        let name = metadata["name"]?.stringValue ?? reference["name"].stringValue ?? ""
        fields["id"] = .string(name)
        fields["name"] = .string(name)
        fields["uid"] = metadata["uid"]?.stringValue.map(TerraformValue.string) ?? .null
        if case .object(let labels)? = metadata["labels"], !labels.isEmpty {
            var map: [String: TerraformValue] = [:]
            for (key, value) in labels { if let key = key.stringValue, let value = value.stringValue { map[key] = .string(value) } }
            fields["labels"] = .map(map)
        } else {
            fields["labels"] = .null
        }
        fields["timeouts"] = reference["timeouts"]
        for (key, value) in fields {
            let wanted = reference[key]
            if value.isEmptyOrNull && wanted.isEmptyOrNull { fields[key] = wanted }
        }
        return .object(fields)
    }

    /// Polls until the reconciler has acted on the written version (or the resource failed),
    /// within the operation's timeout. Kinds without infrastructure return at once.
    private func waitForReconcile(_ written: Value, context: OperationContext) async throws -> Value {
        guard Mapping.waitsForReconcile else { return written }
        let name = written["metadata"]?["name"]?.stringValue ?? ""
        let wanted = Int(written["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? written["metadata"]?["resourceVersion"]?.intValue ?? 0
        var document = written
        var delay = Duration.milliseconds(50)
        while true {
            let status = document["status"] ?? .null
            let observed = status["observedVersion"]?.intValue ?? 0
            let phase = status["phase"]?.stringValue ?? "pending"
            if phase == "failed" {
                context.warn(.error("\(Mapping.kindName) \"\(name)\" failed", status["message"]?.stringValue ?? "the infrastructure reported a failure"))
                return document
            }
            if observed >= wanted && phase != "pending" && phase != "provisioning" { return document }
            if let reason = try await Self.reasonItCannotConverge(document, context: context) {
                context.warn(.error("\(Mapping.kindName) \"\(name)\" cannot become ready", reason))
                return document
            }
            if context.isStopped() {
                context.warn(
                    .error(
                        "Stopped while waiting for \(Mapping.kindName) \"\(name)\"",
                        "Terraform asked the provider to stop. It exists on NovaCron; its state is saved as it was last read (\(phase))."))
                return document
            }
            guard context.timeRemaining > delay else {
                context.warn(
                    .error(
                        "Timed out waiting for \(Mapping.kindName) \"\(name)\"",
                        "It is still \(phase) (NovaCron has applied version \(observed) of \(wanted)). Raise the timeouts block or look at `novacron get \(Mapping.plural) \(name)`."
                    ))
                return document
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                context.warn(.error("Interrupted while waiting for \(Mapping.kindName) \"\(name)\"", "It was created; its state is saved as it was last read."))
                return document
            }
            delay = min(delay * 2, .milliseconds(500))
            do {
                guard let next = try await context.api.get(Mapping.plural, name) else { return document }
                document = next
            } catch {
                // The object exists: keep it in the state (Terraform marks it tainted) rather
                // than lose track of it because one status read failed.
                NovaCronAPI.diagnostics(for: error, action: "read \(Mapping.kindName) \"\(name)\" while waiting for it").forEach(context.warn)
                return document
            }
        }
    }
}

extension KindResource {
    /// Why the reconciler can never make this resource ready without someone else acting, or
    /// nil to keep waiting: it reported an error and a resource the spec names does not exist,
    /// or the error is one a retry cannot clear (a volume held by another VM).
    static func reasonItCannotConverge(_ document: Value, context: OperationContext) async throws -> String? {
        guard
            let failure = (document["status"]?["conditions"]?.arrayValue ?? []).first(where: {
                $0["type"] == "ReconcileError" && $0["status"] == "True"
            })
        else { return nil }
        let message = failure["message"]?.stringValue ?? "the reconciler reported an error"
        for reference in Mapping.references(in: document["spec"] ?? .null) {
            if try await context.api.get(reference.plural, reference.name) == nil {
                return
                    "\(message)\n\nIt refers to \(reference.plural.dropLast()) \"\(reference.name)\", which does not exist on NovaCron. Create it (or fix the name) and apply again."
            }
        }
        if failure["reason"] == "conflict" { return "\(message)\n\nNovaCron will not take it from there by itself: detach it first, or use another one." }
        return nil
    }
}

extension TerraformValue {
    /// Null, or an empty collection or string: values a server and a configuration may use interchangeably.
    var isEmptyOrNull: Bool {
        switch self {
        case .null: true
        case .list(let items), .set(let items), .tuple(let items): items.isEmpty
        case .map(let fields): fields.isEmpty
        default: false
        }
    }
}
