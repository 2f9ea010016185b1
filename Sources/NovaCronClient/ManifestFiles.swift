import Foundation
import NovaCore

/// Reads resource documents from a YAML or JSON file, a directory of them, or standard input
/// (`-`). YAML errors carry the file, line and column.
public enum ManifestFiles {
    public struct Document: Sendable {
        public var value: Value
        /// `file:line`, for messages.
        public var source: String
    }

    static let extensions: Set<String> = ["yaml", "yml", "json"]

    public static func load(_ path: String) throws -> [Document] {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return try parse(String(decoding: data, as: UTF8.self), file: "<stdin>")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NovaError(.notFound, "no such file or directory: \(path)")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            files = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.map { (path as NSString).appendingPathComponent($0) }
            if files.isEmpty { throw NovaError(.notFound, "\(path) holds no .yaml, .yml or .json files") }
        }
        return try files.flatMap { file -> [Document] in
            guard let data = FileManager.default.contents(atPath: file) else { throw NovaError(.notFound, "cannot read \(file)") }
            return try parse(String(decoding: data, as: UTF8.self), file: file)
        }
    }

    static func parse(_ text: String, file: String) throws -> [Document] {
        if file.hasSuffix(".json") {
            let value = try Value(json: text, file: file)
            let items = value.arrayValue ?? value["items"]?.arrayValue ?? [value]
            return items.map { Document(value: $0, source: file) }
        }
        return try Value.parseYAMLDocuments(text, file: file).filter { !$0.value.isNull }
            .map { Document(value: $0.value, source: "\(file):\($0.line)") }
    }
}
