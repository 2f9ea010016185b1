import Foundation
import TerraformProvider

// Terraform starts this binary; everything it needs comes from the environment go-plugin sets.
do {
    try await PluginServer.run()
} catch let error as PluginServer.StartError {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("terraform-provider-novacron: \(error)\n".utf8))
    exit(1)
}
