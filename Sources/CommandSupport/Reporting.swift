import ArgumentParser
import Foundation
import NovaCore

/// Runs a command body; a NovaCron error is printed with its details and exits 1, never a trace.
public func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as NovaError {
        var text = "error: \(error.message)\n"
        for diagnostic in error.diagnostics { text += "  - \(diagnostic)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }
}

public func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A file's text, or an error that says which file and why in plain words (never Foundation's
/// error domain text).
public func readText(_ path: String) throws(NovaError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        let why =
            !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            ? "no such file"
            : isDirectory.boolValue ? "it is a directory" : "it cannot be read (permissions?)"
        throw NovaError(.notFound, "cannot read \(path): \(why)")
    }
    guard let text = String(validating: data, as: UTF8.self) else { throw NovaError(.invalidRequest, "\(path) is not UTF-8 text") }
    return text
}
