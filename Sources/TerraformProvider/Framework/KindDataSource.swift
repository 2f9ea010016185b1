import NovaCore

/// A data source reading one object of a NovaCron kind by name; every attribute but the
/// name is computed, and nested blocks become computed lists of objects.
struct KindDataSource<Mapping: KindMapping>: DataSource {
    var typeName: String { Mapping.typeName }

    let schema: Schema = Schema(
        description: "Reads an existing \(Mapping.kindName) by name.",
        attributes: [
            .required("name", .string, "Name of the \(Mapping.kindName) to read."),
            .computed("id", .string, "The name."),
            .computed("labels", .map(.string), "Its labels."),
            .computed("uid", .string, "NovaCron's unique id for it."),
        ]
            + Mapping.attributes.map { attribute in
                Attribute(name: attribute.name, type: attribute.type, role: .computed, description: attribute.description)
            }
            + Mapping.blocks.map { nested in
                Attribute(name: nested.name, type: nested.type, role: .computed, description: nested.block.description)
            })

    func read(config: TerraformValue, context: OperationContext) async throws -> TerraformValue {
        let name = config["name"].stringValue ?? ""
        let document: Value?
        do {
            document = try await context.api.get(Mapping.plural, name)
        } catch {
            throw DiagnosticsError(diagnostics: NovaCronAPI.diagnostics(for: error, action: "read \(Mapping.kindName) \"\(name)\""))
        }
        guard let document else {
            throw DiagnosticsError(diagnostics: [
                .error(
                    "\(Mapping.kindName) \"\(name)\" not found",
                    "NovaCron has no \(Mapping.kindName) of that name.", at: "name")
            ])
        }
        var fields = Mapping.attributes(spec: document["spec"] ?? .null, status: document["status"] ?? .null)
        let metadata = document["metadata"] ?? .null
        fields["name"] = .string(name)
        fields["id"] = .string(name)
        fields["uid"] = TerraformValue(metadata["uid"])
        var labels: [String: TerraformValue] = [:]
        for (key, value) in metadata["labels"]?.objectValue ?? [:] {
            if let key = key.stringValue, let value = value.stringValue { labels[key] = .string(value) }
        }
        fields["labels"] = .map(labels)
        return .object(fields)
    }
}
