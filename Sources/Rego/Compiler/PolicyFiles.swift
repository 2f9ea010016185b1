import Foundation
import NovaCore

/// Policies and data read from files and directories as `opa eval -d` and `opa test` read
/// them: every `.rego` file is a module; `data.json` / `data.yaml` in a directory is data at
/// that directory's path (`a/b/data.json` is `data.a.b`); a JSON or YAML file given by name is
/// data at the root.
public struct PolicyFiles: Sendable {
    public var modules: [Module] = []
    public var data: Value = .emptyObject

    public init() {}

    public init(paths: [String], version: Module.Version = .v1) throws {
        for path in paths { try load(path, version: version) }
    }

    public mutating func load(_ path: String, version: Module.Version = .v1) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NovaError(.notFound, "\(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return try loadFile(path, at: [], version: version) }
        let files = (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []).sorted()
        for relative in files {
            let components = relative.split(separator: "/").map(String.init)
            guard let name = components.last else { continue }
            let full = path + "/" + relative
            if name.hasSuffix(".rego") {
                try loadFile(full, at: [], version: version)
            } else if ["data.json", "data.yaml", "data.yml"].contains(name) {
                try loadFile(full, at: Array(components.dropLast()), version: version)
            }
        }
    }

    mutating func loadFile(_ path: String, at dataPath: [String], version: Module.Version) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if path.hasSuffix(".rego") {
            modules.append(try Parser.parseModule(text, file: path, version: version))
            return
        }
        let value = path.hasSuffix(".json") ? try Value(json: text, file: path) : try Value(yaml: text, file: path)
        data = Self.merging(data, value, at: dataPath)
    }

    static func merging(_ base: Value, _ value: Value, at path: [String]) -> Value {
        guard let first = path.first else {
            guard case .object(var fields) = base, case .object(let extra) = value else { return value }
            for (key, field) in extra { fields[key] = fields[key].map { merging($0, field, at: []) } ?? field }
            return .object(fields)
        }
        return base.setting(first, to: merging(base[first] ?? .emptyObject, value, at: Array(path.dropFirst())))
    }
}
